"""Reflow (WCAG 1.4.10): at 320 CSS px wide, and at 1280 px with 400% zoom, no
page kind scrolls sideways; tables become stacked rows. The phone header is a
menu button (a <details> disclosure) that works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, _new_page
from tests.browser.page_catalogue import portal_cases
from tests.browser.test_accessibility import (  # noqa: F401 (fixtures)
    private_files,
    visit_all,
    world,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.accessibility,
    pytest.mark.django_db(transaction=True),
]

SHOTS = SCREENSHOTS / "reflow"
SIDEWAYS = """
() => {
  const root = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1
      || el.getBoundingClientRect().left < -1)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}
"""


def no_sideways_scroll(page, case, language):
    measured = page.evaluate(SIDEWAYS)
    if page.viewport_size["height"] > 300:  # the 320 px runs: keep a picture of each page
        name = f"320px-{language}-{case.pattern.replace(':', '-')}-{case.kind[:30]}"
        page.screenshot(
            path=str(SHOTS / f"{re.sub(r'[^A-Za-z0-9-]+', '_', name)}.png"), full_page=True
        )
    if measured["scroll"] <= measured["client"]:
        return []
    return [
        f"scrolls sideways: {measured['scroll']} > {measured['client']} px ({measured['wide']})"
    ]


@pytest.mark.parametrize(
    ("language", "context"),
    [
        ("ar", {"viewport": {"width": 320, "height": 640}}),
        ("en", {"viewport": {"width": 320, "height": 640}}),
        # 1280 × 900 CSS px at 400% zoom lays out as 320 × 225 CSS px.
        ("ar", {"viewport": {"width": 320, "height": 225}, "device_scale_factor": 4}),
    ],
    ids=["320px-ar", "320px-en", "1280px-at-400pc-ar"],
)
def test_no_page_kind_scrolls_sideways(
    browser,
    external_requests,
    live_server,
    world,  # noqa: F811
    language,
    context,
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = visit_all(
        browser,
        external_requests,
        live_server,
        portal_cases(world),
        language,
        [no_sideways_scroll],
        **context,
    )
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_phone_header_is_a_menu_button_that_opens_the_navigation(
    browser, external_requests, live_server, javascript
):
    context, page = _new_page(
        browser,
        external_requests,
        viewport={"width": 320, "height": 640},
        java_script_enabled=javascript,
    )
    try:
        page.goto(f"{live_server.url}/en/")
        menu = page.locator(".site-header summary", has_text="Menu")
        expect(menu).to_be_visible()
        nav = page.get_by_role("navigation", name="Account and language")
        expect(nav).to_be_hidden()
        header = page.locator(".site-header").bounding_box()
        assert header["height"] < 150, "the phone header is the brand and the menu button"
        menu.focus()
        page.keyboard.press("Enter")
        expect(nav).to_be_visible()
        expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
        page.keyboard.press("Enter")
        expect(nav).to_be_hidden()
    finally:
        context.close()
    assert external_requests == []


def test_wide_screen_shows_the_navigation_without_a_menu_button(page, live_server):
    page.goto(f"{live_server.url}/en/")
    expect(page.locator(".site-header summary")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Account and language")).to_be_visible()
