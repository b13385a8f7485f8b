import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from accounts import audit
from accounts.constants import OTPPurpose
from accounts.models import Person
from tests.factories import DEFAULT_PASSWORD, PersonFactory
from tests.helpers import form_data, grant_stepup

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
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]
    csrf = client.cookies["__Host-csrftoken"]
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"


def test_stepup_confirmation_does_not_survive_sign_out(person):

    client = signed_in_client(person)
    grant_stepup(client, purpose=OTPPurpose.ESERVICES, scope="card:1")
    client.post("/en/accounts/sign-out/")
    assert not any(key.startswith("stepup:") for key in client.session.keys())  # noqa: SIM118 - a session is not iterable


def deactivate_and_reactivate(person):
    for active in (False, True):
        person = Person.objects.get(pk=person.pk)
        person.is_active = active
        person.save()


def support_end_sessions(person):
    audit.support_end_sessions(actor=PersonFactory(staff=True), person=person)
    deactivate_and_reactivate(person)


def sign_out_everywhere(person):
    signed_in_client(person).post("/en/accounts/sign-out-everywhere/")
    deactivate_and_reactivate(person)


@pytest.mark.parametrize(
    "end", [deactivate_and_reactivate, support_end_sessions, sign_out_everywhere]
)
def test_ending_sessions_raises_the_generation_and_reactivation_brings_no_cookie_back(person, end):
    laptop = signed_in_client(person)
    cookie = laptop.cookies[settings.SESSION_COOKIE_NAME].value
    before = person.session_generation

    end(person)

    person.refresh_from_db()
    assert person.is_active
    assert person.session_generation > before
    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie
    assert replayed.get(PAGE).status_code == 302
    assert signed_in_client(person).get(PAGE).status_code == 200


def test_deactivating_in_admin_ends_sessions_for_good(person):
    laptop = signed_in_client(person)
    admin_ = Client()
    admin_.force_login(PersonFactory(staff=True, is_superuser=True))
    url = f"/en/admin/accounts/person/{person.pk}/change/"
    data = form_data(admin_.get(url).content.decode(), "person_form")
    data.pop("is_active")
    assert admin_.post(url, data).status_code == 302
    admin_.post(url, {**data, "is_active": ["on"]})

    person.refresh_from_db()
    assert person.is_active
    assert laptop.get(PAGE).status_code == 302
