"""PRODUCT.md section 2, rules 1-7: every rule alone, in combination, and at its boundaries."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from accounts.constants import CardStatus, ChipStatus
from activation.constants import Rule
from activation.eligibility import eligibility_failures, months_before
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory
from tests.helpers import eligibility_codes

DOHA = zoneinfo.ZoneInfo("Asia/Qatar")
NOW = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=DOHA)
TODAY = NOW.date()


def eligible_person(**overrides):
    values = {
        "date_of_birth": datetime.date(1985, 6, 15),
        "mobile": "+97455123456",
        "data_verified": True,
        "data_reviewed_at": NOW - datetime.timedelta(days=30),
    }
    person = PersonFactory.build(**{**values, **overrides})
    person.photo.name = "approved.jpg"
    return person


def valid_card(**overrides):
    values = {"pk": 7, "expires_on": TODAY + datetime.timedelta(days=365)}
    return SmartCardFactory.build(**{**values, **overrides})


def service(**overrides):
    return EServiceFactory.build(**{"minimum_age": 18, "needs_photo": True, **overrides})


def without_photo(person):
    person.photo.name = ""
    return person


BROKEN = {
    Rule.VALID_CARD: {"card": {"status": CardStatus.EXPIRED}},
    Rule.CHIP_ACTIVE: {"card": {"chip_status": ChipStatus.INACTIVE}},
    Rule.DATA_VERIFIED: {"person": {"data_verified": False}},
    Rule.MOBILE_LINKED: {"person": {"mobile": ""}},
    Rule.DATA_REVIEWED: {"person": {"data_reviewed_at": None}},
    Rule.MINIMUM_AGE: {"person": {"date_of_birth": datetime.date(2012, 5, 10)}},
    Rule.PHOTO_APPROVED: {"photo": False},
}


def codes_when_broken(*rules):
    person_changes, card_changes, photo = {}, {}, True
    for rule in rules:
        person_changes.update(BROKEN[rule].get("person", {}))
        card_changes.update(BROKEN[rule].get("card", {}))
        photo = photo and BROKEN[rule].get("photo", True)
    person = eligible_person(**person_changes)
    if not photo:
        without_photo(person)
    return eligibility_codes(
        person=person, card=valid_card(**card_changes), service=service(), today=TODAY, now=NOW
    )


def test_a_person_meeting_every_rule_is_eligible():
    assert codes_when_broken() == []


@pytest.mark.parametrize("rule", list(BROKEN))
def test_each_rule_alone_is_reported_alone(rule):
    assert codes_when_broken(rule) == [rule]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            [Rule.DATA_VERIFIED, Rule.MOBILE_LINKED, Rule.DATA_REVIEWED],
            [Rule.DATA_VERIFIED, Rule.MOBILE_LINKED, Rule.DATA_REVIEWED],
        ),
        ([Rule.MINIMUM_AGE, Rule.PHOTO_APPROVED], [Rule.MINIMUM_AGE, Rule.PHOTO_APPROVED]),
        (
            [Rule.CHIP_ACTIVE, Rule.DATA_REVIEWED, Rule.MINIMUM_AGE],
            [Rule.CHIP_ACTIVE, Rule.DATA_REVIEWED, Rule.MINIMUM_AGE],
        ),
        # The chip of an expired card is not judged: the fix is a new card.
        ([Rule.VALID_CARD, Rule.CHIP_ACTIVE], [Rule.VALID_CARD]),
        (list(BROKEN), [rule for rule in BROKEN if rule != Rule.CHIP_ACTIVE]),
    ],
    ids=["person-data", "age-and-photo", "chip-review-age", "expired-card-hides-chip", "all"],
)
def test_failing_rules_are_all_reported_in_rule_order(rules, expected):
    assert codes_when_broken(*rules) == expected


def test_a_card_past_its_expiry_date_fails_even_if_still_marked_valid():
    card = valid_card(expires_on=TODAY - datetime.timedelta(days=1))
    assert eligibility_codes(
        person=eligible_person(), card=card, service=service(), today=TODAY, now=NOW
    ) == [Rule.VALID_CARD]


def test_a_card_expiring_today_is_still_valid():
    card = valid_card(expires_on=TODAY)
    assert (
        eligibility_codes(
            person=eligible_person(), card=card, service=service(), today=TODAY, now=NOW
        )
        == []
    )


@pytest.mark.parametrize("status", [CardStatus.CANCELLED, CardStatus.LOST, CardStatus.EXPIRED])
def test_a_card_that_is_not_valid_fails_rule_one(status):
    assert eligibility_codes(
        person=eligible_person(), card=valid_card(status=status), service=service(), now=NOW
    ) == [Rule.VALID_CARD]


def test_no_card_at_all_fails_rule_one():
    assert eligibility_codes(person=eligible_person(), card=None, service=service(), now=NOW) == [
        Rule.VALID_CARD
    ]


def test_a_blocked_chip_fails_rule_two_without_offering_a_chip_request():
    card = valid_card(chip_status=ChipStatus.BLOCKED)
    [failure] = eligibility_failures(
        person=eligible_person(), card=card, service=service(), now=NOW
    )
    assert failure.code == Rule.CHIP_ACTIVE
    assert failure.fix_url == ""


@pytest.mark.parametrize(
    ("today", "eligible"),
    [
        (datetime.date(2026, 3, 13), False),  # the day before the 18th birthday
        (datetime.date(2026, 3, 14), True),  # the 18th birthday
        (datetime.date(2026, 3, 15), True),
    ],
)
def test_minimum_age_is_reached_on_the_18th_birthday(today, eligible):
    person = eligible_person(date_of_birth=datetime.date(2008, 3, 14))
    codes = eligibility_codes(person=person, card=valid_card(), service=service(), today=today)
    assert (Rule.MINIMUM_AGE not in codes) is eligible


@pytest.mark.parametrize(
    ("today", "eligible"),
    [(datetime.date(2026, 2, 28), False), (datetime.date(2026, 3, 1), True)],
)
def test_a_person_born_on_29_february_turns_18_on_1_march(today, eligible):
    person = eligible_person(date_of_birth=datetime.date(2008, 2, 29))
    codes = eligibility_codes(person=person, card=valid_card(), service=service(), today=today)
    assert (Rule.MINIMUM_AGE not in codes) is eligible


def test_a_service_without_minimum_age_is_open_to_minors():
    person = eligible_person(date_of_birth=datetime.date(2016, 1, 1))
    codes = eligibility_codes(
        person=person, card=valid_card(), service=service(minimum_age=0), today=TODAY, now=NOW
    )
    assert codes == []


def test_a_service_that_needs_no_photo_ignores_the_missing_photo():
    person = without_photo(eligible_person())
    codes = eligibility_codes(
        person=person, card=valid_card(), service=service(needs_photo=False), now=NOW
    )
    assert codes == []


@pytest.mark.parametrize(
    ("reviewed_at", "eligible"),
    [
        (datetime.datetime(2025, 5, 1, 10, 0, tzinfo=DOHA), True),  # exactly 12 months ago
        (datetime.datetime(2025, 5, 1, 9, 59, 59, tzinfo=DOHA), False),  # a second more
        (datetime.datetime(2025, 11, 1, 0, 0, tzinfo=DOHA), True),
        (datetime.datetime(2024, 5, 1, 10, 0, tzinfo=DOHA), False),
    ],
)
def test_data_must_have_been_confirmed_within_the_last_12_months(reviewed_at, eligible):
    person = eligible_person(data_reviewed_at=reviewed_at)
    codes = eligibility_codes(person=person, card=valid_card(), service=service(), now=NOW)
    assert (Rule.DATA_REVIEWED not in codes) is eligible


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime.datetime(2026, 5, 1, 10, 0), 12, datetime.datetime(2025, 5, 1, 10, 0)),
        (datetime.datetime(2025, 2, 28, 8, 0), 12, datetime.datetime(2024, 2, 28, 8, 0)),
        (datetime.datetime(2024, 2, 29, 8, 0), 12, datetime.datetime(2023, 2, 28, 8, 0)),
        (datetime.datetime(2026, 3, 31, 8, 0), 1, datetime.datetime(2026, 2, 28, 8, 0)),
        (datetime.datetime(2026, 1, 15, 8, 0), 1, datetime.datetime(2025, 12, 15, 8, 0)),
    ],
)
def test_months_before_keeps_the_day_or_falls_back_to_the_month_end(moment, months, expected):
    result = months_before(moment.replace(tzinfo=DOHA), months)
    assert result.replace(tzinfo=None) == expected


def test_rules_use_qatar_time_when_no_time_is_given():
    person = eligible_person(date_of_birth=datetime.date(2008, 3, 14))
    # 21:30 UTC on the 13th is already 00:30 on the 14th, the birthday, in Doha.
    with time_machine.travel(datetime.datetime(2026, 3, 13, 21, 30, tzinfo=datetime.UTC)):
        assert Rule.MINIMUM_AGE not in eligibility_codes(
            person=person, card=valid_card(), service=service()
        )
    with time_machine.travel(datetime.datetime(2026, 3, 13, 20, 30, tzinfo=datetime.UTC)):
        assert Rule.MINIMUM_AGE in eligibility_codes(
            person=person, card=valid_card(), service=service()
        )


def test_every_failure_has_a_reason_and_fix_links_point_to_portal_pages():
    person = without_photo(eligible_person(data_verified=False, mobile="", data_reviewed_at=None))
    card = valid_card(chip_status=ChipStatus.INACTIVE)
    with translation.override("en"):
        failures = eligibility_failures(person=person, card=card, service=service(), now=NOW)
    assert all(failure.reason for failure in failures)
    links = {failure.code: failure.fix_url for failure in failures}
    assert links[Rule.CHIP_ACTIVE] == "/en/e-services/cards/7/chip/"
    assert links[Rule.DATA_REVIEWED] == "/en/e-services/profile/"
    assert links[Rule.PHOTO_APPROVED] == "/en/e-services/profile/photo/"
    assert links[Rule.MOBILE_LINKED] == "/en/e-services/profile/mobile/"


def test_the_age_reason_names_the_minimum_age_in_arabic():
    person = eligible_person(date_of_birth=datetime.date(2012, 5, 10))
    with translation.override("ar"):
        [failure] = eligibility_failures(
            person=person, card=valid_card(), service=service(needs_photo=False), now=NOW
        )
    assert failure.code == Rule.MINIMUM_AGE
    assert "18" in failure.reason
