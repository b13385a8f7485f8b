"""The application's life, through the services only (PRODUCT.md section 6)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import StatusChange
from accounts.services import InvalidTransition, request_transition
from messaging.models import Notification
from residency import services
from residency.constants import ApplicationStatus
from residency.models import Application
from tests.factories import PersonFactory
from tests.residency.factories import (
    ApplicationFactory,
    PublicHolidayFactory,
    ResidentFactory,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus
QATAR = ZoneInfo("Asia/Qatar")
MONDAY = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=QATAR)


@pytest.fixture
def reviewer():
    return PersonFactory(staff=True)


def history(application):
    return list(
        StatusChange.objects.filter(object_id=application.pk, reference=application.reference)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )


def test_a_resident_starts_a_draft_with_a_pr_reference():
    person = ResidentFactory()
    application = services.application_start(person=person, now=MONDAY)
    assert application.status == S.DRAFT
    assert application.reference.startswith("PR-")
    assert len(application.reference) == len("PR-2026-000001")
    assert history(application) == [("", S.DRAFT)]


def test_a_citizen_cannot_start_an_application():
    with pytest.raises(ValidationError) as error:
        services.application_start(person=PersonFactory(), now=MONDAY)
    assert error.value.error_list[0].code == "citizen"
    assert not Application.objects.exists()


def test_a_second_open_application_is_refused_by_the_service():
    application = ApplicationFactory()
    with pytest.raises(ValidationError) as error:
        services.application_start(person=application.person, now=MONDAY)
    assert error.value.error_list[0].code == "open_application"


def test_the_database_allows_one_open_application_per_person():
    application = ApplicationFactory(submitted=True)
    with pytest.raises(IntegrityError):
        ApplicationFactory(person=application.person)


def test_a_closed_application_leaves_room_for_a_new_one():
    application = ApplicationFactory(rejected=True)
    assert ApplicationFactory(person=application.person).status == S.DRAFT


def test_submitting_a_complete_draft_starts_the_five_working_day_clock():
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False):
        services.application_submit(application=application, actor=application.person)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.clock_started_on == datetime.date(2026, 6, 15)
    # Tue, Wed, Thu, (Fri and Sat off), Sun, Mon.
    assert application.decision_due_on == datetime.date(2026, 6, 22)
    assert application.declared_at == MONDAY
    change = StatusChange.objects.get(reference=application.reference, to_status=S.SUBMITTED)
    assert change.actor == application.person
    assert change.from_status == S.DRAFT


def test_public_holidays_do_not_count_as_working_days():
    PublicHolidayFactory(date=datetime.date(2026, 6, 17))
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False):
        services.application_submit(application=application, actor=application.person)
    application.refresh_from_db()
    assert application.decision_due_on == datetime.date(2026, 6, 23)


def test_submission_sends_a_confirmation_with_the_expected_decision_date():
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False):
        services.application_submit(application=application, actor=application.person)
    message = Notification.objects.get(person=application.person)
    assert message.template == "residency_submitted"
    assert application.reference in message.subject
    assert "22 June 2026" in message.body or "June 22, 2026" in message.body


def test_submitting_twice_submits_once():
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False):
        services.application_submit(application=application, actor=application.person)
        with pytest.raises(InvalidTransition):
            services.application_submit(application=application, actor=application.person)
    assert history(application).count(("draft", "submitted")) == 1
    assert Notification.objects.filter(person=application.person).count() == 1


def test_an_incomplete_draft_cannot_be_submitted():
    application = ApplicationFactory()  # no documents
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, actor=application.person)
    assert error.value.code == "incomplete"
    application.refresh_from_db()
    assert application.status == S.DRAFT


def test_submission_checks_the_residence_years_against_the_register():
    person = ResidentFactory(resident_since=datetime.date(2021, 9, 1))
    application = ApplicationFactory(person=person, documents=True, application_fee_paid=True)
    with time_machine.travel(MONDAY, tick=False), pytest.raises(ValidationError) as error:
        services.application_submit(application=application, actor=person)
    assert [e.code for e in error.value.error_list] == ["residence_too_short"]
    application.refresh_from_db()
    assert application.status == S.DRAFT


@pytest.mark.parametrize(
    ("trait", "to"),
    [
        ("submitted", S.APPROVED),
        ("submitted", S.CARD_ISSUED),
        ("approved", S.WITHDRAWN),
        ("rejected", S.UNDER_REVIEW),
        ("withdrawn", S.SUBMITTED),
        ("card_issued", S.APPOINTMENT_BOOKED),
        ("more_info_requested", S.APPROVED),
    ],
)
def test_an_invalid_transition_raises_and_changes_nothing(trait, to):
    application = ApplicationFactory(**{trait: True})
    before = application.status
    with pytest.raises(InvalidTransition):
        request_transition(application, to=to)
    application.refresh_from_db()
    assert application.status == before
    assert not StatusChange.objects.filter(reference=application.reference).exists()


def test_every_state_change_is_in_the_one_table():
    for source, targets in Application.TRANSITIONS.items():
        assert source in S.values
        assert targets <= set(S.values)
    reachable = set().union(*Application.TRANSITIONS.values()) | {Application.INITIAL_STATUS}
    assert reachable == set(S.values)


def test_reject_records_the_reason_for_the_applicant(reviewer):
    application = ApplicationFactory(submitted=True)
    services.application_reject(
        application=application, actor=reviewer, reason="The salary certificate is expired."
    )
    application.refresh_from_db()
    assert application.status == S.REJECTED
    assert application.decided_at is not None
    assert history(application) == [(S.SUBMITTED, S.UNDER_REVIEW), (S.UNDER_REVIEW, S.REJECTED)]
    change = StatusChange.objects.get(reference=application.reference, to_status=S.REJECTED)
    assert change.actor == reviewer
    assert change.note == "The salary certificate is expired."
    message = Notification.objects.get(person=application.person)
    assert message.template == "residency_rejected"
    assert "The salary certificate is expired." in message.body


def test_reject_needs_a_reason(reviewer):
    application = ApplicationFactory(submitted=True)
    with pytest.raises(ValidationError):
        services.application_reject(application=application, actor=reviewer, reason="  ")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_more_information_then_resubmission_restarts_the_clock(reviewer):
    application = ApplicationFactory(submitted=True)
    services.application_request_information(
        application=application, actor=reviewer, message="Upload a clearer passport copy."
    )
    application.refresh_from_db()
    assert application.status == S.MORE_INFO_REQUESTED
    message = Notification.objects.get(person=application.person)
    assert "clearer passport copy" in message.body
    with time_machine.travel(datetime.datetime(2026, 6, 18, 10, 0, tzinfo=QATAR), tick=False):
        services.application_resubmit(application=application, actor=application.person)
    application.refresh_from_db()
    assert application.status == S.RESUBMITTED
    assert application.clock_started_on == datetime.date(2026, 6, 18)
    # Sun 21, Mon 22, Tue 23, Wed 24, Thu 25.
    assert application.decision_due_on == datetime.date(2026, 6, 25)


@pytest.mark.parametrize("trait", ["empty", "submitted", "under_review", "more_info_requested"])
def test_the_applicant_may_withdraw_before_a_decision(trait):
    application = ApplicationFactory(**{trait: True})
    services.application_withdraw(application=application, actor=application.person)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


@pytest.mark.parametrize("trait", ["approved", "appointment_booked", "rejected", "card_issued"])
def test_no_withdrawal_after_a_decision(trait):
    application = ApplicationFactory(**{trait: True})
    with pytest.raises(InvalidTransition):
        services.application_withdraw(application=application, actor=application.person)


def test_a_draft_accepts_only_draft_fields_and_only_while_a_draft():
    application = ApplicationFactory()
    with pytest.raises(ValueError, match="status"):
        services.application_draft_update(
            application=application, actor=application.person, status=S.APPROVED
        )
    submitted = ApplicationFactory(submitted=True)
    with pytest.raises(InvalidTransition):
        services.application_draft_update(
            application=submitted, actor=submitted.person, employer="Other"
        )
