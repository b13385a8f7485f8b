"""Every write of the permanent residency workflow (PRODUCT.md section 6).

Each service runs in one transaction, locks the application row first and
checks its current state, so a double submit, two tabs or two reviewers
deciding at once end in exactly one change; the loser gets
``InvalidTransition`` (a ``ValidationError``) and nothing is written. Status
moves go through ``accounts.services.request_transition`` with the
``Application.TRANSITIONS`` table. Messages to the applicant are written in
the same transaction as the change (``messaging.notifications.notify``).

Dates are controllable: every service takes ``now`` (default: the clock).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.constants import CardKind, CardStatus, ChipStatus
from accounts.models import Person, SmartCard
from accounts.rules import Failure
from accounts.services import (
    InvalidTransition,
    request_create,
    request_event,
    request_transition,
)
from accounts.uploads import CleanUpload
from messaging.notifications import notify
from residency.constants import (
    BOOKING_HORIZON_WORKING_DAYS,
    CARD_VALIDITY_YEARS,
    DECISION_WORKING_DAYS,
    EDITABLE_DOCUMENT_STATUSES,
    MAX_RESCHEDULES,
    TAKEN_INTO_REVIEW_FROM,
    ApplicationStatus,
    FeeKind,
    Step,
)
from residency.eligibility import eligibility_basis, eligibility_to_apply
from residency.models import (
    Application,
    Appointment,
    AppointmentSlot,
    Document,
    PublicHoliday,
    ServiceCentre,
)
from residency.payments import fee_unpaid_error
from residency.selectors import application_missing_steps
from residency.workdays import day_bounds, working_day_add, working_days_after

S = ApplicationStatus


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _refuse(failures: list[Failure]) -> None:
    if failures:
        raise ValidationError([ValidationError(f.reason, code=f.code) for f in failures])


def _locked(application: Application) -> Application:
    """Re-read the application under a row lock; later checks see the committed state."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("person", "preferred_centre")
        .get(pk=application.pk)
    )


def _require_status(application: Application, *allowed: str) -> None:
    if application.status not in allowed:
        raise InvalidTransition(
            _("This application is %(status)s and can no longer be changed that way."),
            code="invalid_transition",
            params={"status": application.get_status_display()},
        )


# --- The applicant's draft ------------------------------------------------------


@transaction.atomic
def application_start(*, person: Person, now: datetime.datetime | None = None) -> Application:
    """Open a draft for ``person`` if they may apply (``residency.eligibility``)."""
    today = timezone.localdate(_now(now))
    _refuse(eligibility_to_apply(person=person, today=today))
    try:
        with transaction.atomic():
            return request_create(Application(person=person), actor=person)
    except IntegrityError:
        # Another tab opened a draft between the check and the insert.
        _refuse(eligibility_to_apply(person=person, today=today))
        raise


DRAFT_FIELDS = frozenset(
    {"basis", "days_abroad", "employer", "occupation", "monthly_income", "preferred_centre"}
)


@transaction.atomic
def application_draft_update(*, application: Application, actor: Person, **fields) -> Application:
    """Save one step of the form into the draft."""
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"Not a draft field: {sorted(unknown)}")
    locked = _locked(application)
    _require_status(locked, S.DRAFT)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save(update_fields=[*fields, "updated_at"])
    return locked


@transaction.atomic
def document_add(
    *,
    application: Application,
    kind: str,
    upload: CleanUpload,
    actor: Person,
    now: datetime.datetime | None = None,
) -> Document:
    """Attach a cleaned file (``accounts.uploads.upload_clean``) as the newest version of ``kind``.

    The earlier versions stay, no longer current.
    """
    locked = _locked(application)
    _require_status(locked, *EDITABLE_DOCUMENT_STATUSES)
    if kind not in locked.required_document_kinds:
        raise ValidationError(
            _("This document is not asked for on the basis you chose."), code="document_kind"
        )
    versions = Document.objects.filter(application=locked, kind=kind)
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    versions.filter(is_current=True).update(is_current=False)
    return Document.objects.create(
        application=locked,
        kind=kind,
        version=latest + 1,
        is_current=True,
        file=upload.as_file(),
        content_type=upload.content_type,
        size=len(upload.content),
        uploaded_by=actor,
        uploaded_at=_now(now),
    )


