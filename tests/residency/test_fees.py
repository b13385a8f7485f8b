"""The fee schedule: amounts with a history, each in force from a day (PRODUCT.md 6.8)."""

import datetime
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from residency import payments
from residency.constants import FeeKind
from residency.models import Fee
from tests.factories import PersonFactory
from tests.residency.factories import ApplicationFactory, FeeFactory, epayment_on

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 15)


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:residency_fee_{name}", args=args)


@pytest.fixture
def administrator(client):
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name="Administrator"))
    client.force_login(person)
    return person


def test_both_fees_are_qr_3000_today():
    for kind in FeeKind.values:
        fee = payments.fee_in_force(kind=kind, today=TODAY)
        assert fee.amount == Decimal("3000.00")
        assert isinstance(fee.amount, Decimal)
    assert payments.qar(Decimal("3000.00")) == "QR 3,000"
    assert payments.qar(Decimal("2500.50")) == "QR 2,500.50"


def test_a_new_amount_applies_from_its_day_and_not_before():
    FeeFactory(kind=FeeKind.CARD, amount=Decimal("3500.00"), effective_from=TODAY)
    day_before = TODAY - datetime.timedelta(days=1)
    assert payments.fee_in_force(kind=FeeKind.CARD, today=day_before).amount == Decimal("3000.00")
    assert payments.fee_in_force(kind=FeeKind.CARD, today=TODAY).amount == Decimal("3500.00")
    # The other fee keeps its amount.
    assert payments.fee_in_force(kind=FeeKind.APPLICATION, today=TODAY).amount == Decimal("3000.00")


def test_a_payment_keeps_the_amount_of_its_day_when_the_fee_changes_later():
    application = ApplicationFactory(documents=True)
    epayment_on(application.person)
    with time_machine.travel(datetime.datetime(2026, 6, 14, 9, 0), tick=False):
        payment = payments.payment_make(
            application=application,
            kind=FeeKind.APPLICATION,
            actor=application.person,
            idempotency_key=uuid.uuid4(),
        )
    FeeFactory(kind=FeeKind.APPLICATION, amount=Decimal("4000.00"), effective_from=TODAY)
    payment.refresh_from_db()
    assert payment.amount == Decimal("3000.00")
    assert payment.fee.effective_from < TODAY


def test_the_administrator_adds_a_new_amount_from_a_future_day(client, administrator):
    with time_machine.travel(TODAY, tick=False):
        response = client.post(
            admin_url("add"),
            {"kind": FeeKind.APPLICATION, "amount": "3250.00", "effective_from": "2026-07-01"},
        )
    assert response.status_code == 302
    fee = Fee.objects.get(effective_from=datetime.date(2026, 7, 1))
    assert fee.amount == Decimal("3250.00")
    assert fee.created_by == administrator


def test_a_new_amount_cannot_rewrite_a_past_day(client, administrator):
    with time_machine.travel(TODAY, tick=False):
        response = client.post(
            admin_url("add"),
            {"kind": FeeKind.APPLICATION, "amount": "1.00", "effective_from": "2026-06-01"},
        )
    assert response.status_code == 200
    assert "earlier days keep their fee" in response.content.decode()
    assert not Fee.objects.filter(amount=Decimal("1.00")).exists()


@pytest.mark.parametrize("amount", ["0", "-5", "lots"])
def test_a_fee_must_be_a_positive_amount(client, administrator, amount):
    response = client.post(
        admin_url("add"),
        {"kind": FeeKind.CARD, "amount": amount, "effective_from": "2099-01-01"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"]
    assert not Fee.objects.filter(effective_from=datetime.date(2099, 1, 1)).exists()


def test_an_amount_in_force_is_never_edited_or_deleted(client, administrator):
    fee = payments.fee_in_force(kind=FeeKind.CARD)
    response = client.post(
        admin_url("change", fee.pk),
        {"kind": FeeKind.CARD, "amount": "1.00", "effective_from": "2020-01-01"},
    )
    assert response.status_code == 403
    assert client.post(admin_url("delete", fee.pk), {"post": "yes"}).status_code == 403
    fee.refresh_from_db()
    assert fee.amount == Decimal("3000.00")


def test_a_future_amount_can_still_be_corrected(client, administrator):
    fee = FeeFactory(kind=FeeKind.CARD, amount=Decimal("3600.00"), effective_from=TODAY)
    with time_machine.travel(TODAY - datetime.timedelta(days=3), tick=False):
        response = client.post(
            admin_url("change", fee.pk),
            {"kind": FeeKind.CARD, "amount": "3300.00", "effective_from": "2026-06-15"},
        )
    assert response.status_code == 302
    fee.refresh_from_db()
    assert fee.amount == Decimal("3300.00")


def test_the_schedule_lists_which_amount_is_in_force(client, administrator):
    FeeFactory(
        kind=FeeKind.CARD, amount=Decimal("9999.00"), effective_from=datetime.date(2099, 1, 1)
    )
    content = client.get(admin_url("changelist")).content.decode()
    rows = content.split("<tr")[2:]  # after the header row
    later = next(row for row in rows if "9999" in row)
    current = next(row for row in rows if "3000" in row and "Card fee" in row)
    assert 'alt="False"' in later
    assert 'alt="True"' in current
