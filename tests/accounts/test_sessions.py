import datetime

import pytest
import time_machine
from django.test import Client

from accounts.constants import OTPPurpose
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
PAGE = "/en/accounts/messages/"


@pytest.fixture
def person():
    return PersonFactory()


def signed_in_client(person):
    client = Client()
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_idle_session_ends_after_fifteen_minutes(person):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_client(person)
        clock.shift(datetime.timedelta(minutes=15, seconds=1))
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/sign-in/?next=")
        assert not client.get(PAGE).wsgi_request.user.is_authenticated


def test_activity_keeps_the_session_alive(person):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_client(person)
        for _ in range(4):
            clock.shift(datetime.timedelta(minutes=14))
            assert client.get(PAGE).status_code == 200


def test_stay_signed_in_resets_the_idle_clock(person):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_client(person)
        clock.shift(datetime.timedelta(minutes=13))
        assert client.post("/en/accounts/keep-alive/").status_code == 200
        clock.shift(datetime.timedelta(minutes=13))
        assert client.get(PAGE).status_code == 200


def test_sessions_end_after_eight_hours_even_when_active(person):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in_client(person)
        for _ in range(32):
            clock.shift(datetime.timedelta(minutes=14, seconds=59))
            client.get(PAGE)
        clock.shift(datetime.timedelta(minutes=10))
        assert client.get(PAGE).status_code == 302


def test_pages_carry_the_idle_warning_with_stay_signed_in(person):
    client = signed_in_client(person)
    content = client.get(PAGE).content.decode()
    assert 'id="session-warning"' in content
    assert "Stay signed in" in content
    assert 'data-idle-timeout="900"' in content


def test_sign_out_everywhere_ends_every_session(person):
    laptop, phone = signed_in_client(person), signed_in_client(person)
    laptop.post("/en/accounts/sign-out-everywhere/")
    assert phone.get(PAGE).status_code == 302
    assert laptop.get(PAGE).status_code == 302
    assert signed_in_client(person).get(PAGE).status_code == 200


def test_session_and_csrf_cookies_are_hardened(person):
    client = Client()
    client.get("/en/accounts/sign-in/")
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]
    csrf = client.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"


def test_stepup_confirmation_does_not_survive_sign_out(person):
    from tests.helpers import grant_stepup

    client = signed_in_client(person)
    grant_stepup(client, purpose=OTPPurpose.ESERVICES, scope="card:1")
    client.post("/en/accounts/sign-out/")
    assert not any(key.startswith("stepup:") for key in client.session.keys())
