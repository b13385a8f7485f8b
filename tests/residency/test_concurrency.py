"""Races settled by the database, with two real PostgreSQL connections (STYLE.md)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import StatusChange
from residency import services
from residency.constants import ApplicationStatus
from residency.models import Application, Appointment, AppointmentSlot
from tests.factories import PersonFactory
from tests.helpers import race
from tests.residency.factories import ApplicationFactory, ServiceCentreFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]
S = ApplicationStatus
NOW = datetime.datetime(2026, 6, 18, 10, 0, tzinfo=ZoneInfo("Asia/Qatar"))


def run_together(*calls):
    """Start every call at the same moment (``race``): ("ok", result) or ("refused", error)."""
    outcomes = []
    for outcome in race(calls):
        if isinstance(outcome, ValidationError):
            outcomes.append(("refused", outcome))
        elif isinstance(outcome, Exception):
            raise outcome
        else:
            outcomes.append(("ok", outcome))
    return outcomes


def test_two_reviewers_deciding_at_once_exactly_one_decision_wins():
    application = ApplicationFactory(submitted=True)
    first, second = PersonFactory(staff=True), PersonFactory(staff=True)
    outcomes = run_together(
        lambda: services.application_approve(
            application=Application.objects.get(pk=application.pk), actor=first, now=NOW
        ),
        lambda: services.application_reject(
            application=Application.objects.get(pk=application.pk),
            actor=second,
            reason="Not eligible.",
            now=NOW,
        ),
    )
    results = sorted(kind for kind, _value in outcomes)
    assert results == ["ok", "refused"]
    refused = next(value for kind, value in outcomes if kind == "refused")
    assert refused.code == "invalid_transition"
    application.refresh_from_db()
    decisions = StatusChange.objects.filter(
        reference=application.reference, to_status__in=[S.APPROVED, S.REJECTED]
    )
    assert decisions.count() == 1
    assert (
        StatusChange.objects.filter(
            reference=application.reference, to_status=S.UNDER_REVIEW
        ).count()
        == 1
    )


def test_simultaneous_approvals_never_overbook_a_slot():
    centre = ServiceCentreFactory(capacity_per_slot=2)
    reviewer = PersonFactory(staff=True)
    applications = [ApplicationFactory(submitted=True, preferred_centre=centre) for _ in range(6)]
    outcomes = run_together(
        *[
            (lambda a=a: services.application_approve(application=a, actor=reviewer, now=NOW))
            for a in applications
        ]
    )
    assert [kind for kind, _value in outcomes] == ["ok"] * 6
    for slot in AppointmentSlot.objects.filter(centre=centre):
        assert slot.booked <= slot.capacity
        assert Appointment.objects.filter(slot=slot).count() == slot.booked
    assert Appointment.objects.filter(slot__centre=centre).count() == 6


def test_double_submission_from_two_tabs_submits_once():
    application = ApplicationFactory(documents=True, application_fee_paid=True)
    outcomes = run_together(
        lambda: services.application_submit(
            application=application, actor=application.person, now=NOW
        ),
        lambda: services.application_submit(
            application=application, actor=application.person, now=NOW
        ),
    )
    assert sorted(kind for kind, _value in outcomes) == ["ok", "refused"]
    assert (
        StatusChange.objects.filter(reference=application.reference, to_status=S.SUBMITTED).count()
        == 1
    )
