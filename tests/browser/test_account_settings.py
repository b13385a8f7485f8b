"""The signed-in person's own space in a real browser: dashboard, settings, "My requests"."""

import io
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Person
from tests.activation.factories import ChipRequestFactory, CorrectionRequestFactory
from tests.browser.test_activation_flow import (
    PASSWORD,
    READY_MOBILE,
    READY_QID,
    read_code_from_sandbox,
    sign_in,
    t,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_PASSWORD = "quiet harbour lantern 1987 walk"


@pytest.fixture
def seeded(settings):
    ContentType.objects.clear_cache()
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())


def test_an_english_speaker_sets_english_and_the_next_code_sms_is_english(
    page, live_server, seeded, screenshot
):
    base = live_server.url
    sign_in(page, base, "ar", READY_QID)
    page.get_by_role("link", name=t("ar", "My dashboard")).click()
    expect(
        page.get_by_role("heading", name=re.compile(t("ar", "Needs your action")))
    ).to_be_visible()
    screenshot(page, "dashboard-ar")

    page.get_by_role("link", name=t("ar", "Settings"), exact=True).click()
    page.get_by_label(t("ar", "English")).check()
    page.get_by_role("button", name=t("ar", "Save language")).click()
    expect(
        page.get_by_text(t("ar", "Your messages will now reach you in the language you chose."))
    ).to_be_visible()
    screenshot(page, "settings-ar")

    page.get_by_role("link", name=t("ar", "Change password")).click()
    page.get_by_role("button", name=t("ar", "Send code"), exact=True).click()
    expect(page.get_by_label(t("ar", "Verification code"))).to_be_visible()
    body = _sandbox_body(page, base, READY_MOBILE)
    assert "code" in body.lower()
    assert not re.search("[\u0600-\u06ff]", body)


def _sandbox_body(page, base, number) -> str:
    inbox = page.context.new_page()
    inbox.goto(f"{base}/en/accounts/simulation/sms/?number={number.replace('+', '%2B')}")
    body = inbox.locator("td.sms-body").first.inner_text()
    inbox.close()
    return body


def test_a_password_change_with_a_code_then_signing_in_with_the_new_one(
    page, live_server, seeded, screenshot
):
    base = live_server.url
    sign_in(page, base, "en", READY_QID)
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Change password").click()
    page.get_by_role("button", name="Send code", exact=True).click()
    page.get_by_label("Verification code").fill(read_code_from_sandbox(page, base, READY_MOBILE))
    page.get_by_role("button", name=re.compile("Confirm")).click()

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label(re.compile(r"^New password(?! again)")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    screenshot(page, "password-change-en")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed.")).to_be_visible()

    page.get_by_role("button", name="Sign out", exact=True).first.click()
    page.goto(f"{base}/en/accounts/sign-in/")
    page.get_by_label("Qatar ID number").fill(READY_QID)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/en/my/")
    expect(page.get_by_role("heading", name=re.compile("Welcome"))).to_be_visible()


@pytest.mark.parametrize("language", ["ar", "en"])
def test_my_requests_on_a_phone_are_stacked_cards_with_nothing_cut_off(
    phone_page, live_server, seeded, screenshot, language
):
    person = Person.objects.get(qid=READY_QID)
    for _ in range(3):
        CorrectionRequestFactory(person=person)
    ChipRequestFactory(person=person, card=person.cards.get(), approved=True)
    base = live_server.url
    page = phone_page
    sign_in(page, base, language, READY_QID)
    page.goto(f"{base}/{language}/accounts/requests/")
    expect(page.get_by_role("heading", name=t(language, "My requests"))).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    header = page.locator("table.history thead")
    assert header.evaluate("el => el.getBoundingClientRect().width") <= 1
    first_cell = page.locator("table.history tbody tr").first.locator("td").first
    label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert t(language, "Request") in label
    screenshot(page, f"my-requests-phone-{language}")
    # At 390 pixels too, and no cell of any card is cut off.
    for width in (360, 390):
        page.set_viewport_size({"width": width, "height": 844})
        assert (
            page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            <= 0
        )
        cut = page.locator("table.history tbody td").evaluate_all(
            "cells => cells.filter(c => c.scrollWidth > c.clientWidth + 1).length"
        )
        assert cut == 0
    screenshot(page, f"my-requests-390-{language}")
    page.get_by_label(t(language, "Kind of request")).select_option("chip")
    page.get_by_role("button", name=t(language, "Show requests")).click()
    expect(page.locator("table.history tbody tr")).to_have_count(1)
