"""Changes to what sign-in and one-time codes depend on (PRODUCT.md section 3).

The registered mobile receives every code, so whoever controls it can reset
the password. A mobile number therefore changes in one place,
:func:`mobile_change_apply`, whether the person confirmed codes on the old and
the new number themselves or two staff members agreed (maker-checker, see
``AccountChangeRequest``). Whoever makes the change, the old number is told,
every session ends, every open code dies and password reset waits 24 hours
(``accounts.policies.PasswordResetHold``). Lost staff second-factor devices
are reset only through the same two-person request.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from accounts.constants import AccountChangeKind, AccountChangeStatus, OTPEventKind
from accounts.models import AccountChangeRequest, OTPEvent, Person, SMSDevice, StaffAction
from accounts.policies import PROPOSE_PERMISSION, account_change_refusal, password_reset_hold
from accounts.services import request_create, request_transition
from messaging.notifications import notify


class AccountChangeRefused(ValidationError):
    """The change cannot be proposed or decided; the message says why. Nothing was changed."""


def codes_void(*, person: Person) -> int:
    """Kill every code waiting for ``person``, whatever its purpose or number."""
    now = timezone.now()
    open_devices = list(SMSDevice.objects.filter(user=person).exclude(token_hash=""))
    OTPEvent.objects.bulk_create(
        OTPEvent(
            person=person,
            purpose=device.purpose,
            number=device.number,
            kind=OTPEventKind.VOIDED,
            created_at=now,
        )
        for device in open_devices
    )
    return SMSDevice.objects.filter(pk__in=[d.pk for d in open_devices]).update(
        token_hash="", valid_until=None
    )


@transaction.atomic
def mobile_change_apply(*, person: Person, new_mobile: str, reference: str) -> Person:
    """Move ``person``'s codes to ``new_mobile``: the one place a registered mobile changes.

    Callers have already confirmed the change (codes on both numbers, or a
    second staff member's approval); ``reference`` names the request that did.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    old_mobile = person.mobile
    if new_mobile == old_mobile:
        raise AccountChangeRefused(
            _("This is already the registered number."), code="mobile_unchanged"
        )
    person.mobile = new_mobile
    person.mobile_changed_at = timezone.now()
    person.session_generation = F("session_generation") + 1
    person.save(update_fields=["mobile", "mobile_changed_at", "session_generation"])
    person.refresh_from_db(fields=["session_generation"])
    codes_void(person=person)
    notify(
        person=person,
        template="account_mobile_changed",
        context={"reference": reference, "old_mobile": old_mobile},
    )
    if old_mobile:
        notify(
            person=person,
            template="account_mobile_changed_old_number",
            context={"reference": reference, "reset_pause": password_reset_hold.duration},
            number=old_mobile,
        )
    return person


def second_factor_devices_reset(*, person: Person) -> int:
    """Delete every second-factor device of ``person`` (TOTP, backup codes...), not the
    SMS code devices; the person enrols again at the next staff sign-in."""

    removed = 0
    for device in list(devices_for_user(person, confirmed=None)):
        if not isinstance(device, SMSDevice):
            device.delete()
            removed += 1
    return removed


@transaction.atomic
def account_change_propose(
    *,
    person: Person,
    kind: str,
    actor: Person,
    reason: str,
    new_mobile: str = "",
) -> AccountChangeRequest:
    """Ask a second person to approve a change to ``person``'s account.

    ``actor`` is a staff member with the propose permission, or the person
    themselves (a lost old number, with the new number confirmed by a code).
    """
    if actor.pk != person.pk and not actor.has_perm(PROPOSE_PERMISSION):
        raise AccountChangeRefused(
            _("You do not have the permission to propose account changes."), code="no_permission"
        )
    if not reason.strip():
        raise AccountChangeRefused(_("Give the reason for the change."), code="reason_missing")
    if kind == AccountChangeKind.MOBILE:
        if not new_mobile:
            raise AccountChangeRefused(_("Enter the new mobile number."), code="mobile_missing")
        if new_mobile == person.mobile:
            raise AccountChangeRefused(
                _("This is already the registered number."), code="mobile_unchanged"
            )
    elif kind == AccountChangeKind.SECOND_FACTOR_RESET:
        if not person.is_staff:
            raise AccountChangeRefused(
                _("Only staff members have second-factor devices."), code="not_staff"
            )
        new_mobile = ""
    else:
        raise AccountChangeRefused(_("Unknown kind of change."), code="unknown_kind")
    change = AccountChangeRequest(
        person=person, kind=kind, new_mobile=new_mobile, reason=reason.strip(), proposed_by=actor
    )
    try:
        with transaction.atomic():
            request_create(change, actor=actor)
    except IntegrityError:
        raise AccountChangeRefused(
            _("A request of this kind for this person is already waiting for approval."),
            code="already_proposed",
        ) from None
    if actor.pk != person.pk:
        StaffAction.objects.create(
            staff=actor, person=person, action=f"propose_{kind}", note=change.reference
        )
    if kind == AccountChangeKind.MOBILE and person.mobile:
        notify(
            person=person,
            template="account_mobile_change_proposed",
            context={"reference": change.reference},
        )
    return change


@transaction.atomic
def account_change_decide(
    *, change: AccountChangeRequest, approve: bool, actor: Person, note: str = ""
) -> AccountChangeRequest:
    """A second staff member approves (the change is made) or rejects (with a reason)."""
    refusal = account_change_refusal(actor, change)
    if refusal:
        raise AccountChangeRefused(refusal, code="not_allowed")
    note = note.strip()
    if not approve and not note:
        raise AccountChangeRefused(
            _("Give the reason for the rejection; the person will read it."), code="reason_missing"
        )
    change.decided_by = actor
    to = AccountChangeStatus.APPROVED if approve else AccountChangeStatus.REJECTED
    request_transition(change, to=to, actor=actor, note=note, update_fields=["decided_by"])
    StaffAction.objects.create(
        staff=actor,
        person=change.person,
        action=f"{to}_{change.kind}",
        note=change.reference,
    )
    if not approve:
        notify(
            person=change.person,
            template="account_change_rejected",
            context={"change": change, "reason": note},
            sms=False,
        )
        return change
    if change.kind == AccountChangeKind.MOBILE:
        mobile_change_apply(
            person=change.person, new_mobile=change.new_mobile, reference=change.reference
        )
    else:
        second_factor_devices_reset(person=change.person)
    return change
