"""Staff sign-in with a second factor, in Chromium (PRODUCT.md section 3).

A new member of staff signs in with QID and password, is taken to set up an
authenticator app (QR code drawn by the portal, key for typing in by hand),
confirms it with a code, is shown backup codes once and reaches the admin
home. At the next sign-in the code step asks for the authenticator code, and
a backup code works there too. The code is computed from the key on the
page, as a phone app would.
"""

import base64
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import _new_page, enter_authenticator_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def t(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def password_step(page, base, person, language="en"):
    page.goto(f"{base}/{language}/admin/")
    page.get_by_label(t(language, "Qatar ID number")).fill(person.qid)
    page.get_by_label(t(language, "Password")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t(language, "Log in")).click()


def code_from_key_on_page(page) -> str:
    key = base64.b32decode(page.locator("#manual-key").inner_text().replace(" ", ""))
    return f"{totp(key):06d}"


def expect_qr_code_drawn(page, language):
    alt = "QR code that adds your back-office account to the authenticator app"
    qr = page.get_by_role("img", name=t(language, alt))
    expect(qr).to_be_visible()
    page.wait_for_function(
        "() => { const img = document.querySelector('img.qr-code');"
        " return img.complete && img.naturalWidth > 0; }"
    )


def in_both_languages(page, screenshot, name):
    english = page.url
    screenshot(page, f"{name}-en")
    page.goto(english.replace("/en/", "/ar/", 1))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_label(t("ar", "Authenticator code"))).to_be_visible()
    screenshot(page, f"{name}-ar")
    page.goto(english)


def test_a_new_staff_member_enrols_an_authenticator_and_reaches_admin(
    page, live_server, screenshot
):
    base = live_server.url
    staff = PersonFactory(staff=True, is_superuser=True)

    password_step(page, base, staff)
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect_qr_code_drawn(page, "en")
    in_both_languages(page, screenshot, "staff-enrol")

    page.get_by_label("Authenticator code").fill("12345")
    page.get_by_role("button", name="Confirm").click()
    expect(
        page.locator(".field__errors").get_by_text(
            "Enter the 6 digits your authenticator app shows."
        )
    ).to_be_visible()
    page.get_by_label("Authenticator code").fill(code_from_key_on_page(page))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Backup codes")).to_be_visible()
    codes = page.get_by_role("list", name="Backup codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    backup_code = codes.first.inner_text().strip()
    screenshot(page, "staff-backup-codes-en")
    page.get_by_role("link", name="Continue to the back office").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/en/admin/$"))

    page.get_by_role("button", name="Log out").click()
    password_step(page, base, staff)
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    in_both_languages(page, screenshot, "staff-code")
    page.get_by_label("Authenticator code").fill(backup_code)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_staff_sign_in_steps_fit_a_phone_in_arabic(
    browser, external_requests, live_server, eservice_catalogue, screenshot
):
    base = live_server.url
    staff = PersonFactory(staff=True)
    context, page = _new_page(
        browser, external_requests, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    try:
        password_step(page, base, staff, "ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect_qr_code_drawn(page, "ar")
        screenshot(page, "staff-enrol-ar-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the enrolment page scrolls sideways ({width}px)"
        page.get_by_label(t("ar", "Authenticator code")).fill(code_from_key_on_page(page))
        page.get_by_role("button", name=t("ar", "Confirm")).click()
        expect(page.get_by_role("heading", name=t("ar", "Backup codes"))).to_be_visible()
        screenshot(page, "staff-backup-codes-ar-390")

        page.get_by_role("link", name=t("ar", "Continue to the back office")).click()
        page.get_by_role("button", name=t("ar", "Log out")).click()
        password_step(page, base, staff, "ar")
        expect(
            page.get_by_role("heading", name=t("ar", "Enter your authenticator code"))
        ).to_be_visible()
        screenshot(page, "staff-code-ar-390")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        enter_authenticator_code(page, staff, "ar")
        expect(page.get_by_role("button", name=t("ar", "Log out"))).to_be_visible()
    finally:
        context.close()
    assert external_requests == []
