"""The signed-in person's home page (PRODUCT.md section 11): one read across the apps.

The project package is the one place that may read every app, so the page
that brings them together lives here. Each part is one query, so the page
costs the same however many requests, cards or messages the person has.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.constants import CardStatus
from accounts.durations import months_text
from accounts.models import Person, SmartCard
from activation.eligibility import DATA_REVIEW_MONTHS, months_before
from activation.models import CardService, ChipRequest, CorrectionRequest, PhotoRequest
from messaging.models import Notification
from residency.constants import AWAITING_DECISION, ApplicationStatus, FeeKind, PaymentStatus
from residency.models import Application, Appointment, Payment
from residency.payments import PAYABLE_IN

# A card this close to its expiry date is worth a reminder on the dashboard.
CARD_EXPIRY_WARNING = datetime.timedelta(days=90)
NEWEST_MESSAGES = 3
# What the dashboard asks of a fee that is due in the application's status.
FEE_ACTIONS = {
    FeeKind.CARD: (
        gettext_lazy("Pay the card fee before you collect your permanent residency card."),
        gettext_lazy("Pay the card fee"),
    ),
    FeeKind.APPLICATION: (
        gettext_lazy("The application fee is paid before the application is submitted."),
        gettext_lazy("Pay the application fee"),
    ),
}


@dataclass(frozen=True)
class Action:
    text: str
    link_text: str
    url: str


@dataclass(frozen=True)
class OpenRequest:
    reference: str
    kind_label: str
    status_label: str
    submitted_at: datetime.datetime
    decision_due_on: datetime.date | None
    url: str


def _card_actions(cards: list[SmartCard], today: datetime.date) -> list[Action]:
    actions = []
    for card in cards:
        if card.status != CardStatus.VALID:
            continue
        if card.expires_on < today:
            text = _("Your %(card)s expired on %(date)s.")
        elif card.expires_on - today <= CARD_EXPIRY_WARNING:
            text = _("Your %(card)s expires on %(date)s.")
        else:
            continue
        actions.append(
            Action(
                text % {"card": card.get_kind_display(), "date": date_format(card.expires_on)},
                _("See your cards"),
                reverse("activation:overview"),
            )
        )
    return actions


def _application_actions(applications: list[Application]) -> list[Action]:
    actions = []
    for application in applications:
        paid = {payment.kind for payment in application.paid_fees}
        for kind, (text, link_text) in FEE_ACTIONS.items():
            if application.status == PAYABLE_IN[kind] and kind not in paid:
                actions.append(
                    Action(
                        str(text),
                        str(link_text),
                        reverse("residency:fee", args=[application.reference, kind]),
                    )
                )
        if application.status == ApplicationStatus.DRAFT:
            actions.append(
                Action(
                    _("Your permanent residency application is not submitted yet."),
                    _("Continue your application"),
                    reverse("residency:apply"),
                )
            )
        elif application.status == ApplicationStatus.MORE_INFO_REQUESTED:
            actions.append(
                Action(
                    _("The reviewer asked you for more information."),
                    _("Upload the requested documents"),
                    reverse("residency:more_information", args=[application.reference]),
                )
            )
    return actions


def dashboard_context(*, person: Person, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    today = timezone.localdate(now)
    cards = list(
        SmartCard.objects.filter(person=person)
        .prefetch_related(
            Prefetch(
                "eservices",
                queryset=CardService.objects.filter(deactivated_at__isnull=True)
                .select_related("service")
                .order_by("service__position", "service__code"),
                to_attr="active_services",
            )
        )
        .order_by("status", "kind", "-expires_on")
    )
    applications = list(
        Application.objects.filter(person=person)
        .open()
        .prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(status=PaymentStatus.PAID),
                to_attr="paid_fees",
            )
        )
        .order_by("-created_at")
    )
    actions = _application_actions(applications)
    reviewed = person.data_reviewed_at
    if reviewed is None or reviewed < months_before(now, DATA_REVIEW_MONTHS):
        actions.append(
            Action(
                _("You have not confirmed your personal data in the last %(period)s.")
                % {"period": months_text(DATA_REVIEW_MONTHS)},
                _("Confirm your data"),
                reverse("activation:profile"),
            )
        )
    actions += _card_actions(cards, today)

    open_requests = [
        OpenRequest(
            application.reference,
            _("Permanent residency application"),
            application.get_status_display(),
            application.submitted_at,
            application.decision_due_on,
            reverse("residency:status", args=[application.reference]),
        )
        for application in applications
        if application.status in AWAITING_DECISION
    ]
    for model in (ChipRequest, CorrectionRequest, PhotoRequest):
        for request in model.objects.awaiting_decision().filter(person=person):
            open_requests.append(
                OpenRequest(
                    request.reference,
                    model._meta.verbose_name,
                    request.get_status_display(),
                    request.created_at,
                    None,
                    reverse("accounts:history"),
                )
            )
    open_requests.sort(key=lambda row: row.submitted_at, reverse=True)

    appointment = (
        Appointment.objects.filter(
            application__person=person, collected_at__isnull=True, slot__starts_at__gte=now
        )
        .select_related("slot__centre", "application")
        .order_by("slot__starts_at")
        .first()
    )
    return {
        "actions": actions,
        "open_requests": open_requests,
        "appointment": appointment,
        "cards": cards,
        "messages_": list(
            Notification.objects.filter(person=person).order_by("-created_at", "-pk")[
                :NEWEST_MESSAGES
            ]
        ),
    }
