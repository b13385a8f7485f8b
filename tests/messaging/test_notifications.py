"""The notification outbox (PRODUCT.md section 7): notify, delivery, retries, callbacks, inbox."""

import datetime
import re
from urllib.parse import urlencode

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from twilio.request_validator import RequestValidator

from messaging import notifications, sms
from messaging.models import Notification
from messaging.notifications import notification_deliver, notification_retry_due, notify
from messaging.sms import SMSError
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
AUTH_TOKEN = "made-up-auth-token-for-callbacks"
PUBLIC_BASE_URL = "https://eservices.example.org"
CALLBACK_PATH = "/sms/status-callback"
CALLBACK_URL = PUBLIC_BASE_URL + CALLBACK_PATH
PROVIDER_ID = "SM" + "0123456789abcdef" * 2
INBOX = "/en/accounts/messages/"
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


class Boom(Exception):
    pass


@pytest.fixture
def outbox():
    sms.locmem_outbox.clear()
    yield sms.locmem_outbox
    sms.locmem_outbox.clear()


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person():
    return PersonFactory(mobile="+97455123456", preferred_language="en", name_en="Mariam Khalid")


@pytest.fixture
def failing_provider(monkeypatch):
    """The SMS provider refuses every message; ``calls`` records each attempt."""
    calls = []

    def refuse(**kwargs):
        calls.append(kwargs)
        raise SMSError("TwilioRestException")

    monkeypatch.setattr(notifications, "sms_send", refuse)
    return calls


def add_message(person, *, subject, created_at, **fields):
    """A message already in the outbox; sent by SMS unless ``fields`` say otherwise."""
    fields = {"status": "sent", "number": person.mobile, **fields}
    return Notification.objects.create(
        person=person,
        template="account_created",
        language=person.preferred_language,
        subject=subject,
        body=f"Body of {subject}",
        created_at=created_at,
        **fields,
    )


# --- notify -----------------------------------------------------------------


def test_notify_in_a_transaction_that_rolls_back_leaves_no_message_and_sends_nothing(
    person, outbox, django_capture_on_commit_callbacks
):
    def notify_then_fail():
        with transaction.atomic():
            notify(person=person, template="account_created")
            raise Boom

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Boom):
        notify_then_fail()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert outbox == []


def test_notify_sends_the_sms_only_after_the_transaction_commits(
    person, outbox, clock, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template="account_created")
        assert outbox == []
        assert Notification.objects.get().status == "queued"

    [sent] = outbox
    notification.refresh_from_db()
    assert sent.to == "+97455123456"
    assert sent.body == notification.body
    assert notification.status == "sent"
    assert notification.provider_id == sent.provider_id
    assert notification.attempts == 1
    assert notification.sent_at == START
    assert notification.next_attempt_at is None


def test_notify_renders_the_message_in_english_for_an_english_speaker(
    person, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=person, template="account_created")

    notification = Notification.objects.get()
    assert notification.language == "en"
    assert notification.subject == "Your online account is ready"
    assert notification.body.startswith(
        "Ministry of Interior: Mariam Khalid, your e-services account has been created."
    )
    assert outbox[0].body == notification.body


