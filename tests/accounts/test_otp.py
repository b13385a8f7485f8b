import datetime
import logging
import re

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.db.models import CharField, TextField

from accounts.constants import OTPEventKind, OTPPurpose
from accounts.models import OTPEvent
from accounts.otp import OTPRefused, otp_send, otp_verify
from tests.accounts.conftest import last_code
from tests.factories import PersonFactory
from tests.helpers import race

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def person():
    return PersonFactory(mobile="+97455123456", preferred_language="en")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def issue(django_capture_on_commit_callbacks, sms_outbox):
    """Send a code and return it as the SMS carried it."""

    def _issue(person, purpose=OTPPurpose.ESERVICES, number=None):
        with django_capture_on_commit_callbacks(execute=True):
            otp_send(person=person, purpose=purpose, number=number)
        return last_code(sms_outbox, number or person.mobile)

    return _issue


def test_code_is_six_digits_sent_to_the_registered_mobile(person, issue, sms_outbox):
    code = issue(person)
    assert len(code) == 6
    assert code.isdigit()
    assert sms_outbox[-1].to == "+97455123456"
    assert "valid for 5 minutes" in sms_outbox[-1].body


def test_a_code_is_accepted_once(person, issue):
    code = issue(person)
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)
    assert not otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)


def test_code_typed_with_arabic_indic_digits_is_accepted(person, issue):
    code = issue(person)
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=arabic)


def test_code_expires_after_five_minutes(person, issue, clock):
    code = issue(person)
    clock.shift(datetime.timedelta(minutes=5, seconds=1))
    check = otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)
    assert not check
    assert check.reason == "expired"


def test_code_is_still_valid_just_before_five_minutes(person, issue, clock):
    code = issue(person)
    clock.shift(datetime.timedelta(minutes=4, seconds=59))
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)


@pytest.mark.parametrize(
    ("issued_for", "tried_for"),
    [
        (OTPPurpose.PASSWORD_RESET, OTPPurpose.ESERVICES),
        (OTPPurpose.ESERVICES, OTPPurpose.RESIDENCY_SUBMISSION),
        (OTPPurpose.REGISTRATION, OTPPurpose.PASSWORD_RESET),
        (OTPPurpose.MOBILE_CHANGE, OTPPurpose.ESERVICES),
    ],
)
def test_code_issued_for_one_purpose_never_validates_another(person, issue, issued_for, tried_for):
    code = issue(person, issued_for)
    assert not otp_verify(person=person, purpose=tried_for, code=code)
    assert otp_verify(person=person, purpose=issued_for, code=code)


def test_code_sent_to_a_new_number_is_bound_to_that_number(person, issue):
    code = issue(person, OTPPurpose.MOBILE_CHANGE, number="+97466000001")
    assert not otp_verify(person=person, purpose=OTPPurpose.MOBILE_CHANGE, code=code)
    assert otp_verify(
        person=person, purpose=OTPPurpose.MOBILE_CHANGE, code=code, number="+97466000001"
    )


def test_code_of_another_person_is_refused(person, issue):
    code = issue(person)
    other = PersonFactory()
    assert not otp_verify(person=other, purpose=OTPPurpose.ESERVICES, code=code)
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_five_wrong_codes_void_the_challenge(person, issue):
    code = issue(person)
    results = [
        otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(code)) for _ in range(5)
    ]
    assert [r.tries_left for r in results] == [4, 3, 2, 1, 0]
    assert results[-1].reason == "void"
    check = otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)
    assert not check
    assert check.reason == "void"


def test_asking_for_a_new_code_keeps_the_failure_count(person, issue, clock):
    code = issue(person)
    for _ in range(3):
        otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(code))
    clock.shift(datetime.timedelta(seconds=61))
    new_code = issue(person)
    first = otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(new_code))
    assert first.tries_left == 1
    second = otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(new_code))
    assert second.reason == "void"
    assert not otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=new_code)


