"""The idle warning (WCAG 2.2.1): two minutes before the 15-minute sign-out the
page offers "Stay signed in", and staying keeps what was typed."""

import datetime

import pytest
import time_machine
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stay_signed_in_keeps_the_page_and_what_was_typed(page, live_server, screenshot):
    person = PersonFactory(preferred_language="en")
    page.clock.install()
    page.goto(f"{live_server.url}/en/accounts/sign-in/")
    page.get_by_label("Qatar ID number").fill(person.qid)
    page.get_by_role("textbox", name="Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/en/residency/")
    page.wait_for_load_state("load")  # the deferred script has set its timers

    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<label>Notes <input id=notes></label>')"
    )
    page.get_by_label("Notes").fill("half-written answer")
    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_hidden()

    page.clock.run_for("12:59")
    expect(warning).to_be_hidden()
    page.clock.run_for("00:02")
    expect(warning).to_be_visible()
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    screenshot(page, "session-warning-en")

    page.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_label("Notes")).to_have_value("half-written answer")
    page.clock.run_for("10:00")
    expect(warning).to_be_hidden()


def test_without_an_answer_the_page_goes_to_sign_in(page, live_server):
    person = PersonFactory(preferred_language="en")
    page.clock.install()
    page.goto(f"{live_server.url}/en/accounts/sign-in/")
    page.get_by_label("Qatar ID number").fill(person.qid)
    page.get_by_role("textbox", name="Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.wait_for_load_state("load")  # the deferred script has set its timers
    # The server's clock (the live server runs in this process) moves on too.
    with time_machine.travel(datetime.timedelta(minutes=16)):
        page.clock.run_for("15:01")
        expect(
            page.get_by_text("You were signed out after 15 minutes without activity.")
        ).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/en/accounts/sign-in/")
