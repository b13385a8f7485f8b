import datetime
import logging
import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from accounts.lockout import qid_unlock
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = pytest.mark.django_db

URL = "/en/accounts/sign-in/"
GENERIC = "The Qatar ID number or password is not correct."


@pytest.fixture
def person():
    return PersonFactory(qid="28563400001", date_of_birth=datetime.date(1985, 3, 14))


def sign_in(client, qid, password=DEFAULT_PASSWORD, **extra):
    return client.post(URL, {"username": qid, "password": password}, **extra)


@pytest.mark.parametrize(
    "typed", ["28563400001", "٢٨٥٦٣٤٠٠٠٠١", "۲۸۵۶۳۴۰۰۰۰۱", "285 634 00001", "٢٨٥ ٦٣٤ ٠٠٠٠١"]
)
def test_sign_in_with_the_qid_however_it_is_typed(client, person, typed):
    response = sign_in(client, typed)
    assert response.status_code == 302
    assert response.wsgi_request.user == person


@pytest.mark.parametrize("qid", ["28563400001", "28563499999", "123", "abc"])
def test_wrong_credentials_get_one_generic_message(client, person, qid):
    response = sign_in(client, qid, "wrong password 123")
    assert response.status_code == 200
    assert GENERIC in response.content.decode()


def test_a_register_row_without_an_online_account_cannot_sign_in(client):
    PersonFactory(unregistered=True, qid="29163400009", date_of_birth=datetime.date(1991, 1, 1))
    response = sign_in(client, "29163400009", "")
    assert not response.wsgi_request.user.is_authenticated


def test_session_key_rotates_at_sign_in(client, person):
    client.get(URL)
    client.cookies[_session_cookie()] = "attacker-fixed-session-id"
    sign_in(client, person.qid)
    assert client.cookies[_session_cookie()].value != "attacker-fixed-session-id"


def _session_cookie():

    return settings.SESSION_COOKIE_NAME


def test_five_failures_lock_the_qid_for_fifteen_minutes(client, person):
    start = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            sign_in(client, person.qid, "wrong password 123")
        response = sign_in(client, person.qid)  # the right password is refused now
        assert response.status_code == 429
        assert not response.wsgi_request.user.is_authenticated
        assert "You can try again at 12:15" in response.content.decode()  # Doha time
        clock.shift(datetime.timedelta(minutes=14))
        assert sign_in(client, person.qid).status_code == 429
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert sign_in(client, person.qid).status_code == 302


def test_four_failures_then_success_start_the_count_again(client, person):
    for _ in range(4):
        sign_in(client, person.qid, "wrong password 123")
    assert sign_in(client, person.qid).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, person.qid, "wrong password 123")
    assert sign_in(client, person.qid).status_code == 302


def test_failures_count_on_the_normalised_qid(client, person):
    for typed in ["28563400001", "٢٨٥٦٣٤٠٠٠٠١", "285 634 00001", "۲۸۵۶۳۴۰۰۰۰۱", " 28563400001"]:
        sign_in(client, typed, "wrong password 123")
    assert sign_in(client, person.qid).status_code == 429


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, person):
    for n in range(5):
        sign_in(client, person.qid, "wrong password 123", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = sign_in(client, person.qid, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429


def test_an_address_failing_across_many_qids_is_throttled(client, settings, person):
    settings.IP_FAILURE_LIMIT = 20
    for n in range(20):
        sign_in(client, f"2856340{n:04d}", "wrong password 123")
    response = sign_in(client, person.qid)
    assert response.status_code == 429
    assert "from your network" in response.content.decode()


def test_forged_forwarded_for_does_not_reset_the_address_count(client, settings, person):
    settings.IP_FAILURE_LIMIT = 10
    for n in range(10):
        sign_in(client, f"2856340{n:04d}", "x" * 12, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert sign_in(client, person.qid, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_behind_one_trusted_proxy_the_address_it_reports_is_counted(client, settings, person):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.IP_FAILURE_LIMIT = 5
    for n in range(5):
        # The client prepends a made-up address; the proxy appends the real one.
        sign_in(
            client, f"2856340{n:04d}", "x" * 12, HTTP_X_FORWARDED_FOR=f"10.1.1.{n}, 203.0.113.7"
        )
    blocked = sign_in(client, person.qid, HTTP_X_FORWARDED_FOR="10.2.2.2, 203.0.113.7")
    assert blocked.status_code == 429
    other = sign_in(client, person.qid, HTTP_X_FORWARDED_FOR="203.0.113.7, 203.0.113.8")
    assert other.status_code == 302


def test_staff_or_a_reset_can_lift_the_lock_early(client, person):
    for _ in range(5):
        sign_in(client, person.qid, "wrong password 123")
    assert sign_in(client, person.qid).status_code == 429
    qid_unlock(person.qid)
    assert sign_in(client, person.qid).status_code == 302


def test_sign_in_page_links_to_registration_and_reset(client):
    content = client.get(URL).content.decode()
    assert reverse("accounts:register") in content or "/accounts/register/" in content
    assert "/accounts/password-reset/" in content


def test_the_admin_sign_in_page_shares_the_address_throttle(client, settings):
    settings.IP_FAILURE_LIMIT = 5
    staff = PersonFactory(staff=True, is_superuser=True)
    for n in range(5):
        client.post(
            "/en/admin/login/", {"username": f"2856340{n:04d}", "password": "wrong password 1"}
        )
    assert sign_in(client, staff.qid).status_code == 429
    response = client.post(
        "/en/admin/login/", {"username": staff.qid, "password": DEFAULT_PASSWORD}
    )
    assert not response.wsgi_request.user.is_authenticated


def test_typed_qids_do_not_reach_the_logs(client, caplog, person):

    caplog.set_level(logging.INFO)
    sign_in(client, "28563499999", "my secret phrase here")
    assert "28563499999" not in caplog.text
    assert "my secret phrase" not in caplog.text


@pytest.mark.parametrize("url", [URL, "/ar/accounts/sign-in/", "/en/accounts/register/"])
def test_the_qid_box_takes_a_qid_typed_with_spaces_on_a_number_keypad(client, url):

    html = client.get(url).content.decode()
    tag = re.search(r'<input[^>]*name="(?:username|qid)"[^>]*>', html).group(0)
    box = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
    assert int(box["maxlength"]) >= len("285 634 00001")
    assert box["inputmode"] == "numeric"
