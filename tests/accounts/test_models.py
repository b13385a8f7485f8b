import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.constants import CardKind, CardStatus
from accounts.models import Person
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory

pytestmark = pytest.mark.django_db


def test_a_person_has_at_most_one_valid_card_of_each_kind():
    card = SmartCardFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SmartCardFactory(person=card.person)


def test_expired_and_cancelled_cards_do_not_block_a_new_valid_card():
    card = SmartCardFactory(expired=True)
    SmartCardFactory(person=card.person, status=CardStatus.CANCELLED)
    SmartCardFactory(person=card.person)
    SmartCardFactory(person=card.person, kind=CardKind.PERMANENT_RESIDENCY)
    assert card.person.cards.filter(status=CardStatus.VALID).count() == 2


def test_the_constraint_is_reported_when_validating_a_second_valid_card():
    card = SmartCardFactory()
    second = SmartCardFactory.build(person=card.person)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already has a valid card of this kind"),
    ):
        second.full_clean()


def test_register_rows_have_no_usable_password_until_registration():
    person = Person.objects.create_user(
        "28563400001",
        name_ar="أحمد",
        name_en="Ahmed",
        date_of_birth=datetime.date(1985, 3, 14),
        nationality="QA",
    )
    assert not person.has_usable_password()
    assert not person.has_online_account


def test_person_is_citizen_when_the_qid_nationality_code_is_634():
    assert PersonFactory(nationality="QA").is_citizen
    assert not PersonFactory(resident=True).is_citizen


def test_date_of_birth_must_match_the_qid():
    person = PersonFactory.build(qid="28563400001", date_of_birth=datetime.date(1990, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean(exclude=["password"])
    assert "date_of_birth" in excinfo.value.message_dict


def test_nationality_must_match_the_qid():
    person = PersonFactory.build(
        qid="28563400001", date_of_birth=datetime.date(1985, 1, 1), nationality="IN"
    )
    with pytest.raises(ValidationError) as excinfo:
        person.full_clean(exclude=["password"])
    assert "nationality" in excinfo.value.message_dict


@pytest.mark.parametrize(
    ("day", "age"),
    [
        (datetime.date(2026, 6, 14), 17),
        (datetime.date(2026, 6, 15), 18),
        (datetime.date(2027, 6, 14), 18),
    ],
)
def test_age_changes_on_the_birthday(day, age):
    person = PersonFactory.build(date_of_birth=datetime.date(2008, 6, 15))
    assert person.age_on(day) == age


def test_leap_day_birthdays_turn_a_year_older_on_the_first_of_march():
    person = PersonFactory.build(date_of_birth=datetime.date(2008, 2, 29))
    assert person.age_on(datetime.date(2026, 2, 28)) == 17
    assert person.age_on(datetime.date(2026, 3, 1)) == 18


@pytest.mark.parametrize(("language", "shown"), [("ar", "الدفع الإلكتروني"), ("en", "E-payment")])
def test_a_catalogue_entry_is_shown_by_its_name_in_the_readers_language(language, shown):
    service = EServiceFactory.build(name_ar="الدفع الإلكتروني", name_en="E-payment")
    with translation.override(language):
        assert str(service) == service.name == shown
