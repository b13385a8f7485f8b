"""Law No. 10 of 2018 and PRODUCT.md section 6.1, one rule per row."""

import datetime

import pytest
from django.utils import translation

from accounts.constants import CardKind, CardStatus
from residency.constants import Basis
from residency.eligibility import (
    declaration_years,
    eligibility_basis,
    eligibility_to_apply,
)
from tests.factories import PersonFactory, SmartCardFactory
from tests.residency.factories import ApplicationFactory, ResidentFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def codes(failures):
    return [failure.code for failure in failures]


def test_a_resident_with_a_valid_permit_may_apply():
    assert eligibility_to_apply(person=ResidentFactory(), today=TODAY) == []


def test_a_citizen_is_told_citizens_do_not_need_the_card():
    with translation.override("en"):
        failures = eligibility_to_apply(person=PersonFactory(), today=TODAY)
    assert codes(failures) == ["citizen"]
    assert "Qatari citizens" in failures[0].reason


@pytest.mark.parametrize(
    ("card", "expected"),
    [
        (None, ["no_valid_residence_permit"]),
        ({"status": CardStatus.EXPIRED}, ["no_valid_residence_permit"]),
        ({"status": CardStatus.CANCELLED}, ["no_valid_residence_permit"]),
        ({"expires_on": TODAY - datetime.timedelta(days=1)}, ["no_valid_residence_permit"]),
        ({}, []),
    ],
)
def test_a_valid_residence_permit_is_needed(card, expected):
    person = PersonFactory(resident=True)
    if card is not None:
        SmartCardFactory(person=person, kind=CardKind.RESIDENCE_PERMIT, **card)
    assert codes(eligibility_to_apply(person=person, today=TODAY)) == expected


def test_a_holder_of_a_permanent_residency_card_cannot_apply_again():
    person = PersonFactory(resident=True)
    SmartCardFactory(person=person, kind=CardKind.PERMANENT_RESIDENCY)
    assert codes(eligibility_to_apply(person=person, today=TODAY)) == ["already_permanent_resident"]


def test_a_person_with_an_open_application_is_told_its_reference():
    application = ApplicationFactory(submitted=True)
    failures = eligibility_to_apply(person=application.person, today=TODAY)
    assert codes(failures) == ["open_application"]
    assert application.reference in failures[0].reason


@pytest.mark.parametrize("closed", ["rejected", "withdrawn", "card_issued"])
def test_a_closed_application_does_not_stop_a_new_one(closed):
    application = ApplicationFactory(**{closed: True})
    assert eligibility_to_apply(person=application.person, today=TODAY) == []


def all_years(basis, days=0):
    return {str(year): days for year in declaration_years(basis=basis, today=TODAY)}


@pytest.mark.parametrize(
    ("basis", "resident_since", "days_abroad", "expected"),
    [
        (Basis.RESIDENCE_BORN_ABROAD, datetime.date(2006, 6, 15), "ok", []),
        (
            Basis.RESIDENCE_BORN_ABROAD,
            datetime.date(2006, 6, 16),
            "ok",
            ["residence_too_short"],
        ),
        (Basis.RESIDENCE_BORN_IN_QATAR, datetime.date(2016, 6, 15), "ok", []),
        (
            Basis.RESIDENCE_BORN_IN_QATAR,
            datetime.date(2021, 9, 1),
            "ok",
            ["residence_too_short"],
        ),
        (Basis.RESIDENCE_BORN_ABROAD, None, "ok", ["residence_start_unknown"]),
        (Basis.RESIDENCE_BORN_IN_QATAR, datetime.date(2010, 1, 1), "60", []),
        (Basis.RESIDENCE_BORN_IN_QATAR, datetime.date(2010, 1, 1), "61", ["too_long_abroad"]),
        (
            Basis.RESIDENCE_BORN_IN_QATAR,
            datetime.date(2010, 1, 1),
            "missing",
            ["days_abroad_missing"],
        ),
        (Basis.SPOUSE_OF_QATARI, datetime.date(2024, 1, 1), {}, []),
        (Basis.CHILD_OF_QATARI_MOTHER, None, {}, []),
        (Basis.DISTINGUISHED_SERVICE, datetime.date(2025, 1, 1), {}, []),
        (Basis.SPECIAL_COMPETENCE, datetime.date(2025, 1, 1), {}, []),
    ],
)
def test_basis_rules(basis, resident_since, days_abroad, expected):
    person = PersonFactory(resident=True, resident_since=resident_since)
    if days_abroad == "ok":
        days_abroad = all_years(basis, 5)
    elif days_abroad == "60":
        days_abroad = all_years(basis, 60)
    elif days_abroad == "61":
        days_abroad = {**all_years(basis, 5), "2019": 61}
    elif days_abroad == "missing":
        days_abroad = all_years(basis, 5)
        days_abroad.pop("2020")
    failures = eligibility_basis(person=person, basis=basis, days_abroad=days_abroad, today=TODAY)
    assert codes(failures) == expected


def test_too_long_abroad_names_the_year():
    person = PersonFactory(resident=True)
    days = {**all_years(Basis.RESIDENCE_BORN_ABROAD, 0), "2019": 90}
    (failure,) = eligibility_basis(
        person=person, basis=Basis.RESIDENCE_BORN_ABROAD, days_abroad=days, today=TODAY
    )
    assert "2019" in failure.reason
    assert "60" in failure.reason


def test_the_years_declared_are_the_completed_years_of_the_period():
    assert declaration_years(basis=Basis.RESIDENCE_BORN_IN_QATAR, today=TODAY) == list(
        range(2025, 2015, -1)
    )
    assert declaration_years(basis=Basis.SPOUSE_OF_QATARI, today=TODAY) == []
