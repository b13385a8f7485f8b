"""The one code policy (``accounts.otp.CodePolicy``) with its clock moved by
overriding ``_now()``, and the SMS device answering django-otp's questions
through it."""

import datetime

import pytest

from accounts.constants import OTPPurpose
from accounts.otp import CodePolicy, code_policy, otp_device, otp_send
from tests.accounts.conftest import last_code
from tests.factories import PersonFactory

T0 = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)


class FrozenPolicy(CodePolicy):
    def __init__(self, now):
        self.now = now

    def _now(self):
        return self.now


def test_a_code_can_be_checked_until_five_minutes_after_it_was_sent():
    policy = FrozenPolicy(T0 + 5 * MINUTE)
    valid_until = policy.valid_until(T0)
    assert policy.verify_is_allowed(failures=0, valid_until=valid_until) == (True, None)
    policy.now += datetime.timedelta(seconds=1)
    assert policy.verify_is_allowed(failures=0, valid_until=valid_until) == (
        False,
        {"reason": "expired", "expired_at": T0 + 5 * MINUTE},
    )


def test_the_fifth_wrong_code_voids_the_challenge_and_only_a_new_code_resets_the_count():
    policy = FrozenPolicy(T0)
    valid_until = policy.valid_until(T0)
    assert policy.verify_is_allowed(failures=4, valid_until=valid_until)[0]
    assert policy.tries_left(4) == 1
    assert policy.verify_is_allowed(failures=5, valid_until=valid_until) == (
        False,
        {"reason": "void", "failure_count": 5},
    )
    assert policy.tries_left(5) == 0
    assert policy.failures_for_new_code(4) == 4
    assert policy.failures_for_new_code(5) == 0


def test_no_code_waiting_is_its_own_reason():
    assert FrozenPolicy(T0).verify_is_allowed(failures=0, valid_until=None) == (
        False,
        {"reason": "no_code"},
    )


def test_a_new_code_waits_a_minute_after_the_last_one():
    policy = FrozenPolicy(T0 + datetime.timedelta(seconds=59))
    assert policy.generate_is_allowed(last_sent_at=T0) == (
        False,
        {"reason": "cooldown", "next_allowed_at": T0 + MINUTE},
    )
    policy.now = T0 + MINUTE
    assert policy.generate_is_allowed(last_sent_at=T0) == (True, None)
    assert policy.generate_is_allowed(last_sent_at=None) == (True, None)


def test_five_codes_an_hour_per_person_and_ten_a_day_per_number():
    policy = FrozenPolicy(T0 + 10 * MINUTE)
    person_sends = [T0 + minute * MINUTE for minute in (4, 3, 2, 1, 0)]
    assert policy.generate_is_allowed(last_sent_at=T0, sent={"person_limit": person_sends}) == (
        False,
        {"reason": "person_limit", "next_allowed_at": T0 + datetime.timedelta(hours=1)},
    )
    assert policy.generate_is_allowed(last_sent_at=T0, sent={"person_limit": person_sends[:4]})[0]

    policy.now = T0 + datetime.timedelta(hours=20)
    number_sends = [T0 + hour * datetime.timedelta(hours=1) for hour in range(9, -1, -1)]
    assert policy.generate_is_allowed(last_sent_at=None, sent={"number_limit": number_sends}) == (
        False,
        {"reason": "number_limit", "next_allowed_at": T0 + datetime.timedelta(days=1)},
    )
    policy.now = T0 + datetime.timedelta(days=1)
    assert policy.generate_is_allowed(last_sent_at=None, sent={"number_limit": number_sends})[0]


def test_settings_override_the_named_defaults(settings):
    settings.ACCOUNTS_OTP_MAX_FAILURES = 3
    settings.ACCOUNTS_OTP_RESEND_AFTER = datetime.timedelta(seconds=30)
    policy = FrozenPolicy(T0 + datetime.timedelta(seconds=30))
    assert policy.tries_left(0) == 3
    assert policy.generate_is_allowed(last_sent_at=T0) == (True, None)
    assert not policy.verify_is_allowed(failures=3, valid_until=policy.valid_until(T0))[0]


@pytest.mark.django_db
def test_the_sms_device_answers_django_otps_questions_through_the_policy(
    monkeypatch, django_capture_on_commit_callbacks, sms_outbox
):
    person = PersonFactory(mobile="+97455123456", preferred_language="en")
    now = {"at": T0}
    monkeypatch.setattr(code_policy, "_now", lambda: now["at"])
    monkeypatch.setattr("django.utils.timezone.now", lambda: now["at"])

    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    device = otp_device(person=person, purpose=OTPPurpose.ESERVICES)
    code = last_code(sms_outbox)
    assert device.requested_at == T0
    assert device.valid_until == T0 + 5 * MINUTE
    assert device.generate_is_allowed() == (
        False,
        {"reason": "cooldown", "next_allowed_at": T0 + MINUTE},
    )
    assert device.verify_is_allowed() == (True, None)

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert device.verify_token(wrong) is False
    assert device.failures == 1
    assert device.verify_token(code) is True
    assert device.verify_is_allowed() == (False, {"reason": "no_code"})  # spent

    now["at"] = T0 + MINUTE
    assert device.generate_is_allowed() == (True, None)
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    device.refresh_from_db()
    now["at"] = T0 + 6 * MINUTE + datetime.timedelta(seconds=1)
    assert device.verify_is_allowed()[1]["reason"] == "expired"
    assert device.verify_token(last_code(sms_outbox)) is False