def _clock_restarted(now: datetime.datetime) -> dict[str, datetime.date]:
    """The decision clock of a submission or resubmission made at ``now``."""
    started = timezone.localdate(now)
    return {
        "clock_started_on": started,
        "decision_due_on": working_day_add(started, days=DECISION_WORKING_DAYS),
    }


def _transition(
    locked: Application, *, to: str, actor: Person, note: str = "", **fields
) -> Application:
    """Set ``fields`` on the locked application and save them with its move to ``to``."""
    for name, value in fields.items():
        setattr(locked, name, value)
    return request_transition(locked, to=to, actor=actor, note=note, update_fields=list(fields))


@transaction.atomic
def application_submit(
    *, application: Application, actor: Person, now: datetime.datetime | None = None
) -> Application:
    """Submit a complete draft whose application fee is paid; the declaration is
    made now and the decision clock starts.

    Submitting twice submits once: the second call finds the row no longer a draft.
    """
    now = _now(now)
    today = timezone.localdate(now)
    locked = _locked(application)
    _require_status(locked, S.DRAFT)
    missing = [step for step in application_missing_steps(locked) if step != Step.DECLARATION]
    if missing:
        raise ValidationError(
            _("Complete these parts of the form first: %(steps)s."),
            code="incomplete",
            params={"steps": ", ".join(str(Step(step).label) for step in missing)},
        )
    unpaid = fee_unpaid_error(application=locked, kind=FeeKind.APPLICATION)
    if unpaid is not None:
        raise unpaid
    _refuse(
        eligibility_to_apply(person=locked.person, today=today, ignoring_application_id=locked.pk)
        + eligibility_basis(
            person=locked.person, basis=locked.basis, days_abroad=locked.days_abroad, today=today
        )
    )
    _transition(
        locked,
        to=S.SUBMITTED,
        actor=actor,
        declared_at=now,
        submitted_at=now,
        **_clock_restarted(now),
    )
    notify(person=locked.person, template="residency_submitted", context={"application": locked})
    return locked


@transaction.atomic
def application_resubmit(
    *, application: Application, actor: Person, note: str = "", now=None
) -> Application:
    """Send the application back to the reviewers after more information was asked for.

    The 5-working-day clock restarts today.
    """
    now = _now(now)
    locked = _locked(application)
    _require_status(locked, S.MORE_INFO_REQUESTED)
    _transition(locked, to=S.RESUBMITTED, actor=actor, note=note, **_clock_restarted(now))
    notify(person=locked.person, template="residency_resubmitted", context={"application": locked})
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, actor: Person) -> Application:
    """Withdraw before a decision (PRODUCT.md section 6.7)."""
    locked = _locked(application)
    was_draft = locked.status == S.DRAFT
    request_transition(locked, to=S.WITHDRAWN, actor=actor)
    if not was_draft:
        notify(
            person=locked.person,
            template="residency_withdrawn",
            context={"application": locked},
            sms=False,
        )
    return locked


# --- Reviewers --------------------------------------------------------------------


def _decide(
    application: Application, *, actor: Person, to: str, note: str, **fields
) -> Application:
    """Lock, take the application into review if nobody has, then move it to ``to``.

    Of two reviewers deciding at once, the second waits for the lock, then
    finds the first one's decision and is refused.
    """
    locked = _locked(application)
    if locked.status in TAKEN_INTO_REVIEW_FROM:
        request_transition(locked, to=S.UNDER_REVIEW, actor=actor)
    return _transition(locked, to=to, actor=actor, note=note, **fields)


