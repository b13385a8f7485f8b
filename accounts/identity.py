"""Online registration and password reset (PRODUCT.md section 3).

Both start with a QID and the card's expiry date, which proves the card is in
hand, and continue with a code texted to the mobile already in the register.
The portal never reveals whether a QID exists: the request only queues a task
with what was typed, and the look-up happens in the worker, so the page, its
status code and the work done before it is returned are the same for an
unknown QID, a wrong expiry date and an account that already exists.
"""

import datetime

from django.contrib.auth import password_validation
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.constants import CardStatus, OTPPurpose
from accounts.lockout import qid_unlock
from accounts.models import Person
from accounts.notifications import notify
from accounts.otp import OTPCheck, OTPRefused, otp_send, otp_verify

IDENTITY_PURPOSES = (OTPPurpose.REGISTRATION, OTPPurpose.PASSWORD_RESET)


def identity_start(*, qid: str, card_expiry: datetime.date, purpose: str) -> None:
    """Queue the look-up and the code; identical work whatever was typed."""
    from accounts.tasks import registration_code_task

    transaction.on_commit(
        lambda: registration_code_task.enqueue(
            qid=qid, card_expiry=card_expiry.isoformat(), purpose=purpose
        )
    )


def identity_match(*, qid: str, purpose: str, card_expiry: datetime.date | None = None):
    """The person these details belong to, if the flow may continue for them."""
    people = Person.objects.filter(qid=qid, is_active=True)
    if card_expiry is not None:
        people = people.filter(
            cards__expires_on=card_expiry,
            cards__status=CardStatus.VALID,
            cards__expires_on__gte=timezone.localdate(),
        )
    person = people.first()
    if person is None or not person.mobile:
        return None
    if purpose == OTPPurpose.REGISTRATION and person.has_online_account:
        return None
    if purpose == OTPPurpose.PASSWORD_RESET and not person.has_online_account:
        return None
    return person


def identity_code_send(*, qid: str, card_expiry: str, purpose: str) -> None:
    """Runs in the worker: text a code when the details match; otherwise nothing."""
    person = identity_match(
        qid=qid, purpose=purpose, card_expiry=datetime.date.fromisoformat(card_expiry)
    )
    if person is None:
        return
    try:
        otp_send(person=person, purpose=purpose)
    except OTPRefused:
        return


def identity_verify(*, qid: str, purpose: str, code: str) -> tuple[Person | None, OTPCheck]:
    person = identity_match(qid=qid, purpose=purpose)
    if person is None:
        return None, OTPCheck(False, "wrong", 0)
    return person, otp_verify(person=person, purpose=purpose, code=code)


@transaction.atomic
def account_register(*, person: Person, password: str) -> Person:
    """Give a register row its online account. Refuses an account that exists."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.has_online_account:
        raise ValueError("This person already has an online account.")
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.registered_at = timezone.now()
    person.save(update_fields=["password", "registered_at"])
    notify(person=person, template="account_created")
    return person


@transaction.atomic
def password_reset_complete(*, person: Person, password: str) -> Person:
    """Set a new password, end every session of the person and lift a sign-in lock."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.session_generation = F("session_generation") + 1
    person.save(update_fields=["password", "session_generation"])
    person.refresh_from_db(fields=["session_generation"])
    qid_unlock(person.qid)
    notify(person=person, template="password_changed")
    return person


@transaction.atomic
def person_sign_out_everywhere(*, person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
