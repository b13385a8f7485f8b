"""Simulated e-payment of the fees: receipts, no double charge, gates and refunds."""

import re
import subprocess
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.constants import OTPPurpose
from accounts.models import StatusChange
from accounts.services import request_transition
from messaging.models import Notification
from residency import payments, services
from residency.constants import ApplicationStatus, FeeKind, PaymentStatus
from residency.models import Payment
from tests.factories import PersonFactory
from tests.helpers import grant_stepup
from tests.residency.factories import ApplicationFactory, PaymentFactory, epayment_on
from tests.residency.test_concurrency import run_together

pytestmark = pytest.mark.django_db
S = ApplicationStatus
DASHBOARD = "/en/my/"


def url(name, *args, lang="en"):
    with translation.override(lang):
        return reverse(f"residency:{name}", args=args)


def pay(application, kind=FeeKind.APPLICATION, key=None):
    return payments.payment_make(
        application=application,
        kind=kind,
        actor=application.person,
        idempotency_key=key or uuid.uuid4(),
    )


@pytest.fixture
def draft():
    application = ApplicationFactory(documents=True)
    epayment_on(application.person)
    return application


# --- Paying ---------------------------------------------------------------------------


def test_a_payment_gets_a_receipt_with_amount_time_and_what_it_paid_for(draft):
    payment = pay(draft)
    assert re.fullmatch(rf"RCT-{timezone.localdate().year}-\d{{6}}", payment.reference)
    assert payment.amount == Decimal("3000.00")
    assert payment.kind == FeeKind.APPLICATION
    assert payment.application == draft
    assert payment.status == PaymentStatus.PAID
    assert payment.created_at is not None
    message = Notification.objects.get(person=draft.person, template="residency_payment_received")
    assert payment.reference in message.subject
    assert "QR 3,000" in message.body


def test_paying_needs_e_payment_active_on_a_card():
    application = ApplicationFactory(documents=True)
    with pytest.raises(ValidationError) as error:
        pay(application)
    assert error.value.code == "epayment_inactive"
    assert not Payment.objects.exists()


def test_the_same_form_sent_twice_charges_once(draft):
    key = uuid.uuid4()
    first = pay(draft, key=key)
    second = pay(draft, key=key)
    assert first.pk == second.pk
    assert Payment.objects.count() == 1


def test_a_second_tab_cannot_pay_a_paid_fee(draft):
    pay(draft)
    with pytest.raises(ValidationError) as error:
        pay(draft)
    assert error.value.code == "already_paid"
    assert Payment.objects.count() == 1


def test_the_database_refuses_a_second_paid_row_for_the_same_fee(draft):
    PaymentFactory(application=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(application=draft)


def test_the_card_fee_is_paid_only_once_the_appointment_is_booked(draft):
    with pytest.raises(ValidationError) as error:
        pay(draft, kind=FeeKind.CARD)
    assert error.value.code == "not_payable"


# --- Gates ----------------------------------------------------------------------------


def test_an_application_is_not_submitted_before_its_fee_is_paid(draft):
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=draft, actor=draft.person)
    assert error.value.code == "fee_unpaid"
    assert "QR 3,000" in error.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    pay(draft)
    services.application_submit(application=draft, actor=draft.person)
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED


def test_the_card_is_not_handed_over_before_its_fee_is_paid():
    application = ApplicationFactory(appointment_booked=True)
    clerk = PersonFactory(staff=True)
    with pytest.raises(ValidationError) as error:
        services.application_record_collection(
            application=application, actor=clerk, card_number="PR7000001"
        )
    assert error.value.code == "fee_unpaid"
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED
    epayment_on(application.person)
    pay(application, kind=FeeKind.CARD)
    services.application_record_collection(
        application=application, actor=clerk, card_number="PR7000001"
    )
    application.refresh_from_db()
    assert application.status == S.CARD_ISSUED


def test_the_clerk_sees_why_the_card_cannot_be_handed_over(client):
    clerk = PersonFactory(staff=True)
    clerk.groups.add(Group.objects.get(name="Service-centre clerk"))
    client.force_login(clerk)
    application = ApplicationFactory(appointment_booked=True)
    with translation.override("en"):
        collect = reverse("admin:residency_application_collect", args=[application.pk])
    page = client.get(collect).content.decode()
    assert "card fee (QR 3,000) is not paid yet" in page
    response = client.post(collect, {"card_number": "PR7000002"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED


# --- Refunds --------------------------------------------------------------------------


@pytest.fixture
def staff():
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name="Administrator"))
    return person