@transaction.atomic
def application_review_start(*, application: Application, actor: Person) -> Application:
    """A reviewer takes the application: it shows as under review to everyone."""
    locked = _locked(application)
    request_transition(locked, to=S.UNDER_REVIEW, actor=actor)
    return locked


@transaction.atomic
def application_approve(
    *, application: Application, actor: Person, note: str = "", now=None
) -> Application:
    """Approve and book the earliest free collection slot at the preferred centre."""
    now = _now(now)
    locked = _decide(application, actor=actor, to=S.APPROVED, note=note, decided_at=now)
    appointment = _appointment_book(locked, actor=None, now=now)
    if appointment is None:
        notify(person=locked.person, template="residency_approved", context={"application": locked})
    return locked


def _required_text(value: str, message: str, code: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, code=code)
    return value


@transaction.atomic
def application_reject(*, application: Application, actor: Person, reason: str, now=None):
    """Reject; the reason is shown to the applicant on the status page and in the message."""
    reason = _required_text(
        reason, _("Give the reason the applicant will read."), "reason_required"
    )
    locked = _decide(application, actor=actor, to=S.REJECTED, note=reason, decided_at=_now(now))
    notify(
        person=locked.person,
        template="residency_rejected",
        context={"application": locked, "reason": reason},
    )
    return locked


@transaction.atomic
def application_request_information(
    *, application: Application, actor: Person, message: str
) -> Application:
    """Ask the applicant for more information; they upload documents and resubmit."""
    message = _required_text(message, _("Write what the applicant must send."), "message_required")
    locked = _decide(application, actor=actor, to=S.MORE_INFO_REQUESTED, note=message)
    notify(
        person=locked.person,
        template="residency_more_information",
        context={"application": locked, "message": message},
    )
    return locked


# --- Appointments -----------------------------------------------------------------


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def slots_ensure(*, centre: ServiceCentre, day: datetime.date) -> None:
    """Create the day's slots of ``centre`` from its opening hours (idempotent)."""
    length = datetime.timedelta(minutes=centre.slot_minutes)
    start, close = _aware(day, centre.opens_at), _aware(day, centre.closes_at)
    slots = []
    while start + length <= close:
        slots.append(
            AppointmentSlot(
                centre=centre,
                starts_at=start,
                ends_at=start + length,
                capacity=centre.capacity_per_slot,
            )
        )
        start += length
    AppointmentSlot.objects.bulk_create(slots, ignore_conflicts=True)


def slots_window_ensure(*, centre: ServiceCentre, days: list[datetime.date]) -> None:
    """Make sure the slots of ``days`` exist, e.g. before listing times to reschedule to."""
    for day in days:
        slots_ensure(centre=centre, day=day)


def slots_window_ensure_open_centres(*, days: list[datetime.date]) -> None:
    for centre in ServiceCentre.objects.filter(is_active=True):
        slots_window_ensure(centre=centre, days=days)


def booking_days(*, today: datetime.date) -> list[datetime.date]:
    """Days a collection may be booked on: from the next working day, never today."""
    holidays = set(
        PublicHoliday.objects.filter(
            date__range=(today, today + datetime.timedelta(days=BOOKING_HORIZON_WORKING_DAYS * 3))
        ).values_list("date", flat=True)
    )
    return working_days_after(today, count=BOOKING_HORIZON_WORKING_DAYS, holidays=holidays)


def _slot_take(
    *, centre: ServiceCentre, today: datetime.date, slot_id: int | None = None
) -> AppointmentSlot | None:
    """Take one place in a slot, or ``None`` when none is free.

    The increment is one conditional UPDATE, so two bookings racing for the
    last place cannot both get it; the check constraint backs it up.
    """
    days = booking_days(today=today)
    if slot_id is not None:
        candidates = AppointmentSlot.objects.filter(
            pk=slot_id,
            centre=centre,
            starts_at__gte=_aware(days[0], datetime.time.min),
        )
        for slot in candidates:
            if _slot_increment(slot):
                return slot
        return None
    for day in days:
        slots_ensure(centre=centre, day=day)
        start, end = day_bounds(day)
        free = AppointmentSlot.objects.filter(
            centre=centre, starts_at__gte=start, starts_at__lt=end, booked__lt=F("capacity")
        ).order_by("starts_at")
        for slot in free:
            if _slot_increment(slot):
                return slot
    return None


