"""The database refuses rows whose fields contradict their state, whatever code writes them.

The sets of states come from the transition tables, so these tests also
check that the table and the constraints agree.
"""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts import transitions
from activation.constants import ReviewStatus
from activation.models import ChipRequest, CorrectionRequest
from residency.constants import (
    AWAITING_DECISION,
    CLOSED_STATUSES,
    EDITABLE_DOCUMENT_STATUSES,
    TRANSITIONS,
    WITHDRAWABLE,
    ApplicationStatus,
)
from residency.models import Application, Appointment
from tests.activation.factories import ChipRequestFactory, CorrectionRequestFactory
from tests.residency.factories import ApplicationFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL check constraints"),
]
S = ApplicationStatus


def refused(queryset, **changes) -> bool:
    try:
        with transaction.atomic():
            queryset.update(**changes)
    except IntegrityError:
        return True
    return False


def test_the_status_sets_are_the_ones_the_transition_table_implies():
    assert {S.CARD_ISSUED, S.REJECTED, S.WITHDRAWN} == CLOSED_STATUSES
    assert {S.SUBMITTED, S.UNDER_REVIEW, S.RESUBMITTED} == AWAITING_DECISION
    assert {S.DRAFT, *AWAITING_DECISION, S.MORE_INFO_REQUESTED} == WITHDRAWABLE
    assert {S.DRAFT, S.MORE_INFO_REQUESTED} == EDITABLE_DOCUMENT_STATUSES


def test_no_status_moves_to_itself():
    assert all(status not in targets for status, targets in TRANSITIONS.items())


def test_every_status_is_reachable_from_a_draft():
    assert transitions.reachable(TRANSITIONS, [S.DRAFT]) == set(S.values)


def test_a_draft_cannot_carry_a_submission_time():
    draft = Application.objects.filter(pk=ApplicationFactory().pk)
    now, today = timezone.now(), timezone.localdate()
    assert refused(
        draft,
        declared_at=now,
        submitted_at=now,
        clock_started_on=today,
        decision_due_on=today + datetime.timedelta(days=7),
    )


@pytest.mark.parametrize("status", [S.SUBMITTED, S.UNDER_REVIEW, S.RESUBMITTED])
def test_a_submitted_application_cannot_lose_its_submission_time(status):
    application = Application.objects.filter(pk=ApplicationFactory(submitted=True).pk)
    application.update(status=status)
    assert refused(
        application,
        declared_at=None,
        submitted_at=None,
        clock_started_on=None,
        decision_due_on=None,
    )


def test_the_decision_due_date_comes_with_the_submission_time():
    application = Application.objects.filter(pk=ApplicationFactory(submitted=True).pk)
    assert refused(application, decision_due_on=None)


def test_the_decision_cannot_be_due_before_the_clock_started():
    application = Application.objects.filter(pk=ApplicationFactory(submitted=True).pk)
    assert refused(application, decision_due_on=timezone.localdate() - datetime.timedelta(days=1))


def test_a_withdrawn_application_may_or_may_not_have_been_submitted():
    ApplicationFactory(withdrawn=True)
    ApplicationFactory(submitted=True, status=S.WITHDRAWN)
    assert Application.objects.filter(status=S.WITHDRAWN).count() == 2


@pytest.mark.parametrize("status", [S.APPROVED, S.REJECTED, S.CARD_ISSUED])
def test_a_decided_application_has_its_decision_time(status):
    application = Application.objects.filter(pk=ApplicationFactory(submitted=True).pk)
    assert refused(application, status=status)
    application.update(status=status, decided_at=timezone.now())
    assert refused(application, decided_at=None)


def test_an_application_waiting_for_a_decision_has_no_decision_time():
    application = Application.objects.filter(pk=ApplicationFactory(submitted=True).pk)
    assert refused(application, decided_at=timezone.now())


def test_a_status_outside_the_workflow_is_refused():
    application = Application.objects.filter(pk=ApplicationFactory().pk)
    assert refused(application, status="lost")


def test_an_appointment_cannot_be_rescheduled_a_third_time():
    appointment = ApplicationFactory(appointment_booked=True).appointment
    rows = Appointment.objects.filter(pk=appointment.pk)
    assert not refused(rows, reschedules=2)
    assert refused(rows, reschedules=3)


def test_a_chip_request_cannot_take_a_status_outside_its_table():
    rows = ChipRequest.objects.filter(pk=ChipRequestFactory().pk)
    assert refused(rows, status="completed")
    assert not refused(rows, status=ReviewStatus.APPROVED)


def test_an_old_number_is_confirmed_only_for_a_mobile_change():
    rows = CorrectionRequest.objects.filter(pk=CorrectionRequestFactory().pk)
    assert refused(rows, old_mobile_confirmed=True)
    assert not refused(rows, old_mobile_confirmed=True, mobile="+97455123456")
