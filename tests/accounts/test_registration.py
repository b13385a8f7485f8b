import datetime
import re

import pytest
import time_machine
from django.contrib.auth.forms import SetPasswordForm
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks import default_task_backend

from accounts.lockout import qid_locked_until
from accounts.models import Person
from messaging.models import Notification
from tests.accounts.conftest import last_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory, SmartCardFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a quiet walk along the corniche"


@pytest.fixture
def newcomer():
    """In the register, with a valid card, but no online account yet."""
    person = PersonFactory(unregistered=True, preferred_language="en")
    card = SmartCardFactory(person=person)
    return person, card


def start(client, flow, qid, expiry, capture):
    url = "/en/accounts/register/" if flow == "register" else "/en/accounts/password-reset/"
    with capture(execute=True):
        return client.post(url, {"qid": qid, "card_expiry": expiry.isoformat()})


def enter_code(client, flow, code):
    url = (
        "/en/accounts/register/code/" if flow == "register" else "/en/accounts/password-reset/code/"
    )
    return client.post(url, {"code": code})


def choose_password(client, flow, password):
    url = (
        "/en/accounts/register/password/"
        if flow == "register"
        else "/en/accounts/password-reset/password/"
    )
    return client.post(url, {"new_password1": password, "new_password2": password})


def test_register_online_with_qid_card_expiry_and_code(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    response = start(
        client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks
    )
    assert response["Location"] == "/en/accounts/register/code/"
    assert sms_outbox[-1].to == person.mobile
    response = enter_code(client, "register", last_code(sms_outbox))
    assert response["Location"] == "/en/accounts/register/password/"
    with django_capture_on_commit_callbacks(execute=True):
        response = choose_password(client, "register", NEW_PASSWORD)
    assert response["Location"] == "/en/accounts/sign-in/"
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert person.has_online_account
    notification = Notification.objects.get(person=person)
    assert notification.template == "account_created"
    assert "account has been created" in sms_outbox[-1].body
    assert (
        Client()
        .post("/en/accounts/sign-in/", {"username": person.qid, "password": NEW_PASSWORD})
        .wsgi_request.user.is_authenticated
    )


def _outcome(flow, qid, expiry):
    """Everything a visitor can observe of the first step, and the work it took."""
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/en/accounts/{'register' if flow == 'register' else 'password-reset'}/",
            {"qid": qid, "card_expiry": expiry.isoformat()},
        )
    page = client.get(response["Location"])
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
    return (
        response.status_code,
        response["Location"],
        page.status_code,
        body,
        tuple(re.sub(r"\d+", "N", q["sql"]) for q in queries.captured_queries),
    )


@pytest.mark.parametrize("flow", ["register", "reset"])
def test_unknown_qid_wrong_expiry_and_existing_account_look_the_same(newcomer, flow):
    person, card = newcomer
    existing = PersonFactory()
    existing_card = SmartCardFactory(person=existing)
    cases = [
        (person.qid, card.expires_on + datetime.timedelta(days=1)),  # wrong expiry
        ("28563499999", card.expires_on),  # unknown QID
        (existing.qid, existing_card.expires_on),  # account exists already
        (person.qid, card.expires_on),  # a real match for registration
    ]
    with time_machine.travel("2026-11-01 09:00 +03:00", tick=False):
        outcomes = {_outcome(flow, qid, expiry) for qid, expiry in cases}
    assert len(outcomes) == 1, "the first step must not reveal anything about the QID"


@pytest.mark.parametrize("case", ["unknown", "wrong_expiry", "existing", "expired_card"])
def test_no_code_is_sent_unless_the_details_match_a_new_account(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks, case
):
    person, card = newcomer
    existing = PersonFactory()
    expired = SmartCardFactory(expired=True, person=PersonFactory(unregistered=True))
    qid, expiry = {
        "unknown": ("28563499999", card.expires_on),
        "wrong_expiry": (person.qid, card.expires_on - datetime.timedelta(days=1)),
        "existing": (existing.qid, SmartCardFactory(person=existing).expires_on),
        "expired_card": (expired.person.qid, expired.expires_on),
    }[case]
    start(client, "register", qid, expiry, django_capture_on_commit_callbacks)
    assert sms_outbox == []
    response = enter_code(client, "register", "123456")
    assert "The code is not correct" in response.content.decode()