def _slot_increment(slot: AppointmentSlot) -> bool:
    taken = AppointmentSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(
        booked=F("booked") + 1
    )
    return bool(taken)


def _slot_release(slot: AppointmentSlot) -> None:
    AppointmentSlot.objects.filter(pk=slot.pk, booked__gt=0).update(booked=F("booked") - 1)


def _appointment_context(application: Application, appointment: Appointment) -> dict:
    return {
        "application": application,
        "appointment": appointment,
        "slot": appointment.slot,
        "centre": appointment.slot.centre,
    }


def _appointment_book(
    application: Application, *, actor: Person | None, now: datetime.datetime
) -> Appointment | None:
    slot = _slot_take(centre=application.preferred_centre, today=timezone.localdate(now))
    if slot is None:
        return None
    appointment = Appointment.objects.create(application=application, slot=slot)
    request_transition(application, to=S.APPOINTMENT_BOOKED, actor=actor, note=_slot_note(slot))
    notify(
        person=application.person,
        template="residency_appointment_booked",
        context=_appointment_context(application, appointment),
    )
    return appointment


def _slot_note(slot: AppointmentSlot) -> str:
    # Stored once and read in either language: the short form, written alike in both.
    local = timezone.localtime(slot.starts_at)
    return f"{formats.date_format(local, 'SHORT_DATETIME_FORMAT')} {slot.centre.name_en}"


@transaction.atomic
def appointment_book(*, application: Application, actor: Person | None = None, now=None):
    """Book the earliest free slot for an approved application that has none yet.

    Returns the appointment, or ``None`` when no slot is free within the horizon.
    """
    locked = _locked(application)
    _require_status(locked, S.APPROVED)
    return _appointment_book(locked, actor=actor, now=_now(now))


def _move(appointment: Appointment, *, new_slot: AppointmentSlot) -> None:
    _slot_release(appointment.slot)
    appointment.slot = new_slot


@transaction.atomic
def appointment_reschedule(
    *, application: Application, actor: Person, slot_id: int, now=None
) -> Appointment:
    """The applicant moves the appointment to another free slot (at most twice).

    The new slot may be at any open centre, on a day bookings are taken (never
    a holiday or a closed day).
    """
    now = _now(now)
    locked = _locked(application)
    _require_status(locked, S.APPOINTMENT_BOOKED)
    appointment = (
        Appointment.objects.select_for_update().select_related("slot").get(application=locked)
    )
    if appointment.collected_at is not None:
        raise ValidationError(_("The card has already been collected."), code="collected")
    if appointment.reschedules >= MAX_RESCHEDULES:
        raise ValidationError(
            _("You have already rescheduled %(count)d times; contact the service centre."),
            code="reschedule_limit",
            params={"count": MAX_RESCHEDULES},
        )
    if slot_id == appointment.slot_id:
        raise ValidationError(_("Choose a different time."), code="same_slot")
    # Any open centre will do: the person may collect the card somewhere else.
    target = (
        AppointmentSlot.objects.filter(pk=slot_id, centre__is_active=True)
        .select_related("centre")
        .first()
    )
    today = timezone.localdate(now)
    slot = None
    if target is not None and timezone.localdate(target.starts_at) in booking_days(today=today):
        slot = _slot_take(centre=target.centre, today=today, slot_id=slot_id)
    if slot is None:
        raise ValidationError(
            _("That time is no longer free. Choose another time."), code="slot_full"
        )
    _move(appointment, new_slot=slot)
    appointment.reschedules += 1
    appointment.save(update_fields=["slot", "reschedules"])
    request_event(locked, actor=actor, note=_slot_note(slot))
    notify(
        person=locked.person,
        template="residency_appointment_rescheduled",
        context=_appointment_context(locked, appointment),
    )
    return appointment


