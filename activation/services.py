"""Writes of the activation app: every state change is one atomic service here.

Pages and admin call these functions and nothing else changes a request's
status, a card's chip or an active service. Each service checks the current
state first, under a row lock where two requests may race (two tabs, a double
click, two staff members), and writes the portal message in the same
transaction as the change it reports (PRODUCT.md section 7).
"""

import datetime
import functools
import uuid
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.changes import account_change_propose, mobile_change_apply
from accounts.constants import AccountChangeKind, ChipStatus
from accounts.models import AccountChangeRequest, Person, SmartCard
from accounts.services import request_create, request_transition
from accounts.uploads import CleanUpload
from activation.constants import Decision, ReviewStatus, ServiceRequestStatus
from activation.eligibility import eligibility_failures
from activation.models import (
    ActivationRequest,
    CardService,
    CardServiceRequest,
    ChipRequest,
    CorrectionRequest,
    DeactivationRequest,
    EService,
    PhotoRequest,
    ReviewedRequest,
)
from messaging.notifications import notify


class ActivationRefused(ValidationError):
    """The person's request cannot be carried out; the message says why. Nothing was changed."""


def _names(services: Iterable[EService]) -> str:
    return _(", ").join(service.name for service in services)


def _lock_own_card(*, person: Person, card: SmartCard) -> SmartCard:
    """Lock the card row: every change to a card's services queues behind this lock."""
    locked = SmartCard.objects.select_for_update().get(pk=card.pk)
    if locked.person_id != person.pk:
        raise ActivationRefused(_("This card is not yours."), code="not_owner")
    return locked


def _replayed(model, *, person: Person, card: SmartCard, idempotency_key: uuid.UUID):
    """The request an earlier submission of the same review page made, if any."""
    existing = model.objects.filter(idempotency_key=idempotency_key).first()
    if existing and (existing.person_id != person.pk or existing.card_id != card.pk):
        raise ActivationRefused(_("This form has expired. Start again."), code="foreign_key")
    return existing


def activation_check(
    *,
    person: Person,
    card: SmartCard,
    services: Iterable[EService],
    now: datetime.datetime | None = None,
) -> None:
    """Raise ``ActivationRefused`` unless every service may be activated on ``card`` now.

    Called when the person picks services (to show the error early) and again
    by :func:`activation_confirm` under the card lock (where it counts).
    """
    services = list(services)
    if not services:
        raise ActivationRefused(_("Select at least one service."), code="nothing_selected")
    if card.person_id != person.pk:
        raise ActivationRefused(_("This card is not yours."), code="not_owner")
    if any(not service.is_active for service in services):
        raise ActivationRefused(_("A selected service is not offered."), code="not_offered")
    already = CardService.objects.filter(
        card=card, service__in=services, deactivated_at__isnull=True
    ).select_related("service")
    if already:
        raise ActivationRefused(
            _("Already active on this card: %(services)s.")
            % {"services": _names(row.service for row in already)},
            code="already_active",
        )
    refused = [
        service
        for service in services
        if eligibility_failures(person=person, card=card, service=service, now=now)
    ]
    if refused:
        raise ActivationRefused(
            _("You cannot activate: %(services)s. See the reasons in the catalogue.")
            % {"services": _names(refused)},
            code="not_eligible",
        )


@transaction.atomic
def activation_confirm(
    *,
    person: Person,
    card: SmartCard,
    services: Iterable[EService],
    idempotency_key: uuid.UUID,
    now: datetime.datetime | None = None,
) -> tuple[ActivationRequest, bool]:
    """Record an activation request and make the services active on the card.

    Returns ``(request, created)``. A second submission with the same key
    returns the first request and ``created=False``; a second tab with its
    own key finds the services already active and is refused.
    """
    return _card_services_change(
        ActivationRequest,
        person=person,
        card=card,
        services=services,
        idempotency_key=idempotency_key,
        now=now,
        check=functools.partial(activation_check, person=person),
        carry_out=_card_services_start,
        template="activation_confirmed",
    )


def _card_services_start(*, request: ActivationRequest, services: list[EService], now) -> None:
    CardService.objects.bulk_create(
        [
            CardService(card=request.card, service=service, activation=request, activated_at=now)
            for service in services
        ]
    )


@transaction.atomic
def activation_deactivate(
    *,
    person: Person,
    card: SmartCard,
    services: Iterable[EService],
    idempotency_key: uuid.UUID,
    now: datetime.datetime | None = None,
) -> tuple[DeactivationRequest, bool]:
    """Record a deactivation request and end the services on the card; idempotent like
    :func:`activation_confirm`."""
    return _card_services_change(
        DeactivationRequest,
        person=person,
        card=card,
        services=services,
        idempotency_key=idempotency_key,
        now=now,
        check=_deactivation_check,
        carry_out=_card_services_end,
        template="activation_deactivated",
    )


