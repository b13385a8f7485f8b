"""SMS delivery behind one small interface, chosen by ``settings.SMS_BACKEND``.

- ``twilio``: production, through the twilio package's REST client;
- ``sandbox``: simulation, stores each message for the sandbox inbox page;
- ``locmem``: tests, keeps messages in ``locmem_outbox``.

Backends never log message bodies: a body may carry a one-time code.

Every call carries an idempotency key, the same for every attempt at one
message: a provider that honours it (sent as the ``Idempotency-Key`` header)
delivers a message once however often a crashed or timed-out worker retries.
"""

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from messaging.models import SandboxSMS

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """The provider did not accept the message; the caller may retry later."""


@dataclass(frozen=True)
class SentSMS:
    to: str
    body: str
    provider_id: str
    status_callback: str = ""
    idempotency_key: str = ""


locmem_outbox: list[SentSMS] = []


class LocmemBackend:
    def send(
        self, *, to: str, body: str, status_callback: str = "", idempotency_key: str = ""
    ) -> str:
        provider_id = f"LM{len(locmem_outbox) + 1:032d}"
        locmem_outbox.append(SentSMS(to, body, provider_id, status_callback, idempotency_key))
        return provider_id


class SandboxBackend:
    def send(
        self, *, to: str, body: str, status_callback: str = "", idempotency_key: str = ""
    ) -> str:
        message = SandboxSMS.objects.create(to=to, body=body, created_at=timezone.now())
        return f"SB{message.pk:032d}"


class _PortalHttpClient(TwilioHttpClient):
    """Adds the idempotency key to the API call and, when ``TWILIO_API_BASE_URL`` is
    set, sends it there (a regional proxy or a test double)."""

    def __init__(self, base_url: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.idempotency_key = ""

    def request(self, method, url, params=None, data=None, headers=None, *args, **kwargs):
        if self.base_url:
            for host in ("https://api.twilio.com", "https://messaging.twilio.com"):
                if url.startswith(host):
                    url = self.base_url + url[len(host) :]
        if self.idempotency_key:
            headers = {**(headers or {}), "Idempotency-Key": self.idempotency_key}
        return super().request(method, url, params, data, headers, *args, **kwargs)


class TwilioBackend:
    def __init__(self):
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER")
            if not getattr(settings, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"SMS_BACKEND is twilio but {', '.join(missing)} unset.")
        self.http_client = _PortalHttpClient(
            settings.TWILIO_API_BASE_URL, timeout=settings.SMS_TIMEOUT
        )
        http_client = self.http_client
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http_client
        )

    def send(
        self, *, to: str, body: str, status_callback: str = "", idempotency_key: str = ""
    ) -> str:
        options = {"status_callback": status_callback} if status_callback else {}
        self.http_client.idempotency_key = idempotency_key
        try:
            message = self.client.messages.create(
                to=to, from_=settings.TWILIO_FROM_NUMBER, body=body, **options
            )
        except TwilioException as exc:
            # The exception text can echo the request; log only its class and status.
            logger.warning(
                "Twilio refused an SMS: %s %s", type(exc).__name__, getattr(exc, "status", "")
            )
            raise SMSError(type(exc).__name__) from None
        return message.sid


BACKENDS = {"locmem": LocmemBackend, "sandbox": SandboxBackend, "twilio": TwilioBackend}
_twilio = threading.local()


def _twilio_backend() -> TwilioBackend:
    """One Twilio client per thread and configuration, kept between messages: its
    HTTP session reuses the connection to the provider instead of opening (and
    TLS-negotiating, several round trips away) a new one for every message."""
    config = (
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_FROM_NUMBER,
        settings.TWILIO_API_BASE_URL,
        settings.SMS_TIMEOUT,
    )
    if getattr(_twilio, "config", None) != config:
        _twilio.backend = TwilioBackend()
        _twilio.config = config
    return _twilio.backend


def get_sms_backend():
    if settings.SMS_BACKEND == "twilio":
        return _twilio_backend()
    try:
        return BACKENDS[settings.SMS_BACKEND]()
    except KeyError:
        raise ImproperlyConfigured(
            f"SMS_BACKEND must be one of {', '.join(BACKENDS)}, not {settings.SMS_BACKEND!r}."
        ) from None


def sms_send(*, to: str, body: str, status_callback: str = "", idempotency_key: str = "") -> str:
    """Send one SMS and return the provider's message id; raises ``SMSError``.

    ``idempotency_key`` names the message, not the attempt: pass the same key
    when retrying a message whose earlier attempt may have reached the provider.
    """
    try:
        return get_sms_backend().send(
            to=to, body=body, status_callback=status_callback, idempotency_key=idempotency_key
        )
    except SMSError:
        raise
    except (OSError, ConnectionError) as exc:
        logger.warning("SMS backend unreachable: %s", type(exc).__name__)
        raise SMSError(type(exc).__name__) from None
