"""Online registration and password reset (PRODUCT.md section 3).

Both start with a QID and the card's expiry date, which proves the card is in
hand, and continue with a code texted to the mobile already in the register.
The portal never reveals whether a QID exists: the request only queues a task
with what was typed, and the look-up happens in the worker, so the page, its
status code and the work done before it is returned are the same for an
unknown QID, a wrong expiry date and an account that already exists. A reset
paused after a mobile change (``accounts.policies.PasswordResetHold``) looks
the same: no code is sent, and the page says what it says to everyone.
"""

import datetime

from django.contrib.auth import password_validation
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts import conf
from accounts.constants import CardStatus, OTPPurpose
from accounts.lockout import qid_unlock
from accounts.models import IdentityFlow, Person
from accounts.otp import OTPCheck, OTPRefused, otp_send, otp_verify
from accounts.passwords import normalize_password
from accounts.policies import password_reset_hold
from accounts.security_log import security_event
from accounts.tasks import identity_code_task
from messaging.notifications import notify


class AccountExists(Exception):
    """The online account was created meanwhile (a double submit or a second tab)."""


def _flow_start_cutoff() -> datetime.datetime:
    return timezone.now() - conf.settings.ACCOUNTS_IDENTITY_FLOW_LIFETIME


def identity_start(*, qid: str, card_expiry: datetime.date, purpose: str) -> IdentityFlow:
    """Record what was typed and queue the look-up: identical work whatever was typed.

    Only the flow's id goes through the task queue, never the QID or the date.
    """
    IdentityFlow.objects.filter(created_at__lt=_flow_start_cutoff()).delete()
    flow = IdentityFlow.objects.create(purpose=purpose, qid=qid, card_expiry=card_expiry)
    transaction.on_commit(lambda: identity_code_task.enqueue(flow_id=str(flow.pk)))
    return flow


def identity_match(*, qid: str, purpose: str, card_expiry: datetime.date):
    """The person these details belong to, if the flow may continue for them."""
    person = (
        Person.objects.filter(
            qid=qid,
            is_active=True,
            cards__expires_on=card_expiry,
            cards__status=CardStatus.VALID,
            cards__expires_on__gte=timezone.localdate(),
        )
        .exclude(mobile="")
        .first()
    )
    if person is None:
        return None
    if purpose == OTPPurpose.REGISTRATION and person.has_online_account:
        return None
    if purpose == OTPPurpose.PASSWORD_RESET and not (
        person.has_online_account and password_reset_hold.allows(person)
    ):
        return None
    return person


def identity_code_send(*, flow_id: str) -> None:
    """Runs in the worker: text a code when the details match; otherwise nothing."""
    flow = IdentityFlow.objects.filter(pk=flow_id).first()
    if flow is None:
        return
    person = identity_match(qid=flow.qid, purpose=flow.purpose, card_expiry=flow.card_expiry)
    if person is None:
        return
    IdentityFlow.objects.filter(pk=flow.pk).update(person=person)
    try:
        otp_send(person=person, purpose=flow.purpose)
    except OTPRefused:
        return


def identity_resend(*, flow_id: str) -> None:
    """Queue a new code for the same flow (the worker checks the limits)."""
    transaction.on_commit(lambda: identity_code_task.enqueue(flow_id=flow_id))


def identity_verify(*, flow_id: str, purpose: str, code: str) -> tuple[Person | None, OTPCheck]:
    """Check a code for this flow only: a flow whose details did not match, or
    that belongs to another session, never touches anyone's code."""
    flow = (
        IdentityFlow.objects.filter(
            pk=flow_id,
            purpose=purpose,
            created_at__gte=_flow_start_cutoff(),
            person__isnull=False,
        )
        .select_related("person")
        .first()
    )
    if flow is None:
        return None, OTPCheck(False, "wrong", 0)
    return flow.person, otp_verify(person=flow.person, purpose=flow.purpose, code=code)


