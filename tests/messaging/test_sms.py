"""SMS backends (PRODUCT.md section 4): Twilio against a local stand-in, sandbox, locmem."""

import base64
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured

from messaging import sms
from messaging.models import SandboxSMS
from messaging.notifications import notify
from messaging.sms import SMSError, sms_send
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "made-up-auth-token-for-tests"
FROM_NUMBER = "+97444000000"
MESSAGE_SID = "SM" + "fedcba9876543210" * 2
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SECRET_BODY = "Ministry of Interior: your code is 493817"


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1: records each request, answers with ``status``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.status = 201
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "form": form,
                        "client": self.client_address,
                    }
                )
                self._answer(fake.status, fake.payload(self.path, form))

            def _answer(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def payload(self, path, form):
        if path != MESSAGES_PATH:
            self.status = 404
            return {"code": 20404, "message": "The requested resource was not found", "status": 404}
        if self.status >= 400:
            # Twilio's errors can echo the request; the backend must not log them.
            return {
                "code": 21211 if self.status == 400 else 20500,
                "message": f"Invalid 'To' for message {form.get('Body')!r}",
                "more_info": "https://www.twilio.com/docs/errors/21211",
                "status": self.status,
            }
        return {
            "sid": MESSAGE_SID,
            "account_sid": ACCOUNT_SID,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "num_media": "0",
            "price": None,
            "price_unit": "USD",
            "error_code": None,
            "error_message": None,
            "api_version": "2010-04-01",
            "date_created": "Sun, 01 Nov 2026 09:00:00 +0000",
            "date_updated": "Sun, 01 Nov 2026 09:00:00 +0000",
            "date_sent": None,
            "messaging_service_sid": None,
            "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}.json",
            "subresource_uris": {},
        }

    def __enter__(self):
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def fake_twilio():
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def twilio_settings(settings, fake_twilio):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_API_BASE_URL = fake_twilio.url
    settings.PUBLIC_BASE_URL = ""
    return settings


@pytest.fixture
def outbox():
    sms.locmem_outbox.clear()
    yield sms.locmem_outbox
    sms.locmem_outbox.clear()


# --- Twilio -----------------------------------------------------------------


def test_twilio_backend_posts_the_message_to_the_messages_api_and_returns_its_sid(
    twilio_settings, fake_twilio
):
    provider_id = sms_send(to="+97455123456", body="Hello from the ministry")

    assert provider_id == MESSAGE_SID
    [request] = fake_twilio.requests
    assert request["path"] == MESSAGES_PATH
    expected_auth = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request["headers"]["Authorization"] == f"Basic {expected_auth}"
    assert request["form"] == {
        "To": "+97455123456",
        "From": FROM_NUMBER,
        "Body": "Hello from the ministry",
    }


def test_consecutive_messages_reuse_the_connection_to_twilio(twilio_settings, fake_twilio):
    sms_send(to="+97455123456", body="one")
    sms_send(to="+97455123457", body="two")

    first, second = fake_twilio.requests
    assert first["client"] == second["client"]


def test_a_changed_twilio_setting_takes_effect_on_the_next_message(twilio_settings, fake_twilio):
    sms_send(to="+97455123456", body="one")
    with FakeTwilio() as other:
        twilio_settings.TWILIO_API_BASE_URL = other.url
        sms_send(to="+97455123457", body="two")

    assert [len(fake_twilio.requests), len(other.requests)] == [1, 1]


def test_twilio_backend_sends_an_arabic_body_intact(twilio_settings, fake_twilio):
    body = "وزارة الداخلية: تم إنشاء حسابك"

    sms_send(to="+97455123456", body=body)

    assert fake_twilio.requests[0]["form"]["Body"] == body


@pytest.mark.parametrize(
    ("public_base_url", "status_callback"),
    [
        (
            "https://eservices.example.org",
            "https://eservices.example.org/sms/status-callback",
        ),
        (
            "https://eservices.example.org/",
            "https://eservices.example.org/sms/status-callback",
        ),
        ("", None),
    ],
)
def test_a_notification_asks_twilio_for_status_callbacks_only_when_the_public_url_is_set(
    twilio_settings,
    fake_twilio,
    django_capture_on_commit_callbacks,
    public_base_url,
    status_callback,
):
    twilio_settings.PUBLIC_BASE_URL = public_base_url
    person = PersonFactory(mobile="+97455123456", preferred_language="en")

    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template="account_created")

    [request] = fake_twilio.requests
    assert request["form"].get("StatusCallback") == status_callback
    assert request["form"]["Body"] == notification.body
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert notification.provider_id == MESSAGE_SID


@pytest.mark.parametrize("status", [400, 500])
def test_twilio_error_answer_raises_sms_error_without_logging_the_body(
    twilio_settings, fake_twilio, caplog, status
):
    fake_twilio.status = status
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SMSError) as excinfo:
        sms_send(to="+97455123456", body=SECRET_BODY)

    assert len(fake_twilio.requests) == 1
    assert "493817" not in str(excinfo.value)
    assert "Twilio refused an SMS" in caplog.text
    assert "493817" not in caplog.text
    for record in caplog.records:
        assert "493817" not in record.getMessage()
        assert "493817" not in repr(record.args)