def test_an_unused_fee_of_a_withdrawn_application_is_refunded(draft, staff):
    payment = pay(draft)
    services.application_withdraw(application=draft, actor=draft.person)
    payments.payment_refund(payment=payment, actor=staff, reason="Withdrawn by the applicant")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_at is not None
    change = StatusChange.objects.get(reference=payment.reference, to_status="refunded")
    assert change.actor == staff
    assert change.note == "Withdrawn by the applicant"
    assert Notification.objects.filter(
        person=draft.person, template="residency_payment_refunded"
    ).exists()
    with pytest.raises(ValidationError):
        payments.payment_refund(payment=payment, actor=staff, reason="Again")


def test_a_fee_of_an_application_that_is_not_withdrawn_is_not_refunded(draft, staff):
    payment = pay(draft)
    with pytest.raises(ValidationError) as error:
        payments.payment_refund(payment=payment, actor=staff, reason="Asked")
    assert "withdrawn" in error.value.messages[0]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_the_application_fee_is_used_once_a_reviewer_started(draft, staff):
    payment = pay(draft)
    services.application_submit(application=draft, actor=draft.person)
    services.application_review_start(application=draft, actor=staff)
    services.application_withdraw(application=draft, actor=draft.person)
    with pytest.raises(ValidationError) as error:
        payments.payment_refund(payment=payment, actor=staff, reason="Asked")
    assert "was reviewed" in error.value.messages[0]


def test_a_refund_needs_a_reason(draft, staff):
    payment = pay(draft)
    services.application_withdraw(application=draft, actor=draft.person)
    with pytest.raises(ValidationError) as error:
        payments.payment_refund(payment=payment, actor=staff, reason="  ")
    assert error.value.code == "reason_required"


def test_staff_refund_from_the_payments_admin(client, draft, staff):
    payment = pay(draft)
    other = PaymentFactory(
        application=ApplicationFactory(submitted=True, application_fee_paid=False)
    )
    services.application_withdraw(application=draft, actor=draft.person)
    client.force_login(staff)
    with translation.override("en"):
        changelist = reverse("admin:residency_payment_changelist")
    selected = {"action": "refund", "_selected_action": [payment.pk, other.pk]}
    confirm = client.post(changelist, selected)
    assert confirm.status_code == 200
    assert "Can be refunded." in confirm.content.decode()
    assert "Only the fees of a withdrawn application are refunded." in confirm.content.decode()
    done = client.post(changelist, {**selected, "apply": "1", "reason": "Applicant withdrew"})
    assert done.status_code == 302
    payment.refresh_from_db()
    other.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED
    assert other.status == PaymentStatus.PAID


def test_a_clerk_sees_payments_but_cannot_refund(client, draft):
    clerk = PersonFactory(staff=True)
    clerk.groups.add(Group.objects.get(name="Service-centre clerk"))
    client.force_login(clerk)
    payment = pay(draft)
    with translation.override("en"):
        changelist = reverse("admin:residency_payment_changelist")
        change = reverse("admin:residency_payment_change", args=[payment.pk])
    assert payment.reference in client.get(changelist).content.decode()
    assert client.get(change).status_code == 200
    assert client.post(change, {"amount": "1"}).status_code == 403
    client.post(changelist, {"action": "refund", "_selected_action": [payment.pk], "apply": "1"})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_the_status_table_refuses_a_refund_of_a_refund(draft, staff):
    payment = pay(draft)
    services.application_withdraw(application=draft, actor=draft.person)
    payments.payment_refund(payment=payment, actor=staff, reason="Withdrawn")
    with pytest.raises(ValidationError):
        request_transition(payment, to=PaymentStatus.REFUNDED, actor=staff)


# --- Pages ----------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, draft):
    client.force_login(draft.person)
    return draft


def test_the_fee_page_says_when_e_payment_is_not_active(client):
    application = ApplicationFactory(documents=True)
    client.force_login(application.person)
    page = client.get(url("fee", application.reference, "application")).content.decode()
    assert "QR 3,000" in page
    assert "E-payment service must be active" in page
    assert reverse("activation:overview") in page
    # No code is sent for a payment that cannot be made.
    pay_page = client.get(url("fee_pay", application.reference, "application"))
    assert pay_page["Location"] == url("fee", application.reference, "application")


