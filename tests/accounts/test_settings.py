"""Account settings: the language of messages, the password change and signed-in sessions."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.constants import OTPPurpose
from accounts.models import PersonSession
from messaging.models import Notification
from messaging.notifications import notify
from tests.accounts.conftest import last_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory
from tests.helpers import grant_stepup

pytestmark = pytest.mark.django_db

SETTINGS = "/en/accounts/settings/"
PASSWORD = "/en/accounts/settings/password/"
NEW_PASSWORD = "quiet harbour lantern 1987 walk"
CHROME_ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def person():
    return PersonFactory(preferred_language="ar")


def sign_in(person, user_agent=FIREFOX_WINDOWS, address="198.51.100.7"):
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client


# --- Language -----------------------------------------------------------


def test_an_english_speaker_chooses_english_and_gets_english_messages(person):
    client = sign_in(person)
    response = client.post(SETTINGS, {"preferred_language": "en"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.preferred_language == "en"

    notification = notify(person=person, template="password_changed")
    assert notification.language == "en"
    assert notification.body.startswith("Ministry of Interior:")


def test_the_code_sms_comes_in_the_chosen_language(
    person, sms_outbox, django_capture_on_commit_callbacks
):
    client = sign_in(person)
    client.post(SETTINGS, {"preferred_language": "en"})
    code_page = client.get(PASSWORD)["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(code_page, {"resend": "1"})
    assert sms_outbox, "no code was sent"
    assert "code" in sms_outbox[-1].body.lower()
    assert not any("\u0600" <= char <= "\u06ff" for char in sms_outbox[-1].body)


def test_arabic_stays_the_default_and_arabic_messages_are_arabic(person):
    notification = notify(person=person, template="password_changed")
    assert notification.language == "ar"
    assert any("\u0600" <= char <= "\u06ff" for char in notification.body)


def test_an_unknown_language_is_refused_next_to_the_field(person):
    client = sign_in(person)
    response = client.post(SETTINGS, {"preferred_language": "fr"})
    assert response.status_code == 400
    assert 'id="id_preferred_language_error"' in response.content.decode()
    person.refresh_from_db()
    assert person.preferred_language == "ar"


def test_settings_need_a_signed_in_person(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/")


# --- Sessions -----------------------------------------------------------


def test_each_sign_in_is_listed_with_its_device_and_address(person):
    phone = sign_in(person, CHROME_ANDROID, "203.0.113.9")
    desk = sign_in(person)
    content = desk.get(SETTINGS).content.decode()
    assert "Chrome · Android" in content
    assert "Firefox · Windows" in content
    assert "203.0.113.9" in content
    assert "198.51.100.7" in content
    assert content.count("(this device)") == 1
    assert phone.get(SETTINGS).status_code == 200


def test_ending_another_session_signs_that_device_out(person):
    phone = sign_in(person, CHROME_ANDROID)
    desk = sign_in(person)
    phone_row = PersonSession.objects.get(user_agent=CHROME_ANDROID)
    response = desk.post(f"/en/accounts/settings/sessions/{phone_row.pk}/end/")
    assert response.status_code == 302
    assert phone.get(SETTINGS).status_code == 302
    assert desk.get(SETTINGS).status_code == 200
    assert "Chrome · Android" not in desk.get(SETTINGS).content.decode()


def test_nobody_ends_someone_elses_session(person):
    other = PersonFactory()
    their_client = sign_in(other)
    theirs = PersonSession.objects.get(person=other)
    mine = sign_in(person)
    mine.post(f"/en/accounts/settings/sessions/{theirs.pk}/end/")
    assert their_client.get(SETTINGS).status_code == 200
    assert PersonSession.objects.filter(pk=theirs.pk).exists()


def test_the_list_follows_the_session_key_when_it_rotates(person):
    phone = sign_in(person, CHROME_ANDROID)
    desk = sign_in(person)
    session = phone.session
    old_key = session.session_key
    session.cycle_key()
    session.save()
    row = PersonSession.objects.get(user_agent=CHROME_ANDROID)
    assert row.session_key == session.session_key != old_key
    desk.post(f"/en/accounts/settings/sessions/{row.pk}/end/")
    assert not Session.objects.filter(session_key=session.session_key).exists()


def test_signed_out_and_idle_sessions_are_not_listed(person):
    start = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        gone = sign_in(person, CHROME_ANDROID)
        gone.post("/en/accounts/sign-out/")
        sign_in(person, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1")
        clock.shift(datetime.timedelta(minutes=20))
        desk = sign_in(person)
        content = desk.get(SETTINGS).content.decode()
    assert "Android" not in content
    assert "iPhone" not in content
    assert "Firefox · Windows" in content


def test_sign_out_everywhere_empties_the_list(person):
    phone = sign_in(person, CHROME_ANDROID)
    desk = sign_in(person)
    desk.post("/en/accounts/sign-out-everywhere/")
    assert phone.get(SETTINGS).status_code == 302
    again = sign_in(person)
    content = again.get(SETTINGS).content.decode()
    assert "Android" not in content
    assert content.count("(this device)") == 1


# --- Password change ----------------------------------------------------


def _confirm_code(client, outbox, django_capture_on_commit_callbacks):
    code_page = client.get(PASSWORD, follow=True).redirect_chain[-1][0]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(code_page, {"resend": "1"})
    response = client.post(code_page, {"code": last_code(outbox)})
    assert response.status_code == 302
    assert response["Location"] == PASSWORD


def test_a_password_change_needs_a_code_first(person):
    client = sign_in(person)
    response = client.get(PASSWORD)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/confirm/?purpose=password_change")


def test_a_password_change_with_the_current_password_and_a_code(
    person, sms_outbox, django_capture_on_commit_callbacks
):
    other_device = sign_in(person, CHROME_ANDROID)
    client = sign_in(person)
    _confirm_code(client, sms_outbox, django_capture_on_commit_callbacks)
    response = client.post(
        PASSWORD,
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.get(SETTINGS).status_code == 200
    assert other_device.get(SETTINGS).status_code == 302
    notice = Notification.objects.filter(person=person).latest("created_at")
    assert notice.template == "password_changed_signed_in"
    assert notice.sms


def test_a_wrong_current_password_changes_nothing(
    person, sms_outbox, django_capture_on_commit_callbacks
):
    client = sign_in(person)
    _confirm_code(client, sms_outbox, django_capture_on_commit_callbacks)
    response = client.post(
        PASSWORD,
        {
            "current_password": "not my password at all",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Your current password is not correct." in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(DEFAULT_PASSWORD)
    assert not Notification.objects.filter(template="password_changed_signed_in").exists()


def test_mismatched_new_passwords_are_explained_next_to_the_second_field(
    person, sms_outbox, django_capture_on_commit_callbacks
):
    client = sign_in(person)
    _confirm_code(client, sms_outbox, django_capture_on_commit_callbacks)
    response = client.post(
        PASSWORD,
        {
            "current_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD + "x",
        },
    )
    content = response.content.decode()
    assert 'id="id_new_password2_error"' in content
    assert "The two new passwords are not the same." in content


def test_a_code_for_another_purpose_does_not_open_the_password_change(person):
    client = sign_in(person)
    grant_stepup(client, purpose=OTPPurpose.ESERVICES, scope="person")
    assert client.get(PASSWORD).status_code == 302
