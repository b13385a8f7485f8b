"""Fees paid by simulated e-payment, end to end in Chromium (PRODUCT.md section 6.8).

Rajesh, the demo resident, has a complete draft. Without E-payment on his
card the fee page tells him to activate it; once the demo seed has turned it
on, he pays the application fee with the code read from the SMS sandbox,
gets a receipt he can print or download as a PDF, and submits. A reviewer
approves (through the same service as the admin); Rajesh moves the
appointment with the picker, pays the card fee on the appointment page, and
the clerk records the collection. The fee, payment and receipt pages are
photographed in English, in Arabic and on a 390 px phone.
"""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from accounts.constants import CardKind
from accounts.models import Person, SmartCard, SMSDevice
from residency import services
from residency.constants import ApplicationStatus, FeeKind, PaymentStatus
from residency.demo import application_draft_fill
from residency.models import Application, Document, Payment
from tests.browser.conftest import _new_page
from tests.browser.test_residency_flow import (
    PASSWORD,
    RESIDENT_MOBILE,
    RESIDENT_QID,
    photo_jpeg,
    read_code_from_sandbox,
    residency_reference_data,
    scan_pdf,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = ApplicationStatus
CARD_NUMBER = "PR0000000456"


def complete_draft(person: Person) -> Application:
    """Every page of the form answered and every document uploaded."""
    return application_draft_fill(person=person, scan=scan_pdf, photo=photo_jpeg)


@pytest.fixture
def seeded(settings, tmp_path, monkeypatch):
    """The demo population of ``make run``; uploads go to a per-test folder."""
    monkeypatch.setattr(
        Document._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    ContentType.objects.clear_cache()
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())
    residency_reference_data()


@pytest.fixture
def shoot(screenshot, browser, external_requests):
    """Photograph a page in English, in Arabic, and in Arabic on a 390 px phone."""
    phone_context, phone = _new_page(
        browser, external_requests, viewport={"width": 390, "height": 844}, is_mobile=True
    )

    def take(page, name):
        english = page.url
        screenshot(page, f"payment-{name}-en")
        arabic = english.replace("/en/", "/ar/", 1)
        page.goto(arabic)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        screenshot(page, f"payment-{name}-ar")
        phone.context.add_cookies(page.context.cookies())
        phone.goto(arabic)
        screenshot(phone, f"payment-{name}-ar-390")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{name}: the page is {width} px wide on a 390 px phone"
        page.goto(english)

    yield take
    phone_context.close()


def sign_in(page, base):
    page.goto(f"{base}/en/accounts/sign-in/")
    page.get_by_label("Qatar ID number").fill(RESIDENT_QID)
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def confirm_with_code(page, base):
    expect(page).to_have_url(re.compile(r"/en/accounts/confirm/"))
    page.get_by_role("button", name="Send code", exact=True).click()
    expect(page.get_by_text("We sent a 6-digit code to")).to_be_visible()
    page.get_by_label("Verification code").fill(read_code_from_sandbox(page, base, RESIDENT_MOBILE))
    page.get_by_role("button", name="Confirm").click()


def pay_on_the_fee_page(page, base, shoot, name):
    expect(page.get_by_text("QR 3,000").first).to_be_visible()
    shoot(page, f"{name}-fee")
    page.get_by_role("link", name="Pay QR 3,000 by e-payment").click()
    confirm_with_code(page, base)
    expect(page.get_by_role("heading", name="Confirm the payment")).to_be_visible()
    shoot(page, f"{name}-confirm")
    page.get_by_role("button", name="Confirm payment of QR 3,000").click()
    expect(page.get_by_role("heading", name="Payment receipt")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Your receipt number is RCT-\d{4}-\d{6}"))).to_be_visible()


def test_rajesh_pays_both_fees_by_e_payment_and_collects_his_card(
    page, live_server, seeded, shoot, screenshot, tmp_path
):
    base = live_server.url
    rajesh = Person.objects.get(qid=RESIDENT_QID)
    application = complete_draft(rajesh)
    reference = application.reference

    # The review shows the fee; without E-payment on his card he is told to activate it.
    sign_in(page, base)
    page.goto(f"{base}/en/residency/apply/review/")
    fee_box = page.get_by_role("region", name="Application fee")
    expect(fee_box).to_contain_text("QR 3,000")
    expect(fee_box).to_contain_text("Not paid yet")
    expect(page.get_by_role("button", name="Continue to the declaration")).to_have_count(0)
    shoot(page, "01-review-unpaid")
    fee_box.get_by_role("link", name="Pay the application fee").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("E-payment service must be active")
    shoot(page, "02-fee-no-epayment")
    expect(alert.get_by_role("link", name="Activate E-payment on your card")).to_have_attribute(
        "href", "/en/e-services/"
    )

    # The demo seed turns E-payment on for him (a person would use that link).
    call_command("seed_residency_demo", stdout=io.StringIO())
    page.reload()
    pay_on_the_fee_page(page, base, shoot, "03-application")
    payment = Payment.objects.get(application=application, kind=FeeKind.APPLICATION)
    assert payment.amount == 3000
    expect(page.get_by_text(payment.reference).first).to_be_visible()
    shoot(page, "04-receipt")

    # The receipt downloads as a PDF whose text reads as on the page.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    assert pdf.name == f"{payment.reference}.pdf"
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert payment.reference in text
    assert "QR 3,000" in text
    assert reference in text
    arabic_pdf = tmp_path / "arabic.pdf"
    arabic = page.request.get(f"{base}/ar/residency/receipts/{payment.reference}/pdf/")
    arabic_pdf.write_bytes(arabic.body())
    arabic_text = subprocess.run(  # noqa: S603
        ["pdftotext", str(arabic_pdf), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "إيصال الدفع" in arabic_text
    assert "رسوم الطلب" in arabic_text
    _keep_pdf_pictures(pdf, arabic_pdf)

    # Paid: he continues to the declaration and submits.
    page.goto(f"{base}/en/residency/apply/review/")
    expect(page.get_by_role("region", name="Application fee")).to_contain_text("Paid")
    page.get_by_role("button", name="Continue to the declaration").click()
    confirm_with_code(page, base)
    page.get_by_label("I declare that the information and documents I gave are true").check()
    page.get_by_label("I confirm that I have a basic knowledge of Arabic").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text(f"Your application {reference} was submitted.")).to_be_visible()
    expect(page.get_by_role("region", name="Fees paid")).to_contain_text(payment.reference)

    # A reviewer approves; the earliest slot is booked.
    reviewer = Person.objects.get(qid="28163400101")
    services.application_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED

    # He moves the appointment with the picker: a centre, a day, a time.
    page.goto(f"{base}/en/residency/applications/{reference}/appointment/reschedule/")
    page.locator(".picker-list a").first.click()
    page.locator(".picker-list a").nth(1).click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Move my appointment").click()
    expect(page.get_by_text("Your appointment was moved.")).to_be_visible()

    # The card fee, on the appointment page; the clerk cannot hand the card over before.
    card_fee = page.get_by_role("region", name="Card fee")
    expect(card_fee).to_contain_text("QR 3,000")
    expect(page.get_by_text("The card is handed over once the card fee is paid.")).to_be_visible()
    shoot(page, "05-appointment-unpaid")
    clerk = Person.objects.get(qid="28263400102")
    with pytest.raises(ValidationError):
        services.application_record_collection(
            application=application, actor=clerk, card_number=CARD_NUMBER
        )
    # In life the card fee is paid days after the first; here a minute has not
    # passed, so the last code is dated back past the one-minute resend pause.
    SMSDevice.objects.filter(user=application.person).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    card_fee.get_by_role("link", name="Pay the card fee").click()
    pay_on_the_fee_page(page, base, shoot, "06-card")
    card_payment = Payment.objects.get(application=application, kind=FeeKind.CARD)
    assert card_payment.status == PaymentStatus.PAID
    assert card_payment.reference != payment.reference

    services.application_record_collection(
        application=application, actor=clerk, card_number=CARD_NUMBER
    )
    assert SmartCard.objects.get(number=CARD_NUMBER).kind == CardKind.PERMANENT_RESIDENCY

    # Both payments are in his history of requests.
    page.goto(f"{base}/en/accounts/requests/?kind=payment")
    for receipt in (payment.reference, card_payment.reference):
        expect(page.get_by_text(receipt).first).to_be_visible()
    screenshot(page, "payment-07-history-en")


def _keep_pdf_pictures(*pdfs: Path) -> None:
    """The receipt PDFs as pictures beside the screenshots, to look at."""
    target = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(pdf.with_suffix(""))],  # noqa: S607
            check=True,
        )
        shutil.copy(pdf.with_suffix(".png"), target / f"payment-receipt-pdf-{pdf.stem}.png")