def _active_rows(*, card: SmartCard, services: list[EService]):
    return CardService.objects.filter(card=card, service__in=services, deactivated_at__isnull=True)


def _deactivation_check(*, card: SmartCard, services: list[EService], now) -> None:
    if not services:
        raise ActivationRefused(_("Select at least one service."), code="nothing_selected")
    if len(_active_rows(card=card, services=services)) != len(services):
        raise ActivationRefused(
            _("A selected service is not active on this card."), code="not_active"
        )


def _card_services_end(*, request: DeactivationRequest, services: list[EService], now) -> None:
    _active_rows(card=request.card, services=services).update(
        deactivation=request, deactivated_at=now
    )


def _card_services_change(
    model: type[CardServiceRequest],
    *,
    person: Person,
    card: SmartCard,
    services: Iterable[EService],
    idempotency_key: uuid.UUID,
    now: datetime.datetime | None,
    check: Callable[..., None],
    carry_out: Callable[..., None],
    template: str,
):
    """What activation and deactivation share, in one transaction under the card lock.

    A replayed submission returns its first request. Otherwise ``check`` refuses
    what cannot be done, the request is recorded, ``carry_out`` changes the
    card's services and the completed request is reported with ``template``.
    """
    now = now or timezone.now()
    services = list(services)
    card = _lock_own_card(person=person, card=card)
    existing = _replayed(model, person=person, card=card, idempotency_key=idempotency_key)
    if existing:
        return existing, False
    check(card=card, services=services, now=now)
    request = request_create(
        model(person=person, card=card, idempotency_key=idempotency_key), actor=person
    )
    request.services.set(services)
    carry_out(request=request, services=services, now=now)
    request_transition(request, to=ServiceRequestStatus.COMPLETED, actor=person)
    notify(
        person=person,
        template=template,
        context={"reference": request.reference, "services": services, "card": card},
    )
    return request, True


@transaction.atomic
def chip_request_create(*, person: Person, card: SmartCard) -> ChipRequest:
    """Ask staff to activate the chip of an own, valid card whose chip is inactive."""
    card = _lock_own_card(person=person, card=card)
    if not card.is_valid_on(timezone.localdate()):
        raise ActivationRefused(
            _("This card is expired or cancelled; its chip cannot be activated."),
            code="card_not_valid",
        )
    if card.chip_status != ChipStatus.INACTIVE:
        raise ActivationRefused(
            _("The chip of this card is not inactive."), code="chip_not_inactive"
        )
    if ChipRequest.objects.awaiting_decision().filter(card=card).exists():
        raise ActivationRefused(
            _("A chip activation request for this card is already waiting for review."),
            code="already_requested",
        )
    request = request_create(ChipRequest(person=person, card=card), actor=person)
    _tell_sent(request)
    return request


def _chip_activate(request: ChipRequest, *, now) -> None:
    SmartCard.objects.filter(pk=request.card_id).update(chip_status=ChipStatus.ACTIVE)


def _register_correct(request: CorrectionRequest, *, now: datetime.datetime | None) -> None:
    """Write the approved values into the register, which then counts as verified."""
    person = Person.objects.select_for_update().get(pk=request.person_id)
    for field, value in request.changes.items():
        setattr(person, field, value)
    person.data_verified = True
    person.data_reviewed_at = now or timezone.now()
    person.save()
    request.person = person


def _photo_adopt(request: PhotoRequest, *, now) -> None:
    """The reviewed photo becomes the person's approved photo (rule 7)."""
    person = Person.objects.select_for_update().get(pk=request.person_id)
    with request.photo.open("rb") as source:
        person.photo.save(f"photo{_suffix(request.photo.name)}", ContentFile(source.read()))
    request.person = person


# Each request staff review: the prefix of its messages (``<prefix>_submitted``,
# ``_approved``, ``_rejected``) and the change an approval makes.
_REVIEWS: dict[type[ReviewedRequest], tuple[str, Callable[..., None]]] = {
    ChipRequest: ("activation_chip", _chip_activate),
    CorrectionRequest: ("activation_correction", _register_correct),
    PhotoRequest: ("activation_photo", _photo_adopt),
}


def _tell_sent(request: ReviewedRequest) -> None:
    """Tell the person their request reached the staff: in the portal inbox only, no SMS."""
    notice = _REVIEWS[type(request)][0]
    notify(
        person=request.person,
        template=f"{notice}_submitted",
        context={"reference": request.reference},
        sms=False,
    )


