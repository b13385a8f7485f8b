"""Back-office list pages cost the same number of queries with 5 rows or 10,000."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.constants import CardKind, OTPEventKind, OTPPurpose
from accounts.models import OTPEvent, Person, PersonDataAccess, SmartCard
from activation.constants import ReviewStatus
from activation.models import ChipRequest
from messaging.constants import NotificationStatus
from messaging.models import Notification
from residency.constants import ApplicationStatus, FeeKind
from residency.models import Application, Fee
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BIG = 10_000


def people(start: int, count: int) -> list[Person]:
    Person.objects.bulk_create(
        Person(
            qid=f"285634{i:05d}",
            name_ar="شخص",
            name_en=f"Person {i}",
            date_of_birth=datetime.date(1985, 1, 1),
            nationality="QA",
            mobile=f"+9745{i:07d}",
            password="!",
        )
        for i in range(start, start + count)
    )
    return list(Person.objects.filter(qid__gte=f"285634{start:05d}").order_by("qid")[:count])


def cards(batch):
    SmartCard.objects.bulk_create(
        SmartCard(
            person=p,
            number=f"9{p.qid}",
            kind=CardKind.CITIZEN_ID,
            issued_on=datetime.date(2024, 1, 1),
            expires_on=datetime.date(2029, 1, 1),
        )
        for p in batch
    )


def fill_people(start, count):
    cards(people(start, count))


def fill_applications(start, count):
    batch = people(start, count)
    today = timezone.localdate()
    Application.objects.bulk_create(
        Application(
            person=p,
            reference=f"PR-2026-{start + n:06d}",
            status=ApplicationStatus.SUBMITTED,
            declared_at=timezone.now(),
            submitted_at=timezone.now(),
            clock_started_on=today - datetime.timedelta(days=3),
            decision_due_on=today + datetime.timedelta(days=n % 7 - 3),
        )
        for n, p in enumerate(batch)
    )


def fill_chip_requests(start, count):
    batch = people(start, count)
    cards(batch)
    ChipRequest.objects.bulk_create(
        ChipRequest(
            person=card.person,
            card=card,
            reference=f"CHIP-2026-{start + n:06d}",
            status=ReviewStatus.SUBMITTED,
        )
        for n, card in enumerate(
            SmartCard.objects.filter(person__in=batch).select_related("person")
        )
    )


def copies(model, count: int, **fields) -> None:
    model.objects.bulk_create(model(**fields) for _ in range(count))


def fill_events(start, count):
    person = PersonFactory()
    copies(
        OTPEvent,
        count,
        person=person,
        purpose=OTPPurpose.ESERVICES,
        number=person.mobile,
        kind=OTPEventKind.SENT,
    )
    copies(
        Notification,
        count,
        person=person,
        template="account_created",
        language="en",
        subject="s",
        body="b",
        status=NotificationStatus.SENT,
    )
    copies(
        PersonDataAccess, count, staff=person, person=person, office="Support agent", what="record"
    )


def fill_fees(start, count):
    first = datetime.date(1900, 1, 1)  # before the amounts the migrations add
    Fee.objects.bulk_create(
        Fee(
            kind=(FeeKind.APPLICATION, FeeKind.CARD)[i % 2],
            amount=1000 + i,
            effective_from=first + datetime.timedelta(days=i),
        )
        for i in range(start, start + count)
    )


PAGES = [
    ("/en/admin/accounts/person/", fill_people),
    ("/en/admin/accounts/person/?q=28563400001", fill_people),
    ("/en/admin/accounts/smartcard/", fill_people),
    ("/en/admin/residency/application/", fill_applications),
    ("/en/admin/residency/application/?due=overdue", fill_applications),
    ("/en/admin/activation/chiprequest/?status__exact=submitted", fill_chip_requests),
    ("/en/admin/accounts/otpevent/", fill_events),
    ("/en/admin/messaging/notification/", fill_events),
    ("/en/admin/accounts/persondataaccess/", fill_events),
    ("/en/admin/", fill_applications),
    ("/en/admin/residency/fee/", fill_fees),
]


@pytest.fixture
def frozen_clock():
    """Filling 10,000 rows on a busy machine can outlast the session's 30-second
    activity write, which would add its own queries to the second count."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.mark.parametrize(("url", "fill"), PAGES)
def test_list_page_queries_do_not_grow_with_the_rows(client, url, fill, frozen_clock):
    client.force_login(PersonFactory(staff=True, is_superuser=True, qid="28063499999"))
    fill(0, 5)
    client.get(url)  # warm per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    fill(5, BIG - 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