def test_code_page_says_how_many_tries_are_left_and_when_to_ask_again(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    start(client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    content = enter_code(client, "register", wrong).content.decode()
    assert "4 tries left" in content
    assert "You can ask for a new code from" in content


def test_qid_format_errors_are_shown_next_to_the_field(client):
    response = client.post("/en/accounts/register/", {"qid": "12345", "card_expiry": ""})
    form = response.context["form"]
    assert form.errors["qid"] == ["A Qatar ID number has exactly 11 digits."]
    assert "card_expiry" in form.errors


@pytest.mark.parametrize(
    ("password", "message_en", "message_ar"),
    [
        ("short1", "This password is too short", "كلمة المرور هذه قصيرة جدا"),
        ("password123", "This password is too common", "كلمة المرور هذه شائعة جداً"),
        (
            "1234567890123",
            "This password is entirely numeric",
            "كلمة المرور هذه تتكون من أرقام فقط",
        ),
        ("x" * 129, "This password is too long", "كلمة المرور طويلة جدًا"),
    ],
)
def test_weak_passwords_are_refused_in_both_languages(password, message_en, message_ar):

    person = PersonFactory()
    for language, message in (("en", message_en), ("ar", message_ar)):
        with translation.override(language):
            form = SetPasswordForm(person, {"new_password1": password, "new_password2": password})
            assert not form.is_valid()
            assert message in " ".join(form.errors["new_password2"]), form.errors


def test_a_password_like_the_qid_is_refused():

    person = PersonFactory()
    password = f"{person.qid}a"
    form = SetPasswordForm(person, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()


def test_a_long_passphrase_without_symbols_is_accepted():

    form = SetPasswordForm(
        PersonFactory(), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert form.is_valid(), form.errors


def test_password_step_needs_a_verified_code(client):
    response = client.get("/en/accounts/register/password/")
    assert response["Location"] == "/en/accounts/register/"


def test_passwords_are_stored_with_argon2id(newcomer):
    person, _card = newcomer
    person.set_password(NEW_PASSWORD)
    assert person.password.startswith("argon2$argon2id$")


def test_password_reset_ends_other_sessions_and_lifts_a_lock(
    newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(preferred_language="en")
    card = SmartCardFactory(person=person)
    phone = Client()
    phone.post("/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD})
    attacker = Client()
    for _ in range(5):
        attacker.post("/en/accounts/sign-in/", {"username": person.qid, "password": "nope" * 3})
    assert qid_locked_until(person.qid) is not None

    client = Client()
    start(client, "reset", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    enter_code(client, "reset", last_code(sms_outbox))
    with django_capture_on_commit_callbacks(execute=True):
        choose_password(client, "reset", NEW_PASSWORD)

    assert phone.get("/en/accounts/messages/").status_code == 302  # signed out
    assert qid_locked_until(person.qid) is None
    assert "password of your e-services account was changed" in sms_outbox[-1].body
    assert Person.objects.get(pk=person.pk).check_password(NEW_PASSWORD)


def test_password_reset_is_not_offered_to_a_person_without_an_account(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    start(client, "reset", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    assert sms_outbox == []


def test_a_registration_code_does_not_work_for_password_reset(
    newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    client = Client()
    start(client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    code = last_code(sms_outbox)
    session = client.session
    state = session["identity_flow"]
    state["flow"] = "reset"
    session["identity_flow"] = state
    session.save()
    response = enter_code(client, "reset", code)
    assert "The code is not correct" in response.content.decode()


def test_a_code_only_works_in_the_session_whose_details_matched(
    newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    victim, attacker = Client(), Client()
    start(victim, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    code = last_code(sms_outbox)
    wrong_expiry = card.expires_on - datetime.timedelta(days=1)
    start(attacker, "register", person.qid, wrong_expiry, django_capture_on_commit_callbacks)
    response = enter_code(attacker, "register", code)
    assert "The code is not correct" in response.content.decode()
    assert enter_code(victim, "register", code)["Location"] == "/en/accounts/register/password/"


def test_wrong_codes_from_a_session_with_wrong_details_do_not_void_the_real_code(
    newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    victim, attacker = Client(), Client()
    start(victim, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    code = last_code(sms_outbox)
    start(
        attacker,
        "register",
        person.qid,
        card.expires_on + datetime.timedelta(days=3),
        django_capture_on_commit_callbacks,
    )
    for _ in range(5):
        enter_code(attacker, "register", "000000" if code != "000000" else "111111")
    assert enter_code(victim, "register", code)["Location"] == "/en/accounts/register/password/"


@pytest.mark.parametrize("purpose", ["registration", "password_reset"])
def test_the_step_up_page_never_issues_registration_or_reset_codes(client, purpose):
    client.force_login(PersonFactory())
    response = client.get(f"/en/accounts/confirm/?purpose={purpose}&scope=x&next=/en/")
    assert response.status_code == 404


def test_nothing_typed_on_the_first_step_reaches_the_task_queue(
    newcomer, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    person, card = newcomer
    start(Client(), "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    (queued,) = default_task_backend.results
    assert queued.task.name == "identity_code_task"
    assert queued.args == []
    assert set(queued.kwargs) == {"flow_id"}
    assert person.qid not in str(queued.kwargs)
    assert card.expires_on.isoformat() not in str(queued.kwargs)


def test_guessing_card_expiry_dates_for_one_qid_is_stopped(newcomer, sms_outbox):
    person, card = newcomer
    for days in range(1, 6):
        guess = card.expires_on + datetime.timedelta(days=days)
        response = Client().post(
            "/en/accounts/register/", {"qid": person.qid, "card_expiry": guess.isoformat()}
        )
        assert response.status_code == 302
    response = Client().post(
        "/en/accounts/register/", {"qid": person.qid, "card_expiry": card.expires_on.isoformat()}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_one_address_cannot_try_many_qids(client):
    for n in range(20):
        client.post(
            "/en/accounts/password-reset/", {"qid": f"2856349{n:04d}", "card_expiry": "2029-01-01"}
        )
    response = client.post(
        "/en/accounts/password-reset/", {"qid": "28563400001", "card_expiry": "2029-01-01"}
    )
    assert response.status_code == 429


@pytest.mark.parametrize("typed", ["2856³400001", "285⁶³⁴00001", "285634０0001"])
def test_a_qid_with_superscript_or_other_unicode_digits_is_a_field_error(client, typed):
    response = client.post("/en/accounts/register/", {"qid": typed, "card_expiry": "2029-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["qid"] == ["A Qatar ID number has digits only."]


def test_arabic_indic_digits_and_spaces_still_reach_the_code_step(
    client, newcomer, django_capture_on_commit_callbacks
):
    person, card = newcomer
    typed = " ".join(person.qid.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    response = start(client, "register", typed, card.expires_on, django_capture_on_commit_callbacks)
    assert response["Location"] == "/en/accounts/register/code/"


def test_opening_the_code_page_sends_nothing(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    start(client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
    assert len(sms_outbox) == 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            assert client.get("/en/accounts/register/code/").status_code == 200
    assert callbacks == []
    assert len(sms_outbox) == 1


def test_after_a_new_code_the_page_does_not_also_say_when_to_ask_again(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    with time_machine.travel("2026-11-01 09:00 +03:00", tick=False) as clock:
        start(client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
        clock.shift(datetime.timedelta(seconds=61))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/accounts/register/code/", {"resend": "1"})
        content = client.get(response["Location"]).content.decode()
    assert len(sms_outbox) == 2
    assert "If the details match, a new code is on its way." in content
    assert "You can ask for a new code" not in content


def test_a_refused_new_code_is_not_announced_as_sent(
    client, newcomer, sms_outbox, django_capture_on_commit_callbacks
):
    person, card = newcomer
    with time_machine.travel("2026-11-01 09:00 +03:00", tick=False) as clock:
        start(client, "register", person.qid, card.expires_on, django_capture_on_commit_callbacks)
        clock.shift(datetime.timedelta(seconds=20))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/en/accounts/register/code/", {"resend": "1"}, follow=True)
    content = response.content.decode()
    assert len(sms_outbox) == 1
    assert "a new code is on its way" not in content
    assert "You can ask for a new code at 09:01." in content