@transaction.atomic
def appointment_rebook(*, application: Application, actor: Person, now=None) -> Appointment:
    """After a no-show, the clerk books the earliest free slot at the same centre.

    A rebooking by staff does not use up the applicant's reschedules.
    """
    now = _now(now)
    locked = _locked(application)
    _require_status(locked, S.APPOINTMENT_BOOKED)
    appointment = (
        Appointment.objects.select_for_update().select_related("slot").get(application=locked)
    )
    slot = _slot_take(centre=appointment.slot.centre, today=timezone.localdate(now))
    if slot is None:
        raise ValidationError(
            _("No free slot in the coming weeks at this centre."), code="no_free_slot"
        )
    _move(appointment, new_slot=slot)
    appointment.save(update_fields=["slot"])
    request_event(
        locked,
        actor=actor,
        note=_("Rebooked after a missed appointment: %(slot)s") % {"slot": _slot_note(slot)},
    )
    notify(
        person=locked.person,
        template="residency_appointment_rescheduled",
        context=_appointment_context(locked, appointment),
    )
    return appointment


def appointment_send_reminders(*, today: datetime.date | None = None) -> int:
    """Text every applicant whose appointment is tomorrow; once per appointment time.

    Safe to run as often as wanted (cron, a task): an appointment already
    reminded for its current slot is skipped.
    """
    today = today or timezone.localdate()
    start, end = day_bounds(today + datetime.timedelta(days=1))
    due = Appointment.objects.filter(
        application__status=S.APPOINTMENT_BOOKED,
        collected_at__isnull=True,
        slot__starts_at__gte=start,
        slot__starts_at__lt=end,
    ).values_list("pk", flat=True)
    sent = 0
    for appointment_id in list(due):
        sent += _appointment_remind(appointment_id)
    return sent


@transaction.atomic
def _appointment_remind(appointment_id: int) -> int:
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__centre", "application__person")
        .get(pk=appointment_id)
    )
    if appointment.reminder_sent_for == appointment.slot.starts_at:
        return 0
    appointment.reminder_sent_for = appointment.slot.starts_at
    appointment.save(update_fields=["reminder_sent_for"])
    notify(
        person=appointment.application.person,
        template="residency_appointment_reminder",
        context=_appointment_context(appointment.application, appointment),
    )
    return 1


# --- Issuance ---------------------------------------------------------------------


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def application_record_collection(
    *, application: Application, actor: Person, card_number: str, now=None
) -> SmartCard:
    """The clerk hands over the card once its fee is paid: it is issued to the
    person and the application closes."""
    now = _now(now)
    today = timezone.localdate(now)
    locked = _locked(application)
    _require_status(locked, S.APPOINTMENT_BOOKED)
    unpaid = fee_unpaid_error(application=locked, kind=FeeKind.CARD)
    if unpaid is not None:
        raise unpaid
    card_number = _required_text(
        card_number, _("Enter the number printed on the card."), "card_number_required"
    )
    if SmartCard.objects.filter(number=card_number).exists():
        raise ValidationError(_("A card with this number already exists."), code="card_number")
    try:
        with transaction.atomic():
            card = SmartCard.objects.create(
                person=locked.person,
                number=card_number,
                kind=CardKind.PERMANENT_RESIDENCY,
                issued_on=today,
                expires_on=_add_years(today, CARD_VALIDITY_YEARS),
                status=CardStatus.VALID,
                chip_status=ChipStatus.ACTIVE,
            )
    except IntegrityError:
        raise ValidationError(
            _("This person already holds a valid permanent residency card."),
            code="card_exists",
        ) from None
    Appointment.objects.filter(application=locked).update(collected_at=now)
    request_transition(
        locked, to=S.CARD_ISSUED, actor=actor, note=_("Card %(number)s") % {"number": card.number}
    )
    notify(
        person=locked.person,
        template="residency_card_issued",
        context={"application": locked, "card": card},
    )
    return card
