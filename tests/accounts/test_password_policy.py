"""Password policy as NIST SP 800-63B asks: common, breached and
context-specific passwords are refused with the reason, and passwords are
compared in Unicode NFKC."""

import datetime
import unicodedata

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import views
from accounts.forms import PasswordSetForm
from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

SERVICE = "the name of the ministry or of this portal"
GUESSABLE = "Your password is too guessable"


@pytest.fixture
def sara():
    return PersonFactory(
        qid="28563400001",
        name_en="Sara Ahmed Al-Kuwari",
        name_ar="سارة أحمد الكواري",
        date_of_birth=datetime.date(1985, 6, 15),
        mobile="+97455123456",
        preferred_language="en",
    )


def refusal(password, person) -> str:
    try:
        password_validation.validate_password(password, person)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Password123!", GUESSABLE),
        ("Sara12345678", "Your password contains your name."),
        ("Portal-Demo-2026", SERVICE),
        ("Ministry of Interior", SERVICE),
        ("ministryofinterior2026", SERVICE),
        ("MOI-2026-login", SERVICE),
        ("Moi@Falcon-Harbour", SERVICE),
        ("Metrash2-login", SERVICE),
        ("M3trash-Garden-44", SERVICE),
        ("e-Services#2026", SERVICE),
        ("my eservices account", SERVICE),
        ("Q@tar-2026-home", SERVICE),
        ("QATAR lovely football", SERVICE),
        ("قطر الجميلة 2026", SERVICE),
        ("Kuwari-family-garden", "Your password contains your name."),
        ("سارة-حديقة-الورد", "Your password contains your name."),
        ("Falcon-Harbour-28563400001", "Your password contains your Qatar ID number."),
        ("Falcon-Harbour-1985", "Your password contains your year of birth."),
        ("Falcon-Harbour-١٩٨٥", "Your password contains your year of birth."),
        ("Falcon-Harbour-55123456", "Your password contains your mobile number."),
    ],
)
def test_common_and_context_specific_passwords_are_refused_with_the_reason(sara, password, reason):
    with translation.override("en"):
        assert reason in refusal(password, sara)


def test_a_sentence_with_nothing_about_the_person_or_the_ministry_is_accepted(sara):
    assert refusal("Lantern orchid velvet quietly", sara) == ""
    assert refusal("a quiet walk along the corniche", sara) == ""


def test_the_demo_password_passes_the_policy(sara):
    assert refusal(DEMO_PASSWORD, sara) == ""
    assert refusal(DEMO_PASSWORD, None) == ""


@pytest.mark.parametrize(
    ("language", "reasons"),
    [
        ("en", ["Your password contains the name of the ministry or of this portal (portal)."]),
        ("ar", ["كلمة المرور تحتوي على اسم الوزارة أو اسم هذه البوابة (portal)."]),
    ],
)
def test_the_reason_is_shown_under_the_password_field_in_both_languages(sara, language, reasons):
    with translation.override(language):
        form = PasswordSetForm(
            sara, {"new_password1": "Portal-Demo-2026", "new_password2": "Portal-Demo-2026"}
        )
        assert not form.is_valid()
        shown = " ".join(form.errors["new_password1"])
    for reason in reasons:
        assert reason in shown
    assert "new_password2" not in form.errors


def test_the_reset_page_shows_the_reason_next_to_the_password_field(client, sara):

    session = client.session
    session[views.VERIFIED_KEY] = {
        "flow": "reset",
        "person": sara.pk,
        "at": datetime.datetime.now(tz=datetime.UTC).timestamp(),
    }
    session.save()
    page = client.post(
        "/ar/accounts/password-reset/password/",
        {"new_password1": "Sara12345678", "new_password2": "Sara12345678"},
    ).content.decode()
    field = page[page.index('id="id_new_password1_error"') :]
    assert field.index("كلمة المرور تحتوي على اسمك") < field.index('name="new_password1"')


def test_composed_and_decomposed_accents_are_one_password(client, sara):
    composed = unicodedata.normalize("NFC", "Café lantern orchid velvet")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    sara.set_password(composed)
    sara.save()

    response = client.post("/en/accounts/sign-in/", {"username": sara.qid, "password": decomposed})

    assert response.status_code == 302
    assert response.wsgi_request.user == sara
    assert Person.objects.get(pk=sara.pk).check_password(composed)


def test_the_set_password_form_stores_the_nfkc_form(sara):
    fullwidth = "Ｌａｎｔｅｒｎ orchid velvet quietly"
    form = PasswordSetForm(sara, {"new_password1": fullwidth, "new_password2": fullwidth})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["new_password1"] == "Lantern orchid velvet quietly"
