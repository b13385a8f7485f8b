"""Text messages are plain text: what a person or staff member typed arrives as
typed in the SMS and the inbox, and the inbox page escapes it exactly once."""

import datetime
import html
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from accounts.constants import OTPPurpose
from accounts.models import SMSDevice
from accounts.otp import otp_send
from messaging.notifications import notify
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

HOSTILE = "<&'\">"
TEMPLATES = Path(settings.BASE_DIR) / "messaging" / "templates"
NOTIFICATION_TEMPLATES = sorted(p.stem for p in (TEMPLATES / "notifications").glob("*.txt"))
# A template that shows any of these shows text someone typed.
TYPED_FIELDS = re.compile(r"(\{\{ *|=)[\w.]*\b(name|display_name|reason|message|address)\b")
ENTITY = re.compile(r"&(amp|lt|gt|quot|#x27|#39|#34);")


def hostile_context():
    starts_at = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    return {
        "reference": "ACT-2026-000001",
        "reset_pause": datetime.timedelta(hours=24),
        "reason": f"Blurry {HOSTILE} photo",
        "message": f"Send the page {HOSTILE} again.",
        "services": [SimpleNamespace(name=f"Metrash {HOSTILE}"), SimpleNamespace(name="Absher")],
        "application": SimpleNamespace(
            reference="PR-2026-000001", decision_due_on=datetime.date(2026, 12, 20)
        ),
        "card": SimpleNamespace(number="300000001", expires_on=datetime.date(2031, 12, 1)),
        "slot": SimpleNamespace(starts_at=starts_at),
        "centre": SimpleNamespace(name=f"Al Rayyan {HOSTILE}", address=f"Street 1 {HOSTILE}"),
    }


def test_every_message_template_is_checked():
    assert len(NOTIFICATION_TEMPLATES) >= 20


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("template", NOTIFICATION_TEMPLATES)
def test_a_message_carries_typed_text_as_typed_and_the_inbox_escapes_it_once(
    client, django_capture_on_commit_callbacks, sms_outbox, template, language
):
    person = PersonFactory(
        mobile="+97455123456",
        preferred_language=language,
        name_en=f"Sara {HOSTILE} O'Neil",
        name_ar=f"سارة {HOSTILE}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template=template, context=hostile_context())

    text = f"{notification.subject}\n{notification.body}"
    assert not ENTITY.search(text), text
    source = (TEMPLATES / "notifications" / f"{template}.txt").read_text()
    assert (HOSTILE in text) == bool(TYPED_FIELDS.search(source))
    assert [m.body for m in sms_outbox] == [notification.body]

    client.force_login(person)
    page = client.get(f"/{language}/accounts/messages/").content.decode()
    assert html.escape(notification.body) in page
    assert html.escape(notification.subject) in page
    assert HOSTILE not in page
    assert "&amp;amp;" not in page
    assert "&amp;lt;" not in page
    assert "&amp;#x27;" not in page


def test_the_code_message_is_plain_text(
    monkeypatch, django_capture_on_commit_callbacks, sms_outbox
):
    person = PersonFactory(mobile="+97455123456", preferred_language="en")
    monkeypatch.setattr(SMSDevice, "get_purpose_display", lambda device: f"Sign-in {HOSTILE}")
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)

    assert f"Purpose: Sign-in {HOSTILE}." in sms_outbox[-1].body
    assert not ENTITY.search(sms_outbox[-1].body)


@pytest.mark.parametrize("template", NOTIFICATION_TEMPLATES)
def test_dates_in_english_messages_are_written_the_portal_way(template):
    person = PersonFactory(preferred_language="en")
    notification = notify(person=person, template=template, context=hostile_context())
    text = f"{notification.subject}\n{notification.body}"
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text
    when = {
        "residency_submitted": "by 20 December 2026",
        "residency_card_issued": "until 1 December 2031",
        "residency_appointment_booked": "on Tuesday 1 December 2026 at 12:00",
    }.get(template)
    if when:
        assert when in text, text
