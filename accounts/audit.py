"""Who among staff looked at a person's data, and what support staff did.

Every staff view of a person's record or document writes a ``PersonDataAccess``
row; the person sees the office and the time on their security page. Support
agents give a reason once per session before they open any record.
"""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_noop

from accounts import roles
from accounts.constants import OTPPurpose
from accounts.identity import person_sign_out_everywhere
from accounts.lockout import qid_unlock
from accounts.models import Person, PersonDataAccess, StaffAction
from accounts.otp import OTPRefused, otp_send
from accounts.security_log import security_event

REASON_SESSION_KEY = "pii_reason"
OFFICE_ORDER = [roles.REVIEWER, roles.CLERK, roles.SUPPORT, roles.ADMINISTRATOR]


def staff_office(staff: Person) -> str:
    """The office shown to the person: the staff member's group, never their name."""
    names = {group.name for group in staff.groups.all()}
    for name in OFFICE_ORDER:
        if name in names:
            return name
    return roles.ADMINISTRATOR if staff.is_superuser else gettext_noop("Ministry staff")


def needs_reason(staff: Person) -> bool:
    return staff.groups.filter(name=roles.SUPPORT).exists()


def data_access_record(*, actor: Person, person: Person, what, reason: str = "") -> None:
    """Log a staff view of ``person``'s data. ``what`` is a callable returning a
    translatable text: it is stored in English and each page shows it in its own
    language (``translated_label``), so an English page never shows Arabic."""
    if actor.pk == person.pk:
        return
    with translation.override("en"):
        label = str(what())[:120]
    PersonDataAccess.objects.create(
        staff=actor, person=person, office=staff_office(actor), what=label, reason=reason
    )
    security_event(None, "staff.record_view", person=actor, subject_person_id=person.pk)


def data_access_list(*, person: Person, limit: int = 50):
    return list(
        PersonDataAccess.objects.filter(person=person).values("office", "what", "at")[:limit]
    )


def _act(staff: Person, person: Person, action: str, note: str = "") -> None:
    StaffAction.objects.create(staff=staff, person=person, action=action, note=note)
    security_event(None, "staff.action", person=staff, subject_person_id=person.pk, action=action)


@transaction.atomic
def support_unlock(*, actor: Person, person: Person) -> None:
    qid_unlock(person.qid)
    _act(actor, person, "unlock")


@transaction.atomic
def support_end_sessions(*, actor: Person, person: Person) -> None:
    person_sign_out_everywhere(person=person)
    _act(actor, person, "end_sessions")


def support_resend_registration_code(*, actor: Person, person: Person) -> None:
    """Text a registration code to a person who has no online account yet.

    Raises ``OTPRefused`` when the sending limits apply or the person already
    has an account (registration would refuse them anyway).
    """
    if person.has_online_account:
        raise OTPRefused("This person already has an online account.", code="has_account")
    otp_send(person=person, purpose=OTPPurpose.REGISTRATION)
    _act(actor, person, "resend_registration_code")