def test_after_a_voided_challenge_a_new_code_can_be_used(person, issue, clock):
    code = issue(person)
    for _ in range(5):
        otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(code))
    clock.shift(datetime.timedelta(seconds=61))
    new_code = issue(person)
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=new_code)


def test_only_the_newest_code_of_a_purpose_is_valid(person, issue, clock):
    old = issue(person)
    clock.shift(datetime.timedelta(seconds=61))
    new = issue(person)
    assert old != new  # two random 6-digit codes: equal once in a million
    assert not otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=old)
    assert otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=new)


def test_a_new_code_is_refused_within_sixty_seconds(person, issue, clock):
    issue(person)
    clock.shift(datetime.timedelta(seconds=59))
    with pytest.raises(OTPRefused) as refused:
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    assert refused.value.next_send_at == START + datetime.timedelta(seconds=60)
    clock.shift(datetime.timedelta(seconds=1))
    issue(person)


def test_at_most_five_codes_per_person_per_hour(person, issue, clock):
    purposes = [OTPPurpose.ESERVICES, OTPPurpose.MOBILE_CHANGE] * 3
    for purpose in purposes[:5]:
        issue(person, purpose)
        clock.shift(datetime.timedelta(minutes=2))
    with pytest.raises(OTPRefused) as refused:
        otp_send(person=person, purpose=OTPPurpose.RESIDENCY_SUBMISSION)
    assert refused.value.next_send_at == START + datetime.timedelta(hours=1)
    clock.move_to(START + datetime.timedelta(hours=1, seconds=1))
    issue(person, OTPPurpose.RESIDENCY_SUBMISSION)


def test_at_most_ten_codes_per_number_per_day(issue, clock):
    people = [PersonFactory(mobile="+97455999999") for _ in range(3)]
    sent = 0
    for person in people:
        for _ in range(4):
            if sent == 10:
                break
            issue(person)
            sent += 1
            clock.shift(datetime.timedelta(minutes=2))
    with pytest.raises(OTPRefused):
        otp_send(person=people[2], purpose=OTPPurpose.MOBILE_CHANGE)
    clock.move_to(START + datetime.timedelta(days=1, seconds=1))
    issue(people[2], OTPPurpose.MOBILE_CHANGE)


def test_refused_codes_are_recorded_but_not_counted_as_sent(person, issue):
    issue(person)
    with pytest.raises(OTPRefused):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    kinds = list(OTPEvent.objects.filter(person=person).values_list("kind", flat=True))
    assert sorted(kinds) == [OTPEventKind.REFUSED, OTPEventKind.SENT]


def test_a_person_without_a_mobile_is_told_so(issue):
    with pytest.raises(OTPRefused) as refused:
        otp_send(person=PersonFactory(mobile=""), purpose=OTPPurpose.ESERVICES)
    assert refused.value.code == "no_mobile"


def test_the_code_appears_only_in_the_sms_body(person, issue, caplog, clock):
    caplog.set_level(logging.DEBUG)
    code = issue(person)
    otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=wrong(code))
    otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code)
    standalone = re.compile(rf"(?<![0-9A-Za-z]){code}(?![0-9A-Za-z])")
    assert not standalone.search(caplog.text)
    for model in apps.get_models():
        text_fields = [
            f.name for f in model._meta.concrete_fields if isinstance(f, CharField | TextField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            assert not any(standalone.search(str(value)) for value in row), model.__name__


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite locks the whole file: only PostgreSQL (CI) has the row locks this tests",
)
def test_twenty_parallel_submissions_of_one_code_give_exactly_one_success(person, sms_outbox):
    otp_send(person=person, purpose=OTPPurpose.ESERVICES)  # committed: on_commit runs now
    code = last_code(sms_outbox)

    def submit():
        return bool(otp_verify(person=person, purpose=OTPPurpose.ESERVICES, code=code))

    assert sorted(race([submit] * 20)) == [False] * 19 + [True]
