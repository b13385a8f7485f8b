"""Every seed command runs again on a database people have used.

The used state is the README's staff walk-through: the reviewer approved
Maria's application (which books her collection) and the clerk recorded that
she collected her permanent residency card.
"""

import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.constants import CardKind
from accounts.models import Person, SmartCard
from residency import payments, services
from residency.constants import ApplicationStatus, FeeKind
from residency.management.commands.seed_residency_demo import APPLICANT_QID
from residency.models import Application, PublicHoliday

pytestmark = pytest.mark.django_db

REVIEWER_QID = "28163400101"
CLERK_QID = "28263400102"


def run(command: str, *args) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def seed_like_make_run() -> list[str]:
    return [
        run("seed_demo"),
        run("residency_import_holidays"),
        run("seed_residency_demo"),
    ]


def staff_walk_through() -> Application:
    application = Application.objects.get(person__qid=APPLICANT_QID)
    services.application_approve(
        application=application, actor=Person.objects.get(qid=REVIEWER_QID)
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPOINTMENT_BOOKED
    # Maria pays the card fee on her appointment page before she collects.
    payments.payment_make(
        application=application,
        kind=FeeKind.CARD,
        actor=application.person,
        idempotency_key=uuid.uuid4(),
    )
    services.application_record_collection(
        application=application,
        actor=Person.objects.get(qid=CLERK_QID),
        card_number="990000000011",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CARD_ISSUED
    return application


def snapshot() -> tuple:
    return (
        Person.objects.count(),
        SmartCard.objects.count(),
        Application.objects.count(),
        PublicHoliday.objects.count(),
        list(Application.objects.values_list("reference", "status")),
    )


def test_seeding_twice_on_a_fresh_database_leaves_one_submitted_application():
    seed_like_make_run()
    before = snapshot()
    out = seed_like_make_run()[2]
    assert snapshot() == before
    application = Application.objects.get(person__qid=APPLICANT_QID)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference in out


def test_every_seed_command_runs_twice_after_the_staff_walk_through():
    seed_like_make_run()
    application = staff_walk_through()
    before = snapshot()
    for _ in range(2):
        outputs = seed_like_make_run()
        assert snapshot() == before
    assert f"{application.reference} (Card issued)" in outputs[2]
    maria = Person.objects.get(qid=APPLICANT_QID)
    assert maria.cards.filter(kind=CardKind.PERMANENT_RESIDENCY).count() == 1
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CARD_ISSUED


def test_seed_residency_demo_leaves_a_withdrawn_application_alone():
    seed_like_make_run()
    application = Application.objects.get(person__qid=APPLICANT_QID)
    services.application_withdraw(application=application, actor=application.person)
    run("seed_residency_demo")
    assert list(Application.objects.filter(person__qid=APPLICANT_QID)) == [application]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="seed_scale loads rows with COPY")
def test_seed_scale_runs_twice_on_a_used_database():
    seed_like_make_run()
    staff_walk_through()
    run("seed_scale", "--people", "40", "--requests", "20")
    counts = snapshot()[:3]
    run("seed_scale", "--people", "40", "--requests", "20")
    assert snapshot()[:3] == counts
    assert counts[0] >= 40 + 15
