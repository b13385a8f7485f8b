"""Shortcuts for tests that start past a step the test is not about."""

import threading
from html.parser import HTMLParser

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.stepup import stepup_session_key
from activation.eligibility import eligibility_failures


def grant_stepup(client, *, purpose: str, scope: str) -> None:
    """As if the signed-in person had just confirmed a code for ``purpose`` and ``scope``."""
    session = client.session
    session[stepup_session_key(purpose, scope)] = timezone.now().timestamp()
    session.save()


def staff_authenticator(person):
    """The person's confirmed authenticator app (django-otp TOTP device), made on first use."""

    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=person, name="Authenticator app")


def verify_second_factor(client, person) -> None:
    """As if the signed-in staff member had just entered their authenticator code."""

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_authenticator(person).persistent_id
    session.save()


class _FormFields(HTMLParser):
    """The values a browser would submit for the form with ``form_id``."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            if kind not in {"submit", "button", "file"}:
                self.data.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data.append((self._textarea, ""))

    def handle_data(self, data):
        if self._textarea:
            name, value = self.data[-1]
            self.data[-1] = (name, value + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    """Parse a rendered form into POST data, as the browser would send it unchanged."""
    parser = _FormFields(form_id)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def session_read_queries() -> int:
    """Database queries a signed-in request spends reading its session: none if
    sessions are read through the cache (``cached_db``), else one."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def cache_read_queries(reads: int) -> int:
    """Database queries spent on ``reads`` reads of the shared cache: none with
    Redis, one each with the database cache (the local default)."""
    return reads if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache") else 0


def eligibility_codes(**kwargs) -> list[str]:
    """The codes of the rules a person fails for a service (activation.eligibility)."""
    return [failure.code for failure in eligibility_failures(**kwargs)]


def race(calls):
    """Start ``calls`` at the same moment, each in its own thread and database connection;
    return what each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
