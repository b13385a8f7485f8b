"""The seed flow of PRODUCT.md section 5 in a real browser, as the seeded citizens do it.

Elements are found by role and accessible name, as a person using a screen
reader would find them. Names are looked up through the portal's own
translation catalogue, so the test reads the Arabic page in Arabic.
"""

import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.models import SmartCard
from activation.models import ActivationRequest, CardService
from messaging.models import Notification

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

READY_QID = "28563400001"
READY_MOBILE = "+97455100001"
MINOR_QID = "31263400004"
MINOR_MOBILE = "+97455100004"
PASSWORD = "Lantern-Orchid-Velvet-73"


def t(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


@pytest.fixture
def seeded(settings):
    # A transactional test before this one may have flushed and recreated the
    # content types; the in-process cache would still hold the old ids.
    ContentType.objects.clear_cache()
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())


def sign_in(page, base, language, qid):
    page.goto(f"{base}/{language}/e-services/")
    page.get_by_label(t(language, "Qatar ID number")).fill(qid)
    page.get_by_label(t(language, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=t(language, "Sign in")).click()


def read_code_from_sandbox(page, base, number) -> str:
    inbox = page.context.new_page()
    inbox.goto(f"{base}/en/accounts/simulation/sms/?number={number.replace('+', '%2B')}")
    body = inbox.locator("td.sms-body").first.inner_text()
    inbox.close()
    return re.search(r"\b(\d{6})\b", body).group(1)


def confirm_code(page, base, language, number):
    # Opening a code page sends nothing: the person asks for the code.
    page.get_by_role("button", name=t(language, "Send code"), exact=True).click()
    expect(page.get_by_label(t(language, "Verification code"))).to_be_visible()
    expect(page.get_by_text(number[-4:], exact=False).first).to_be_visible()
    code = read_code_from_sandbox(page, base, number)
    page.get_by_label(t(language, "Verification code")).fill(code)
    page.get_by_role("button", name=t(language, "Confirm")).click()


def test_the_ready_citizen_activates_two_services_in_arabic_then_sees_them_in_english(
    page, live_server, seeded, screenshot
):
    base = live_server.url
    sign_in(page, base, "ar", READY_QID)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    screenshot(page, "activation-overview-ar")

    page.get_by_role("link", name=t("ar", "Activate e-services")).click()
    confirm_code(page, base, "ar", READY_MOBILE)

    expect(page.get_by_role("heading", name=t("ar", "Choose e-services"))).to_be_visible()
    screenshot(page, "activation-catalogue-ar")
    page.get_by_role("checkbox", name="الدفع الإلكتروني").check()
    page.get_by_role("checkbox", name="الوثائق الإلكترونية").check()
    page.get_by_role("button", name=t("ar", "Continue")).click()

    expect(page.get_by_role("heading", name=t("ar", "Review and confirm"))).to_be_visible()
    screenshot(page, "activation-review-ar")
    page.get_by_role("button", name=t("ar", "Confirm")).click()

    expect(page.get_by_role("heading", name=t("ar", "Request complete"))).to_be_visible()
    reference = ActivationRequest.objects.get().reference
    assert re.fullmatch(r"ACT-\d{4}-\d{6}", reference)
    expect(page.get_by_text(reference)).to_be_visible()
    screenshot(page, "activation-done-ar")

    card = SmartCard.objects.get(person__qid=READY_QID)
    assert CardService.objects.filter(card=card, deactivated_at__isnull=True).count() == 2
    message = Notification.objects.get(person__qid=READY_QID, template="activation_confirmed")
    assert reference in message.body

    page.goto(f"{base}/en/e-services/cards/{card.pk}/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    for name in ("E-payment", "Electronic documents"):
        service = page.locator(".service--active", has_text=name)
        expect(service).to_be_visible()
        expect(service.get_by_text("Active", exact=True)).to_be_visible()
    expect(page.get_by_role("checkbox", name="E-payment")).to_have_count(0)
    screenshot(page, "activation-catalogue-en")

    page.get_by_role("navigation", name="E-services").get_by_role(
        "link", name="My requests"
    ).click()
    expect(page.get_by_role("rowheader", name=reference)).to_be_visible()
    screenshot(page, "activation-history-en")


def test_the_minor_sees_e_payment_not_eligible_because_of_age_on_a_phone(
    phone_page, live_server, seeded, screenshot
):
    base = live_server.url
    page = phone_page
    sign_in(page, base, "ar", MINOR_QID)
    page.get_by_role("link", name=t("ar", "Activate e-services")).click()
    confirm_code(page, base, "ar", MINOR_MOBILE)

    e_payment = page.locator(".service", has_text="الدفع الإلكتروني")
    expect(e_payment.get_by_text(t("ar", "Not eligible"), exact=True)).to_be_visible()
    age_reason = t("ar", "This service is available from age %(age)d.") % {"age": 18}
    expect(e_payment.get_by_text(age_reason)).to_be_visible()
    expect(page.get_by_role("checkbox", name="الدفع الإلكتروني")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="الوثائق الإلكترونية")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "activation-catalogue-minor-ar-phone")

    card = SmartCard.objects.get(person__qid=MINOR_QID)
    page.goto(f"{base}/en/e-services/cards/{card.pk}/")
    expect(
        page.locator(".service", has_text="E-payment").get_by_text(
            "This service is available from age 18."
        )
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "activation-catalogue-minor-en-phone")


def test_profile_and_chip_pages_fit_a_phone_in_both_languages(
    phone_page, live_server, seeded, screenshot
):
    base = live_server.url
    sign_in(phone_page, base, "ar", "29063400002")  # chip inactive
    for language in ("ar", "en"):
        for name, path in (("profile", "profile/"), ("overview", "")):
            phone_page.goto(f"{base}/{language}/e-services/{path}")
            assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
            screenshot(phone_page, f"activation-{name}-{language}-phone")
    expect(phone_page.get_by_role("link", name="Request chip activation")).to_be_visible()
