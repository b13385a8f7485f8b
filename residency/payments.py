"""Fees of the permanent residency card and their simulated e-payment (PRODUCT.md 6.8).

No money moves: a payment is a record that the person confirmed, with a
one-time code, that the fee in force was charged through the E-payment
service of one of their smart cards. It gets a receipt ``RCT-YYYY-NNNNNN``.

A fee is charged once. The application row is locked while a payment is
made, so two tabs or a double click serialise; the form's idempotency key
lets a retried request find the payment it already made; and a partial
unique constraint refuses a second paid row for the same application and fee
even if every check above were bypassed.

Refunds (staff only, ``payment_refund``) return a fee of a withdrawn
application that was not used. "Unused" means:

- the application fee, when the application was withdrawn before a reviewer
  took it up (it never went under review);
- the card fee, when no card was issued for the application: always so for a
  withdrawn one, since an application can no longer be withdrawn once a
  decision is made.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import CardStatus
from accounts.models import Person, SmartCard, StatusChange
from accounts.services import request_create, request_transition
from messaging.notifications import notify
from residency.constants import (
    EPAYMENT_SERVICE_CODE,
    ApplicationStatus,
    FeeKind,
    PaymentStatus,
)
from residency.models import Application, Fee, Payment

S = ApplicationStatus

# Which application status each fee is paid in: the application fee before
# submission, the card fee once the collection appointment is booked.
PAYABLE_IN = {FeeKind.APPLICATION: S.DRAFT, FeeKind.CARD: S.APPOINTMENT_BOOKED}


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def qar(amount: Decimal) -> str:
    """An amount as people read it on a receipt: "QR 3,000" (halalas only when there are any)."""
    places = 0 if amount == amount.to_integral_value() else 2
    return _("QR %(amount)s") % {"amount": f"{amount:,.{places}f}"}


# --- Reads ---------------------------------------------------------------------------


def _fees_in_effect(kind, today: datetime.date) -> QuerySet[Fee]:
    """The amounts of ``kind`` that took effect on or before ``today``, the one in force first."""
    return Fee.objects.filter(kind=kind, effective_from__lte=today).order_by("-effective_from")


def fee_in_force(*, kind: str, today: datetime.date | None = None) -> Fee:
    """The newest amount of ``kind`` that took effect on or before ``today``."""
    today = today or timezone.localdate()
    fee = _fees_in_effect(kind, today).first()
    if fee is None:
        raise Fee.DoesNotExist(f"No {kind} fee in force on {today}.")
    return fee


def fees_with_in_force(fees: QuerySet[Fee], today: datetime.date | None = None) -> QuerySet[Fee]:
    """``fees``, each with ``in_force_pk``: the fee of its kind in force ``today``, in one query."""
    today = today or timezone.localdate()
    in_force = _fees_in_effect(OuterRef("kind"), today).values("pk")[:1]
    return fees.annotate(in_force_pk=Subquery(in_force))


def payment_paid(*, application: Application, kind: str) -> Payment | None:
    return Payment.objects.filter(
        application=application, kind=kind, status=PaymentStatus.PAID
    ).first()


def fee_is_paid(*, application: Application, kind: str) -> bool:
    return Payment.objects.filter(
        application=application, kind=kind, status=PaymentStatus.PAID
    ).exists()


def epayment_card(*, person: Person, today: datetime.date | None = None) -> SmartCard | None:
    """A valid card of ``person`` with the E-payment service active on it."""
    today = today or timezone.localdate()
    return (
        SmartCard.objects.filter(
            person=person,
            status=CardStatus.VALID,
            expires_on__gte=today,
            eservices__service__code=EPAYMENT_SERVICE_CODE,
            eservices__deactivated_at__isnull=True,
        )
        .order_by("-expires_on")
        .first()
    )


@dataclass(frozen=True)
class FeeState:
    """What a page shows about one fee of one application."""

    kind: str
    fee: Fee
    payment: Payment | None
    payable: bool

    @property
    def label(self) -> str:
        return FeeKind(self.kind).label

    @property
    def amount_text(self) -> str:
        return qar(self.payment.amount if self.payment else self.fee.amount)

    @property
    def is_paid(self) -> bool:
        return self.payment is not None


def fee_state(*, application: Application, kind: str, today=None) -> FeeState:
    payment = payment_paid(application=application, kind=kind)
    return FeeState(
        kind=kind,
        fee=fee_in_force(kind=kind, today=today),
        payment=payment,
        payable=payment is None and application.status == PAYABLE_IN[kind],
    )


def payments_of_application(application: Application):
    return Payment.objects.filter(application=application).order_by("created_at", "pk")


def payment_of_owner(*, person: Person, reference: str) -> Payment | None:
    return (
        Payment.objects.select_related("application", "card", "person")
        .filter(person=person, reference=reference)
        .first()
    )


def payment_unused_refusal(payment: Payment) -> str:
    """Why ``payment`` cannot be refunded, or ``""`` when it can (see the module docstring)."""
    application = payment.application
    if payment.status != PaymentStatus.PAID:
        return _("This payment was already refunded.")
    if application.status != S.WITHDRAWN:
        return _("Only the fees of a withdrawn application are refunded.")
    if payment.kind == FeeKind.APPLICATION:
        reviewed = StatusChange.objects.filter(
            reference=application.reference, to_status=S.UNDER_REVIEW
        ).exists()
        if reviewed:
            return _("The application fee was used: the application was reviewed.")
    return ""


def fee_unpaid_error(*, application: Application, kind: str) -> ValidationError | None:
    """The reason a step that needs ``kind`` paid is refused, for citizens and staff alike."""
    if fee_is_paid(application=application, kind=kind):
        return None
    fee = fee_in_force(kind=kind)
    if kind == FeeKind.APPLICATION:
        message = _("Pay the application fee (%(amount)s) before you submit.")
    else:
        message = _(
            "The card fee (%(amount)s) is not paid yet: the card is handed over once it is."
        )
    return ValidationError(message, code="fee_unpaid", params={"amount": qar(fee.amount)})


# --- Writes --------------------------------------------------------------------------


def new_idempotency_key() -> uuid.UUID:
    return uuid.uuid4()


@transaction.atomic
def payment_make(
    *,
    application: Application,
    kind: str,
    actor: Person,
    idempotency_key: uuid.UUID,
    now: datetime.datetime | None = None,
) -> Payment:
    """The applicant (``actor``) pays the fee in force with their E-payment service; once per fee.

    The same ``idempotency_key`` again returns the payment it made. A second
    payment of a paid fee (another tab, another key) is refused with the code
    ``already_paid``; nothing is charged twice.
    """
    now = _now(now)
    today = timezone.localdate(now)
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=application.pk)
    )
    if locked.person_id != actor.pk:
        raise ValidationError(_("This is not your application."), code="not_owner")
    earlier = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if earlier is not None:
        if earlier.application_id != locked.pk or earlier.kind != kind:
            raise ValidationError(_("This payment form was already used."), code="key_reused")
        return earlier
    if fee_is_paid(application=locked, kind=kind):
        raise ValidationError(_("This fee is already paid."), code="already_paid")
    if locked.status != PAYABLE_IN[kind]:
        raise ValidationError(
            _("This fee cannot be paid while the application is %(status)s."),
            code="not_payable",
            params={"status": locked.get_status_display()},
        )
    card = epayment_card(person=actor, today=today)
    if card is None:
        raise ValidationError(
            _("Activate the E-payment service on your smart card to pay fees online."),
            code="epayment_inactive",
        )
    fee = fee_in_force(kind=kind, today=today)
    try:
        with transaction.atomic():
            payment = request_create(
                Payment(
                    person=locked.person,
                    application=locked,
                    kind=kind,
                    fee=fee,
                    amount=fee.amount,
                    card=card,
                    idempotency_key=idempotency_key,
                    created_at=now,
                ),
                actor=actor,
            )
    except IntegrityError:
        raise ValidationError(_("This fee is already paid."), code="already_paid") from None
    notify(
        person=locked.person,
        template="residency_payment_received",
        context={"application": locked, "payment": payment, "amount": qar(payment.amount)},
    )
    return payment


@transaction.atomic
def payment_refund(
    *, payment: Payment, actor: Person, reason: str, now: datetime.datetime | None = None
) -> Payment:
    """Refund an unused fee of a withdrawn application (staff, from the admin).

    The refund is a recorded transition by ``actor``, a member of staff (status history, change
    history and the security log of staff decisions); the person is told.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for the refund."), code="reason_required")
    locked = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("application", "person")
        .get(pk=payment.pk)
    )
    refusal = payment_unused_refusal(locked)
    if refusal:
        raise ValidationError(refusal, code="not_refundable")
    locked.refunded_at = _now(now)
    locked.refund_reason = reason
    request_transition(
        locked,
        to=PaymentStatus.REFUNDED,
        actor=actor,
        note=reason,
        update_fields=["refunded_at", "refund_reason"],
    )
    notify(
        person=locked.person,
        template="residency_payment_refunded",
        context={
            "application": locked.application,
            "payment": locked,
            "amount": qar(locked.amount),
        },
    )
    return locked
