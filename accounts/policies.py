"""Who may do what to an account (PRODUCT.md sections 3 and 8).

Views, admin and services ask these; none of them re-implements a rule.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountChangeRequest, Person

APPROVE_PERMISSION = "accounts.approve_mobile_change"
PROPOSE_PERMISSION = "accounts.add_accountchangerequest"


class PasswordResetHold:
    """After a mobile change, password reset is refused for 24 hours.

    A person whose number was moved without their knowing gets a day to
    notice the text sent to the old number before anyone can reset the
    password with codes sent to the new one (NIST SP 800-63B 6.1.2.3).
    """

    duration = datetime.timedelta(hours=24)

    def _now(self) -> datetime.datetime:
        return timezone.now()

    def allowed_at(self, person: Person) -> datetime.datetime | None:
        """When reset is allowed again, or None when it is allowed now."""
        if person.mobile_changed_at is None:
            return None
        until = person.mobile_changed_at + self.duration
        return until if until > self._now() else None

    def allows(self, person: Person) -> bool:
        return self.allowed_at(person) is None


password_reset_hold = PasswordResetHold()


def can_edit_person(user: Person, person: Person | None) -> bool:
    """Only superusers edit staff or superuser accounts; staff edit their own and citizens'."""
    if person is None or user.is_superuser or person.pk == user.pk:
        return True
    return not (person.is_staff or person.is_superuser)


def account_change_refusal(user: Person, change: AccountChangeRequest):
    """Why ``user`` may not decide ``change`` (a translated text), or None when they may."""
    if not user.has_perm(APPROVE_PERMISSION):
        return _("You do not have the permission to decide account change requests.")
    if user.pk == change.proposed_by_id:
        return _("Somebody else must decide a change you proposed.")
    if user.pk == change.person_id:
        return _("Somebody else must decide a change to your own account.")
    if not can_edit_person(user, change.person):
        return _("Only a superuser decides a change to a staff account.")
    return None
