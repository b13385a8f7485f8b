import datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.views import View

from accounts.constants import OTPPurpose
from accounts.models import OTPEvent
from accounts.otp import otp_send
from accounts.stepup import StepUpRequiredMixin, stepup_is_valid
from tests.accounts.conftest import last_code
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def person(client):
    person = PersonFactory(mobile="+97455123456", preferred_language="en")
    client.force_login(person)
    return person


def stepup_url(scope="card:7", next_url="/en/"):
    query = urlencode({"purpose": OTPPurpose.ESERVICES, "scope": scope, "next": next_url})
    return f"/en/accounts/confirm/?{query}"


def send_code(client, capture, scope="card:7", next_url="/en/"):
    """Press the page's send button, as a person does."""
    with capture(execute=True):
        response = client.post(stepup_url(scope, next_url), {"resend": "1"})
    assert response.status_code == 302
    return client.get(response["Location"])


def open_and_confirm(client, sms_outbox, capture, scope="card:7", next_url="/en/"):
    assert client.get(stepup_url(scope, next_url)).status_code == 200
    send_code(client, capture, scope, next_url)
    return client.post(stepup_url(scope, next_url), {"code": last_code(sms_outbox)})


def test_opening_the_code_page_sends_nothing(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(stepup_url()).content.decode()
        client.get(stepup_url())
    assert sms_outbox == []
    assert "We sent" not in first
    assert "Press “Send code” and we will text a 6-digit code to" in first
    assert ">Send code</button>" in first


def test_send_button_texts_a_code_and_the_page_shows_the_masked_number(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    content = send_code(client, django_capture_on_commit_callbacks).content.decode()
    assert len(sms_outbox) == 1
    assert "We sent a 6-digit code to" in content
    assert "+974 •••• 3456" in content
    assert "55123456" not in content
    assert "5 tries left" in content
    assert ">Send a new code</button>" in content
    # Right after sending, the page does not also say when to ask again ...
    assert "You can ask for a new code" not in content
    # ... but later visits do, until the minute has passed.
    assert "You can ask for a new code from" in client.get(stepup_url()).content.decode()


def test_a_refused_send_is_explained_and_never_claims_a_code_was_sent(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):

    with time_machine.travel(START, tick=False) as clock:
        for minute, purpose in enumerate(
            [OTPPurpose.PASSWORD_CHANGE, OTPPurpose.RESIDENCY_SUBMISSION] * 2
            + [OTPPurpose.MOBILE_CHANGE]
        ):
            clock.move_to(START + datetime.timedelta(minutes=minute))
            otp_send(person=person, purpose=purpose)
        clock.move_to(START + datetime.timedelta(minutes=10))
        content = send_code(client, django_capture_on_commit_callbacks).content.decode()
    assert "You can ask for a new code at 13:00." in content  # the hourly limit, Doha time
    assert "We sent" not in content
    assert ">Send code</button>" in content
    assert not OTPEvent.objects.filter(purpose=OTPPurpose.ESERVICES, kind="sent").exists()


def test_a_resend_within_the_minute_is_refused_and_the_first_code_still_works(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as clock:
        send_code(client, django_capture_on_commit_callbacks)
        clock.shift(datetime.timedelta(seconds=30))
        content = send_code(client, django_capture_on_commit_callbacks).content.decode()
        assert "You can ask for a new code at 12:01." in content
        assert "You can ask for a new code from" not in content  # said once, not twice
        assert "We sent a 6-digit code to" in content  # the first code, still valid
        assert len(sms_outbox) == 1
        response = client.post(stepup_url(), {"code": last_code(sms_outbox)})
    assert response["Location"] == "/en/"


def test_correct_code_confirms_the_step_and_returns_to_the_page(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    response = open_and_confirm(
        client, sms_outbox, django_capture_on_commit_callbacks, next_url="/en/e-services/"
    )
    assert response["Location"] == "/en/e-services/"
    request = RequestFactory().get("/")
    request.session = client.session
    assert stepup_is_valid(request, purpose=OTPPurpose.ESERVICES, scope="card:7")
    assert not stepup_is_valid(request, purpose=OTPPurpose.ESERVICES, scope="card:8")
    assert not stepup_is_valid(request, purpose=OTPPurpose.RESIDENCY_SUBMISSION, scope="card:7")


def test_wrong_code_is_explained_next_to_the_field(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    send_code(client, django_capture_on_commit_callbacks)
    code = last_code(sms_outbox)
    response = client.post(stepup_url(), {"code": f"{(int(code) + 1) % 1_000_000:06d}"})
    content = response.content.decode()
    assert "The code is not correct" in content
    assert "4 tries left" in content
    assert 'aria-describedby="id_code_helptext id_code_error"' in content


def test_next_url_to_another_site_is_ignored(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    response = open_and_confirm(
        client, sms_outbox, django_capture_on_commit_callbacks, next_url="https://evil.example/"
    )
    assert response["Location"] == "/en/"


class Protected(StepUpRequiredMixin, View):
    stepup_purpose = OTPPurpose.ESERVICES

    def get_stepup_scope(self):
        return f"card:{self.kwargs['card']}"

    def get(self, request, card):
        return HttpResponse("secret")


def test_mixin_sends_people_without_a_fresh_confirmation_to_the_code_page(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as clock:
        open_and_confirm(client, sms_outbox, django_capture_on_commit_callbacks)
        request = RequestFactory().get("/en/cards/7/")
        request.user = person
        request.session = client.session
        assert Protected.as_view()(request, card=7).content == b"secret"
        other_card = Protected.as_view()(request, card=8)
        assert other_card.status_code == 302
        assert other_card["Location"].startswith("/en/accounts/confirm/?purpose=eservices")
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        assert Protected.as_view()(request, card=7).status_code == 302


def test_code_page_needs_a_signed_in_person(client):
    response = client.get(stepup_url())
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/")


def test_the_session_key_rotates_when_a_step_up_code_is_confirmed(
    client, person, sms_outbox, django_capture_on_commit_callbacks
):
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    open_and_confirm(client, sms_outbox, django_capture_on_commit_callbacks)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert client.get("/en/accounts/messages/").status_code == 200

    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert planted.get("/en/accounts/messages/").status_code == 302