def test_unreachable_twilio_raises_sms_error_without_logging_the_body(twilio_settings, caplog):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    twilio_settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"  # nothing listens there
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SMSError):
        sms_send(to="+97455123456", body=SECRET_BODY)

    assert "SMS backend unreachable" in caplog.text
    assert "493817" not in caplog.text


@pytest.mark.parametrize("unset", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"])
def test_twilio_backend_without_credentials_is_improperly_configured(
    twilio_settings, fake_twilio, unset
):
    setattr(twilio_settings, unset, "")

    with pytest.raises(ImproperlyConfigured, match=unset):
        sms_send(to="+97455123456", body="Hello")

    assert fake_twilio.requests == []


# --- Sandbox ------------------------------------------------------------------


def test_sandbox_backend_stores_each_message(settings):
    settings.SMS_BACKEND = "sandbox"

    provider_id = sms_send(to="+97455123456", body="First")
    sms_send(to="+97455123456", body="Second")

    stored = SandboxSMS.objects.order_by("pk")
    assert [(m.to, m.body) for m in stored] == [
        ("+97455123456", "First"),
        ("+97455123456", "Second"),
    ]
    assert provider_id == f"SB{stored[0].pk:032d}"


def test_sandbox_backend_sends_nothing_to_the_locmem_outbox(settings, outbox):
    settings.SMS_BACKEND = "sandbox"

    sms_send(to="+97455123456", body="Hello")

    assert outbox == []


def test_sandbox_inbox_lists_the_latest_messages_for_a_number_newest_first(settings, client):
    settings.SMS_BACKEND = "sandbox"
    sms_send(to="+97455123456", body="Older message for me")
    sms_send(to="+97466000000", body="Message for someone else")
    sms_send(to="+97455123456", body="Newer message for me")

    response = client.get("/en/accounts/simulation/sms/", {"number": "55123456"})

    assert response.status_code == 200
    assert [m.body for m in response.context["messages_"]] == [
        "Newer message for me",
        "Older message for me",
    ]
    html = response.content.decode()
    assert html.index("Newer message for me") < html.index("Older message for me")
    assert "Message for someone else" not in html


def test_sandbox_inbox_shows_at_most_the_50_latest_messages(settings, client):
    settings.SMS_BACKEND = "sandbox"
    for n in range(55):
        sms_send(to="+97455123456", body=f"Message number {n}")

    response = client.get("/en/accounts/simulation/sms/", {"number": "+97455123456"})

    bodies = [m.body for m in response.context["messages_"]]
    assert len(bodies) == 50
    assert bodies[0] == "Message number 54"
    assert "Message number 4" not in bodies


def test_sandbox_inbox_does_not_exist_outside_simulation_mode(settings, client):
    settings.SMS_BACKEND = "sandbox"
    sms_send(to="+97455123456", body="A message nobody may read")
    settings.SIMULATION_MODE = False

    response = client.get("/en/accounts/simulation/sms/", {"number": "55123456"})

    assert response.status_code == 404
    assert "A message nobody may read" not in response.content.decode()


# --- Locmem and backend choice -------------------------------------------------


def test_locmem_backend_keeps_messages_in_the_outbox(outbox):
    first = sms_send(to="+97455123456", body="One")
    second = sms_send(to="+97455123456", body="Two", status_callback="https://x.test/cb")

    assert [(m.to, m.body, m.provider_id) for m in outbox] == [
        ("+97455123456", "One", first),
        ("+97455123456", "Two", second),
    ]
    assert first != second
    assert outbox[1].status_callback == "https://x.test/cb"


@pytest.mark.parametrize("backend", ["smtp", "Twilio", ""])
def test_an_unknown_sms_backend_is_improperly_configured_with_a_clear_message(
    settings, outbox, backend
):
    settings.SMS_BACKEND = backend

    with pytest.raises(ImproperlyConfigured) as excinfo:
        sms_send(to="+97455123456", body="Hello")

    message = str(excinfo.value)
    assert "SMS_BACKEND" in message
    assert repr(backend) in message
    for known in ("locmem", "sandbox", "twilio"):
        assert known in message
    assert outbox == []


def test_twilio_backend_sends_the_idempotency_key_of_the_message(twilio_settings, fake_twilio):
    sms_send(to="+97455123456", body="First", idempotency_key="notification-7-1790000000")
    sms_send(to="+97455123456", body="Second")

    first, second = fake_twilio.requests
    assert first["headers"]["Idempotency-Key"] == "notification-7-1790000000"
    assert "Idempotency-Key" not in second["headers"]


def test_twilio_backend_gives_up_after_the_configured_timeout(twilio_settings, settings):
    settings.SMS_TIMEOUT = 0.3
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        with pytest.raises(SMSError):
            sms_send(to="+97455123456", body="Hello")
    finally:
        listener.close()
