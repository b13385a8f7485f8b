"""A worker killed while it sends: the attempt is on record before the provider
call, and the message (or one-time code) is sent again later with the same
idempotency key, so a provider that honours the key delivers it exactly once."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from accounts import otp
from accounts.constants import OTPPurpose
from accounts.models import SMSDevice
from accounts.otp import otp_retry_stale, otp_send, otp_verify
from messaging import notifications
from messaging.models import Notification
from messaging.notifications import notification_deliver, notification_retry_due
from tests.accounts.conftest import last_code
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after the provider call runs."""


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person():
    return PersonFactory(mobile="+97455123456", preferred_language="en")


def queued(person, **fields):
    return Notification.objects.create(
        person=person,
        template="account_created",
        language="en",
        subject="Welcome",
        body="Your account was created.",
        number=person.mobile,
        status="queued",
        **fields,
    )


def test_the_attempt_is_committed_before_the_provider_is_called(person, clock, monkeypatch):
    message = queued(person)
    seen = []

    def provider(**kwargs):
        row = Notification.objects.get(pk=message.pk)
        seen.append((row.status, row.attempts, row.attempt_started_at, kwargs["idempotency_key"]))
        return "SM1"

    monkeypatch.setattr(notifications, "sms_send", provider)
    notification_deliver(notification_id=message.pk)

    assert seen == [("sending", 1, START, message.idempotency_key)]
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.attempt_started_at is None
    assert message.provider_id == "SM1"


def test_a_message_whose_worker_died_is_sent_again_with_the_same_key_once_stale(
    person, clock, monkeypatch, settings
):
    settings.OUTBOX_STALE_AFTER = 60
    message = queued(person)
    calls = []

    def dying_provider(**kwargs):
        calls.append(kwargs["idempotency_key"])
        raise WorkerKilled

    monkeypatch.setattr(notifications, "sms_send", dying_provider)
    with pytest.raises(WorkerKilled):
        notification_deliver(notification_id=message.pk)
    message.refresh_from_db()
    assert message.status == "sending"

    def provider(**kwargs):
        calls.append(kwargs["idempotency_key"])
        return "SM2"

    monkeypatch.setattr(notifications, "sms_send", provider)
    clock.shift(datetime.timedelta(seconds=59))
    assert notification_retry_due() == 0  # the first worker may still be waiting
    notification_deliver(notification_id=message.pk)  # a repeated task changes nothing
    assert len(calls) == 1

    clock.shift(datetime.timedelta(seconds=1))
    assert notification_retry_due() == 1
    assert calls == [message.idempotency_key, message.idempotency_key]
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.attempts == 2
    assert notification_retry_due() == 0


def test_a_message_whose_task_was_lost_is_sent_by_the_sweep(person, clock, monkeypatch, settings):
    settings.OUTBOX_STALE_AFTER = 60
    message = queued(person, created_at=START)
    calls = []
    monkeypatch.setattr(notifications, "sms_send", lambda **kwargs: calls.append(kwargs) or "SM3")

    assert notification_retry_due() == 0
    clock.shift(datetime.timedelta(seconds=60))
    assert notification_retry_due() == 1
    assert len(calls) == 1
    message.refresh_from_db()
    assert message.status == "sent"


def test_each_message_has_its_own_key(person):
    first, second = queued(person), queued(person)
    assert first.idempotency_key != second.idempotency_key
    assert first.idempotency_key == Notification.objects.get(pk=first.pk).idempotency_key


def test_a_code_whose_delivery_died_is_texted_again_with_the_same_code_and_key(
    person, clock, monkeypatch, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STALE_AFTER = 60
    keys = []
    real_send = otp.sms_send

    def dying_provider(**kwargs):
        keys.append(kwargs["idempotency_key"])
        real_send(**kwargs)  # the provider accepted it...
        raise WorkerKilled  # ...and the worker died before recording that

    monkeypatch.setattr(otp, "sms_send", dying_provider)
    with django_capture_on_commit_callbacks(execute=False):
        device = otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    with pytest.raises(WorkerKilled):
        otp.otp_deliver(device_id=device.pk)  # what the task runs
    first_code = last_code(sms_outbox, person.mobile)
    device = SMSDevice.objects.get(user=person)
    assert device.delivered_at is None
    assert device.delivery_started_at == START

    def provider(**kwargs):
        keys.append(kwargs["idempotency_key"])
        return real_send(**kwargs)

    monkeypatch.setattr(otp, "sms_send", provider)
    clock.shift(datetime.timedelta(seconds=30))
    assert otp_retry_stale() == 0
    clock.shift(datetime.timedelta(seconds=30))
    assert otp_retry_stale() == 1

    assert keys[0] == keys[1]
    assert device.delivery_nonce not in keys[0]  # the code derives from it
    assert [m.body for m in sms_outbox] == [sms_outbox[0].body] * 2
    assert last_code(sms_outbox, person.mobile) == first_code
    device.refresh_from_db()
    assert device.delivered_at is not None
    assert device.valid_until == START + datetime.timedelta(minutes=5)
    assert otp_retry_stale() == 0
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=first_code)


def test_a_repeated_code_task_texts_nothing_more(
    person, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        device = otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    otp.otp_deliver(device_id=device.pk)
    assert len(sms_outbox) == 1


def test_codes_of_successive_challenges_differ(
    person, clock, sms_outbox, django_capture_on_commit_callbacks
):
    codes = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            otp_send(person=person, purpose=OTPPurpose.ESERVICES)
        codes.append(last_code(sms_outbox, person.mobile))
        clock.shift(datetime.timedelta(seconds=61))
    keys = {m.idempotency_key for m in sms_outbox}
    assert len(keys) == 3
    assert len(set(codes)) == 3


def test_the_outbox_sweep_sends_again_both_a_dead_message_and_a_dead_code(
    person, clock, settings, sms_outbox, django_capture_on_commit_callbacks
):
    settings.OUTBOX_STALE_AFTER = 60
    message = queued(person, attempts=1)
    Notification.objects.filter(pk=message.pk).update(status="sending", attempt_started_at=START)
    with django_capture_on_commit_callbacks(execute=False):  # the code's task is lost
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    clock.shift(datetime.timedelta(seconds=61))
    out = io.StringIO()
    call_command("outbox_retry", stdout=out)
    assert out.getvalue().strip() == "Retried 1 message(s) and 1 code(s)."
    assert len(sms_outbox) == 2
    assert "Your account was created." in [m.body for m in sms_outbox]
    assert Notification.objects.get(pk=message.pk).status == "sent"