def test_notify_renders_the_message_in_arabic_for_an_arabic_speaker(
    outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(
        mobile="+97455123457", preferred_language="ar", name_en="Mariam Khalid", name_ar="مريم خالد"
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(person=person, template="account_created")

    notification = Notification.objects.get()
    assert notification.language == "ar"
    assert "مريم خالد" in notification.body
    assert "Mariam Khalid" not in notification.body
    # The template's own words are Arabic, not only the name put into them.
    assert ARABIC_LETTER.search(notification.subject), notification.subject
    assert notification.subject != "Your online account is ready"
    assert "Ministry of Interior" not in notification.body
    assert "your e-services account" not in notification.body
    assert outbox[0].body == notification.body


@pytest.mark.parametrize(
    ("mobile", "sms_requested"),
    [("", True), ("+97455123456", False)],
    ids=["person-without-mobile", "inbox-only-message"],
)
def test_a_message_without_sms_goes_to_the_inbox_only(
    outbox, django_capture_on_commit_callbacks, mobile, sms_requested
):
    person = PersonFactory(mobile=mobile, preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(person=person, template="password_changed", sms=sms_requested)

    assert callbacks == []
    assert outbox == []
    assert notification.sms is False
    assert notification.number == ""
    assert notification.status == "delivered"


# --- Retries ----------------------------------------------------------------


def test_a_failed_send_is_retried_with_exponential_backoff_then_given_up_after_5_attempts(
    person, clock, failing_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template="account_created")

    delays = []
    for attempt in range(1, 5):
        notification.refresh_from_db()
        assert notification.attempts == attempt
        assert notification.status == "queued"
        assert notification.last_error == "TwilioRestException"
        attempted_at = datetime.datetime.now(tz=datetime.UTC)
        delays.append((notification.next_attempt_at - attempted_at).total_seconds())

        clock.move_to(notification.next_attempt_at - datetime.timedelta(seconds=1))
        assert notification_retry_due() == 0
        assert len(failing_provider) == attempt

        clock.move_to(notification.next_attempt_at)
        assert notification_retry_due() == 1
        assert len(failing_provider) == attempt + 1

    assert delays == [30, 60, 120, 240]
    notification.refresh_from_db()
    assert notification.attempts == 5
    assert notification.status == "failed"
    assert notification.next_attempt_at is None

    clock.shift(datetime.timedelta(days=1))
    assert notification_retry_due() == 0
    assert len(failing_provider) == 5


@pytest.mark.parametrize(
    ("failures", "delay_seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240)],
)
def test_next_attempt_waits_30_seconds_doubled_for_each_earlier_failure(
    person, clock, failing_provider, failures, delay_seconds
):
    notification = add_message(
        person, subject="Pending", created_at=START, status="queued", attempts=failures - 1
    )

    notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.attempts == failures
    assert notification.status == "queued"
    assert notification.next_attempt_at == START + datetime.timedelta(seconds=delay_seconds)


def test_a_message_is_not_sent_before_its_retry_time(person, clock, outbox):
    due_at = START + datetime.timedelta(seconds=30)
    notification = add_message(
        person,
        subject="Pending",
        created_at=START,
        status="queued",
        attempts=1,
        next_attempt_at=due_at,
    )

    notification_deliver(notification_id=notification.pk)
    assert notification_retry_due() == 0

    assert outbox == []
    notification.refresh_from_db()
    assert notification.status == "queued"
    assert notification.attempts == 1


def test_a_retry_that_succeeds_marks_the_message_sent_and_clears_the_error(
    person, clock, outbox, failing_provider, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template="account_created")
    monkeypatch.setattr(notifications, "sms_send", sms.sms_send)  # the provider recovers

    clock.move_to(START + datetime.timedelta(seconds=30))
    assert notification_retry_due() == 1

    notification.refresh_from_db()
    [sent] = outbox
    assert notification.status == "sent"
    assert notification.attempts == 2
    assert notification.provider_id == sent.provider_id
    assert notification.last_error == ""
    assert notification.next_attempt_at is None
    assert notification.sent_at == START + datetime.timedelta(seconds=30)


def test_retrying_does_not_send_a_message_that_was_already_sent(person, clock, outbox):
    add_message(person, subject="Done", created_at=START, next_attempt_at=START)

    assert notification_retry_due() == 0
    assert outbox == []


# --- Status callbacks --------------------------------------------------------


@pytest.fixture
def callback_settings(settings):
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    return settings


def twilio_report(status, provider_id=PROVIDER_ID):
    return {
        "SmsSid": provider_id,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": "+97455123456",
        "MessageSid": provider_id,
        "AccountSid": "AC" + "fedcba9876543210" * 2,
        "From": "+97444000000",
        "ApiVersion": "2010-04-01",
    }


def sign(params, *, token=AUTH_TOKEN, url=CALLBACK_URL):
    return RequestValidator(token).compute_signature(url, params)


def post_report(client, params, signature=None):
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    return client.post(
        CALLBACK_PATH,
        data=urlencode(params),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


@pytest.mark.parametrize(
    ("status_before", "reported", "status_after"),
    [
        ("sent", "delivered", "delivered"),
        ("sent", "undelivered", "failed"),
        ("sent", "failed", "failed"),
        ("sent", "sent", "sent"),
        ("delivered", "sent", "delivered"),
        ("delivered", "undelivered", "delivered"),
        ("failed", "sent", "failed"),
    ],
)
def test_a_signed_delivery_report_moves_the_message_forward_never_back(
    client, callback_settings, person, status_before, reported, status_after
):
    notification = add_message(
        person, subject="Hello", created_at=START, status=status_before, provider_id=PROVIDER_ID
    )
    params = twilio_report(reported)

    response = post_report(client, params, sign(params))

    assert response.status_code == 204
    notification.refresh_from_db()
    assert notification.status == status_after


def test_a_late_sent_report_never_undoes_delivered(client, callback_settings, person):
    notification = add_message(person, subject="Hello", created_at=START, provider_id=PROVIDER_ID)

    for reported in ("delivered", "sent"):
        params = twilio_report(reported)
        assert post_report(client, params, sign(params)).status_code == 204

    notification.refresh_from_db()
    assert notification.status == "delivered"


def test_a_report_changes_only_the_message_with_that_provider_id(client, callback_settings, person):
    mine = add_message(person, subject="Mine", created_at=START, provider_id=PROVIDER_ID)
    other = add_message(person, subject="Other", created_at=START, provider_id="SM" + "1" * 32)
    params = twilio_report("delivered")

    post_report(client, params, sign(params))

    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.status, other.status) == ("delivered", "sent")


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(None, id="no-signature"),
        pytest.param("", id="empty-signature"),
        pytest.param("bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==", id="made-up-signature"),
        pytest.param(sign(twilio_report("delivered"), token="another-token"), id="other-token"),
        pytest.param(
            sign(twilio_report("delivered"), url="http://testserver" + CALLBACK_PATH),
            id="signed-for-another-url",
        ),
        pytest.param(sign(twilio_report("sent")), id="signed-for-other-params"),
    ],
)
def test_a_report_without_a_valid_signature_is_refused_and_changes_nothing(
    client, callback_settings, person, signature
):
    notification = add_message(person, subject="Hello", created_at=START, provider_id=PROVIDER_ID)

    response = post_report(client, twilio_report("delivered"), signature)

    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.status == "sent"


def test_reports_are_refused_when_no_auth_token_is_configured(client, callback_settings, person):
    callback_settings.TWILIO_AUTH_TOKEN = ""
    notification = add_message(person, subject="Hello", created_at=START, provider_id=PROVIDER_ID)
    params = twilio_report("delivered")

    response = post_report(client, params, sign(params, token=""))

    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.status == "sent"


def test_the_status_callback_accepts_only_post(client, callback_settings):
    assert client.get(CALLBACK_PATH).status_code == 405


# --- Inbox ------------------------------------------------------------------


def test_the_inbox_lists_the_signed_in_persons_messages_newest_first(client, person):
    someone_else = PersonFactory(preferred_language="en")
    add_message(person, subject="Oldest", created_at=START)
    add_message(someone_else, subject="Not yours", created_at=START + datetime.timedelta(hours=1))
    add_message(person, subject="Newest", created_at=START + datetime.timedelta(hours=2))
    add_message(person, subject="Middle", created_at=START + datetime.timedelta(minutes=30))
    client.force_login(person)

    response = client.get(INBOX)

    assert response.status_code == 200
    assert [m.subject for m in response.context["page"].object_list] == [
        "Newest",
        "Middle",
        "Oldest",
    ]
    html = response.content.decode()
    assert html.index("Newest") < html.index("Middle") < html.index("Oldest")
    assert "Not yours" not in html


def test_the_inbox_asks_for_sign_in(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_the_inbox_makes_the_same_queries_for_1_or_15_messages(
    client, person, clock, django_assert_num_queries
):
    client.force_login(person)
    add_message(person, subject="Message 0", created_at=START)
    client.get(INBOX)  # the first request after sign-in writes the session

    with CaptureQueriesContext(connection) as one_message:
        response = client.get(INBOX)
    assert len(response.context["page"].object_list) == 1

    for n in range(1, 15):
        later = START + datetime.timedelta(minutes=n)
        add_message(person, subject=f"Message {n}", created_at=later)
    with django_assert_num_queries(len(one_message.captured_queries)):
        response = client.get(INBOX)
    assert len(response.context["page"].object_list) == 15
