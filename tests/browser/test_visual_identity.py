"""The portal's own emblem and favicon (no page load asks for a missing file),
and the print stylesheet of the appointment page."""

import pytest
from playwright.sync_api import expect

from tests.browser.page_catalogue import PageCase
from tests.browser.test_accessibility import (  # noqa: F401 (fixtures)
    open_case,
    private_files,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_load_the_emblem_and_favicon_and_nothing_is_missing(page, live_server):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    for path in ("/ar/", "/en/accounts/sign-in/", "/en/admin/login/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]")
    expect(icon).to_have_attribute("type", "image/svg+xml")
    page.goto(live_server.url + "/en/")
    emblem = page.locator(".brand__emblem")
    expect(emblem).to_be_visible()
    assert emblem.evaluate("img => img.complete && img.naturalWidth > 0")
    assert missing == []


def test_appointment_page_prints_the_appointment_without_the_site_chrome(
    page,
    live_server,
    world,  # noqa: F811
):
    case = PageCase(
        "residency:appointment",
        "appointment",
        "resident",
        world.booked_qid,
        (world.booked_reference,),
    )
    for language in ("ar", "en"):
        open_case(page, live_server.url, case, language)
        page.emulate_media(media="print")
        for chrome in (".site-header", ".site-footer", ".simulation-banner", ".no-print"):
            expect(page.locator(chrome).first).to_be_hidden()
        expect(page.locator("h1")).to_be_visible()
        expect(
            page.get_by_role("paragraph").filter(has_text=world.booked_reference)
        ).to_be_visible()
        page.emulate_media(media="screen")
        expect(page.locator(".site-header")).to_be_visible()