def _decide(request: ReviewedRequest, *, decision: str, actor: Person, note: str, now=None):
    """Move a reviewed request to the staff's decision and tell the person, with the reason.

    An approval makes its change (``_REVIEWS``) in the same transaction.
    """
    if decision == Decision.REJECT and not note.strip():
        raise ActivationRefused(
            _("Give the reason for the rejection; the person will read it."), code="reason_missing"
        )
    notice, approve = _REVIEWS[type(request)]
    to = ReviewStatus.APPROVED if decision == Decision.APPROVE else ReviewStatus.REJECTED
    request = request_transition(request, to=to, actor=actor, note=note.strip())
    if request.status == ReviewStatus.APPROVED:
        approve(request, now=now)
    notify(
        person=request.person,
        template=f"{notice}_{request.status}",
        context={"reference": request.reference, "reason": note.strip()},
    )
    return request


@transaction.atomic
def chip_request_decide(
    *, chip_request: ChipRequest, decision: str, actor: Person, note: str = ""
) -> ChipRequest:
    """Staff approve (the chip becomes active) or reject (with a reason) a chip request."""
    return _decide(chip_request, decision=decision, actor=actor, note=note)


@transaction.atomic
def person_data_confirm(*, person: Person, now: datetime.datetime | None = None) -> Person:
    """The person confirms, with one click, that their register data is current (rule 5)."""
    person.data_reviewed_at = now or timezone.now()
    person.save(update_fields=["data_reviewed_at"])
    return person


@transaction.atomic
def correction_request_create(
    *,
    person: Person,
    name_ar: str = "",
    name_en: str = "",
    date_of_birth: datetime.date | None = None,
    nationality: str = "",
    details: str = "",
) -> CorrectionRequest:
    """Send a correction of register data to staff review; the register is not touched."""
    request = CorrectionRequest(
        person=person,
        name_ar=name_ar.strip(),
        name_en=name_en.strip(),
        date_of_birth=date_of_birth,
        nationality=nationality,
        details=details.strip(),
    )
    if not request.changes:
        raise ActivationRefused(
            _("Enter at least one value that should change."), code="nothing_changed"
        )
    request_create(request, actor=person)
    _tell_sent(request)
    return request


@transaction.atomic
def mobile_change_record(
    *, person: Person, new_mobile: str, old_mobile_confirmed: bool
) -> CorrectionRequest | AccountChangeRequest:
    """Record a mobile change whose new number was confirmed with a code.

    With a code also confirmed on the old number the change is applied at
    once (the system approves it). When the old number is lost or there is
    none, it becomes a two-person account change request: a staff member
    holding ``accounts.approve_mobile_change`` checks the person's identity
    and decides it, like a change staff propose.
    """
    if not (old_mobile_confirmed and person.mobile):
        return account_change_propose(
            person=person,
            kind=AccountChangeKind.MOBILE,
            actor=person,
            new_mobile=new_mobile,
            reason=_("The old number is lost; the new number was confirmed with a code."),
        )
    request = request_create(
        CorrectionRequest(person=person, mobile=new_mobile, old_mobile_confirmed=True),
        actor=person,
    )
    request_transition(
        request,
        to=ReviewStatus.APPROVED,
        note=_("Confirmed with codes sent to the old and the new number."),
    )
    mobile_change_apply(person=person, new_mobile=new_mobile, reference=request.reference)
    return request


@transaction.atomic
def correction_request_decide(
    *,
    correction: CorrectionRequest,
    decision: str,
    actor: Person,
    note: str = "",
    now: datetime.datetime | None = None,
) -> CorrectionRequest:
    """Staff approve (the register is updated and counts as verified) or reject a correction."""
    if correction.mobile and decision == Decision.APPROVE:
        # A mobile number changes only through accounts.changes.
        raise ActivationRefused(
            _("A mobile number change is decided as an account change request."),
            code="mobile_not_here",
        )
    return _decide(correction, decision=decision, actor=actor, note=note, now=now)


@transaction.atomic
def photo_request_create(*, person: Person, upload: CleanUpload) -> PhotoRequest:
    """Store a checked photo for staff review; the approved photo on file stays until then."""
    if PhotoRequest.objects.awaiting_decision().filter(person=person).exists():
        raise ActivationRefused(
            _("Your previous photo is still waiting for review."), code="already_requested"
        )
    request = PhotoRequest(person=person, width=upload.width, height=upload.height)
    request.photo.save(upload.as_file().name, upload.as_file(), save=False)
    try:
        with transaction.atomic():
            request_create(request, actor=person)
    except IntegrityError:
        request.photo.delete(save=False)
        raise ActivationRefused(
            _("Your previous photo is still waiting for review."), code="already_requested"
        ) from None
    _tell_sent(request)
    return request


@transaction.atomic
def photo_request_decide(
    *, photo_request: PhotoRequest, decision: str, actor: Person, note: str = ""
) -> PhotoRequest:
    """Staff approve (the photo becomes the person's approved photo, rule 7) or reject it."""
    return _decide(photo_request, decision=decision, actor=actor, note=note)


def _suffix(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""
