"""The error summary of the GOV.UK Design System on the portal's forms: a
heading, one link per error that moves focus to its field, focus on the summary
when the page loads, and "Error:" at the start of the page title. Each error
sits under its own field."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(settings):
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())


def test_sign_in_errors_are_summarised_focused_and_linked_to_their_fields(
    page, live_server, seeded
):
    page.goto(f"{live_server.url}/en/accounts/sign-in/")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Sign in · Ministry of Interior")

    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    # Each link names its field, so a list of errors read on its own makes sense.
    expect(links.nth(0)).to_have_text("Qatar ID number: This field is required.")
    expect(links.nth(1)).to_have_text("Password: This field is required.")
    links.nth(1).click()
    expect(page.get_by_role("textbox", name="Password", exact=True)).to_be_focused()
    links.nth(0).click()
    expect(page.get_by_label("Qatar ID number")).to_be_focused()
    expect(page.get_by_label("Qatar ID number")).to_have_attribute("aria-invalid", "true")


def test_a_page_without_errors_has_no_summary_and_a_plain_title(page, live_server, seeded):
    page.goto(f"{live_server.url}/ar/accounts/sign-in/")
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    expect(page).not_to_have_title("خطأ")
    assert not page.title().startswith("خطأ")


def test_arabic_title_starts_with_the_arabic_word_for_error(page, live_server, seeded):
    page.goto(f"{live_server.url}/ar/accounts/sign-in/")
    page.locator("form[novalidate] button[type=submit]").click()
    expect(page).to_have_title(re.compile(r"^خطأ:"))
    expect(page.locator("[data-error-summary]")).to_be_focused()
