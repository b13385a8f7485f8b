"""Register online, sign out, sign in and reset the password in Chromium,
reading the codes from the SMS sandbox inbox as a tester would."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import SmartCard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QID = "29163400009"  # seeded: in the register, no online account yet
MOBILE = "+97455100009"


@pytest.fixture
def seeded(settings):
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())
    return SmartCard.objects.get(person__qid=QID).expires_on


def code_from_sandbox(page, base):
    inbox = page.context.new_page()
    inbox.goto(f"{base}/en/accounts/simulation/sms/?number={MOBILE}")
    body = inbox.locator("td.sms-body").first.inner_text()
    inbox.close()
    return re.search(r"\b(\d{6})\b", body).group(1)


def test_register_sign_out_sign_in_and_reset(page, live_server, seeded, screenshot):
    base = live_server.url
    expiry = seeded.isoformat()

    page.goto(f"{base}/ar/accounts/sign-in/")
    page.get_by_role("link", name="ليس لديك حساب إلكتروني بعد؟ سجّل الآن").click()
    page.get_by_label("رقم البطاقة الشخصية القطرية").fill("٢٩١٦٣٤٠٠٠٠٩")  # Arabic-Indic digits
    page.get_by_label("تاريخ انتهاء البطاقة").fill(expiry)
    screenshot(page, "register-ar")
    page.get_by_role("button", name="إرسال رمز التحقق").click()

    expect(page.get_by_role("heading", name="أدخل رمز التحقق")).to_be_visible()
    page.get_by_label("رمز التحقق").fill(code_from_sandbox(page, base))
    screenshot(page, "register-code-ar")
    page.get_by_role("button", name="تأكيد").click()

    page.get_by_role("textbox", name="كلمة المرور الجديدة", exact=True).fill(
        "a quiet walk along the corniche"
    )
    page.get_by_label("تأكيد كلمة المرور الجديدة").fill("a quiet walk along the corniche")
    page.get_by_role("button", name="إنشاء الحساب").click()
    expect(page.get_by_text("حسابك جاهز")).to_be_visible()

    page.get_by_label("رقم البطاقة الشخصية القطرية").fill(QID)
    page.get_by_role("textbox", name="كلمة المرور", exact=True).fill(
        "a quiet walk along the corniche"
    )
    page.get_by_role("button", name="تسجيل الدخول").click()
    expect(page.get_by_role("heading", name="مرحبًا، سارة محمد العمادي")).to_be_visible()
    page.get_by_role("button", name="تسجيل الخروج").click()

    page.goto(f"{base}/en/accounts/sign-in/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Qatar ID number").fill(QID)
    page.get_by_label("Card expiry date").fill(expiry)
    page.get_by_role("button", name="Send verification code").click()
    page.get_by_label("Verification code").fill(code_from_sandbox(page, base))
    screenshot(page, "reset-code-en")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("textbox", name="New password", exact=True).fill(
        "another long phrase for the reset"
    )
    page.get_by_label("New password confirmation").fill("another long phrase for the reset")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed")).to_be_visible()

    page.get_by_label("Qatar ID number").fill(QID)
    page.get_by_role("textbox", name="Password", exact=True).fill(
        "another long phrase for the reset"
    )
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sara Mohammed Al-Emadi")).to_be_visible()
    page.get_by_role("link", name="My messages", exact=True).click()
    # Messages are written in the person's preferred language (Arabic here).
    expect(page.get_by_role("heading", name="تم تغيير كلمة المرور")).to_be_visible()
    screenshot(page, "inbox-en")


def test_code_page_on_a_phone(phone_page, live_server, seeded, screenshot):
    phone_page.goto(f"{live_server.url}/ar/accounts/register/")
    phone_page.get_by_label("رقم البطاقة الشخصية القطرية").fill(QID)
    phone_page.get_by_label("تاريخ انتهاء البطاقة").fill(seeded.isoformat())
    phone_page.get_by_role("button", name="إرسال رمز التحقق").click()
    expect(phone_page.get_by_label("رمز التحقق")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone_page, "register-code-ar-phone")