@transaction.atomic
def account_register(*, person: Person, password: str) -> Person:
    """Give a register row its online account. Refuses an account that exists."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.has_online_account:
        raise AccountExists
    password = normalize_password(password)
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.registered_at = timezone.now()
    person.save(update_fields=["password", "registered_at"])
    security_event(None, "account.registered", person=person)
    notify(person=person, template="account_created")
    return person


@transaction.atomic
def password_reset_complete(*, person: Person, password: str) -> Person:
    """Set a new password, end every session of the person and lift a sign-in lock."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    password = normalize_password(password)
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.session_generation = F("session_generation") + 1
    person.save(update_fields=["password", "session_generation"])
    person.refresh_from_db(fields=["session_generation"])
    qid_unlock(person.qid)
    security_event(None, "password.reset", person=person)
    security_event(None, "sessions.ended", person=person, cause="password_reset")
    notify(person=person, template="password_changed")
    return person


@transaction.atomic
def person_sign_out_everywhere(*, person: Person) -> None:
    Person.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
    security_event(None, "sessions.ended", person=person, cause="sign_out_everywhere")


class WrongPassword(Exception):
    """The current password given to change it was not right."""


@transaction.atomic
def password_change(*, person: Person, current_password: str, new_password: str) -> Person:
    """Change a signed-in person's password (after a code step-up).

    The other sessions end: the session hash includes the password. The
    person is told by SMS and in the inbox, so a change they did not make is
    noticed.
    """
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not person.check_password(current_password):
        raise WrongPassword
    password_validation.validate_password(new_password, person)
    person.set_password(new_password)
    person.save(update_fields=["password"])
    notify(person=person, template="password_changed_signed_in")
    security_event(None, "password.changed", person=person)
    return person


@transaction.atomic
def person_language_set(*, person: Person, language: str) -> Person:
    """The language of the person's text messages, inbox messages and e-mail."""
    Person.objects.filter(pk=person.pk).update(preferred_language=language)
    person.preferred_language = language
    return person


# --- E-mail address for copies of messages --------------------------------

EMAIL_VERIFY_SALT = "accounts.email-verify"


class EmailLinkInvalid(Exception):
    """The link is broken, expired, someone else's or already superseded."""


def email_verification_send(*, person: Person, email: str, link_for) -> None:
    """E-mail a signed link to ``email``; the address counts only once it is opened.

    The token names the person and the address they had when it was made, so
    it dies once any address is confirmed. It goes straight to the mail
    server, never through the task queue, where it would be stored.
    """
    token = signing.dumps(
        {"person": person.pk, "email": email, "was": person.email}, salt=EMAIL_VERIFY_SALT
    )
    with translation.override(person.preferred_language):
        text = render_to_string(
            "accounts/email/verify.txt",
            {
                "person": person,
                "url": link_for(token),
                "validity": conf.settings.ACCOUNTS_EMAIL_LINK_VALIDITY,
            },
            using="text",
        )
    subject, _newline, body = text.partition("\n")
    transaction.on_commit(
        lambda: send_mail(subject.strip(), body.strip(), from_email=None, recipient_list=[email])
    )


@transaction.atomic
def email_verify(*, person: Person, token: str) -> Person:
    try:
        data = signing.loads(
            token,
            salt=EMAIL_VERIFY_SALT,
            max_age=conf.settings.ACCOUNTS_EMAIL_LINK_VALIDITY.total_seconds(),
        )
    except signing.BadSignature as error:
        raise EmailLinkInvalid from error
    person = Person.objects.select_for_update().get(pk=person.pk)
    if data.get("person") != person.pk or data.get("was") != person.email:
        raise EmailLinkInvalid
    person.email = data["email"]
    person.email_verified_at = timezone.now()
    person.save(update_fields=["email", "email_verified_at"])
    notify(person=person, template="email_added", context={"email": person.email})
    security_event(None, "email.verified", person=person)
    return person


@transaction.atomic
def email_remove(*, person: Person) -> Person:
    Person.objects.filter(pk=person.pk).update(email="", email_verified_at=None)
    person.email, person.email_verified_at = "", None
    return person
