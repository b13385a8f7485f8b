"""An optional e-mail address, confirmed by a signed link, that gets copies of messages."""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from messaging.models import Notification, SandboxEmail
from messaging.notifications import notification_email_deliver, notify
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

EMAIL = "/en/accounts/settings/email/"


@pytest.fixture
def person():
    return PersonFactory(preferred_language="en", email="")


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def _link(message) -> str:
    return re.search(r"https?://\S+/accounts/settings/email/verify/\S+/", message.body).group(0)


def _ask(client, address, capture):
    with capture(execute=True):
        response = client.post(EMAIL, {"email": address})
    assert response.status_code == 302
    return _link(mail.outbox[-1])


def test_an_address_counts_only_after_its_link_is_opened(
    signed_in, person, django_capture_on_commit_callbacks
):
    link = _ask(signed_in, "sara@example.org", django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == ["sara@example.org"]
    person.refresh_from_db()
    assert person.email == ""
    assert person.email_verified_at is None

    response = signed_in.get(link)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == "sara@example.org"
    assert person.email_verified_at is not None
    notice = Notification.objects.get(template="email_added")
    assert "sara@example.org" in notice.body
    assert notice.sms


def test_confirmed_addresses_get_a_copy_of_every_message(
    person, django_capture_on_commit_callbacks
):
    person.email = "sara@example.org"
    person.email_verified_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person=person, template="password_changed")
    assert mail.outbox[-1].to == ["sara@example.org"]
    assert mail.outbox[-1].subject == notification.subject
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    notification_email_deliver(notification_id=notification.pk)
    assert len(mail.outbox) == 1


def test_an_unconfirmed_address_gets_nothing(person, django_capture_on_commit_callbacks):
    person.email = "typo@example.org"
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(person=person, template="password_changed")
    assert mail.outbox == []


def test_someone_elses_link_does_nothing(client, person, django_capture_on_commit_callbacks):
    client.force_login(person)
    link = _ask(client, "sara@example.org", django_capture_on_commit_callbacks)
    intruder = PersonFactory(email="")
    client.force_login(intruder)
    client.get(link)
    intruder.refresh_from_db()
    person.refresh_from_db()
    assert intruder.email == ""
    assert person.email == ""


def test_a_link_expires_after_a_day(signed_in, person, django_capture_on_commit_callbacks):
    link = _ask(signed_in, "sara@example.org", django_capture_on_commit_callbacks)
    with time_machine.travel(datetime.timedelta(hours=25)):
        signed_in.force_login(person)
        response = signed_in.get(link, follow=True)
    assert "This link is not valid any more." in response.content.decode()
    person.refresh_from_db()
    assert person.email == ""


def test_an_older_link_dies_once_another_address_is_confirmed(
    signed_in, person, django_capture_on_commit_callbacks
):
    first = _ask(signed_in, "first@example.org", django_capture_on_commit_callbacks)
    second = _ask(signed_in, "second@example.org", django_capture_on_commit_callbacks)
    signed_in.get(second)
    signed_in.get(first)
    person.refresh_from_db()
    assert person.email == "second@example.org"


def test_a_tampered_link_is_refused_without_an_error_page(
    signed_in, person, django_capture_on_commit_callbacks
):
    link = _ask(signed_in, "sara@example.org", django_capture_on_commit_callbacks)
    tampered = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    response = signed_in.get(tampered, follow=True)
    assert response.status_code == 200
    assert "This link is not valid any more." in response.content.decode()


def test_a_malformed_address_is_explained_next_to_the_field(signed_in, person):
    response = signed_in.post(EMAIL, {"email": "not an address"})
    assert response.status_code == 400
    assert 'id="id_email_error"' in response.content.decode()
    assert mail.outbox == []


def test_the_address_can_be_removed(signed_in, person):
    person.email = "sara@example.org"
    person.email_verified_at = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    person.save()
    signed_in.post(EMAIL, {"email": ""})
    person.refresh_from_db()
    assert person.email == ""
    assert person.email_verified_at is None


def test_the_sandbox_shows_emails_next_to_text_messages(client, settings):
    settings.EMAIL_BACKEND = "messaging.mail.SandboxEmailBackend"
    mail.send_mail("Confirm", "Open https://example.org/x", None, ["sara@example.org"])
    content = client.get("/en/accounts/simulation/sms/").content.decode()
    assert SandboxEmail.objects.get().to == "sara@example.org"
    assert "sara@example.org" in content
    assert '<a href="https://example.org/x"' in content
    assert content.count('id="emails-title"') == 1
    assert "<title>SMS sandbox ·" in content