def test_paying_from_the_browser_asks_for_a_code_and_charges_once(client, signed_in):
    reference = signed_in.reference
    fee_page = client.get(url("fee", reference, "application")).content.decode()
    assert "Pay QR 3,000 by e-payment" in fee_page
    response = client.get(url("fee_pay", reference, "application"))
    assert response.status_code == 302
    assert "purpose=payment" in response["Location"]
    grant_stepup(client, purpose=OTPPurpose.PAYMENT, scope=f"payment:{reference}:application")
    form = client.get(url("fee_pay", reference, "application"))
    key = form.context["form"].initial["idempotency_key"]
    assert f'value="{key}"' in form.content.decode()
    done = client.post(url("fee_pay", reference, "application"), {"idempotency_key": key})
    payment = Payment.objects.get()
    assert done["Location"] == url("receipt", payment.reference)
    # A retry (the back button, a double click) finds the fee paid.
    again = client.post(url("fee_pay", reference, "application"), {"idempotency_key": key})
    assert again["Location"] == url("fee", reference, "application")
    assert Payment.objects.count() == 1
    # The code was used up.
    assert not [key for key in client.session.keys() if key.startswith("stepup:")]  # noqa: SIM118 - a session is not iterable


def test_a_tampered_payment_form_charges_nothing(client, signed_in):
    reference = signed_in.reference
    grant_stepup(client, purpose=OTPPurpose.PAYMENT, scope=f"payment:{reference}:application")
    response = client.post(url("fee_pay", reference, "application"), {"idempotency_key": "x"})
    assert response.status_code == 302
    assert not Payment.objects.exists()


def test_an_unknown_fee_is_not_found(client, signed_in):
    assert client.get(url("fee", signed_in.reference, "parking")).status_code == 404


def test_the_receipt_shows_only_to_its_payer(client, signed_in):
    payment = pay(signed_in)
    page = client.get(url("receipt", payment.reference)).content.decode()
    assert payment.reference in page
    assert "QR 3,000" in page
    assert "Application fee" in page
    client.force_login(PersonFactory())
    assert client.get(url("receipt", payment.reference)).status_code == 404
    assert client.get(url("receipt_pdf", payment.reference)).status_code == 404


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", ["Payment receipt", "QR 3,000", "Application fee"]), ("ar", ["إيصال الدفع"])],
)
def test_the_receipt_downloads_as_a_pdf_with_its_text(client, signed_in, lang, expected, tmp_path):
    payment = pay(signed_in)
    response = client.get(url("receipt_pdf", payment.reference, lang=lang))
    assert response["Content-Type"] == "application/pdf"
    assert f"{payment.reference}.pdf" in response["Content-Disposition"]
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(response.content)
    # pdftotext (Debian poppler-utils) reads the text as a PDF reader would.
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert payment.reference in text
    for words in expected:
        assert words in text


def test_the_payment_is_in_the_history_and_the_card_fee_on_the_dashboard(client):
    application = ApplicationFactory(appointment_booked=True)
    client.force_login(application.person)
    payment = PaymentFactory(application=application, kind=FeeKind.CARD)
    history = client.get(reverse("accounts:history")).content.decode()
    assert payment.reference in history
    assert "Fee payment" in history
    assert "Pay the card fee" not in client.get(DASHBOARD).content.decode()
    Payment.objects.filter(pk=payment.pk).update(
        status=PaymentStatus.REFUNDED, refunded_at=timezone.now()
    )
    assert "Pay the card fee" in client.get(DASHBOARD).content.decode()


# --- Races (two real connections) -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.parametrize("same_key", [True, False], ids=["retry", "two-tabs"])
def test_concurrent_payments_charge_once(same_key):
    application = ApplicationFactory(documents=True)
    epayment_on(application.person)
    keys = [uuid.uuid4()] * 2 if same_key else [uuid.uuid4(), uuid.uuid4()]
    outcomes = run_together(*(lambda key=key: pay(application, key=key) for key in keys))
    assert Payment.objects.filter(application=application).count() == 1
    kinds = sorted(kind for kind, _value in outcomes)
    if same_key:
        assert kinds == ["ok", "ok"]
        assert outcomes[0][1].pk == outcomes[1][1].pk
    else:
        assert kinds == ["ok", "refused"]
        refused = next(value for kind, value in outcomes if kind == "refused")
        assert refused.code == "already_paid"
    assert (
        Notification.objects.filter(
            person=application.person, template="residency_payment_received"
        ).count()
        == 1
    )
