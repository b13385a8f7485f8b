"""Headless Debian Chromium driven by Playwright for Python.

Every request that leaves 127.0.0.1 is blocked and fails the test: the portal
must work offline (no CDN, no external fonts or scripts).
"""

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import sync_playwright

from accounts.second_factor import current_code
from tests.helpers import staff_authenticator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (make test does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def external_requests():
    return []


def _new_page(browser, external_requests, **context_options):
    # A browser set up in Qatar: Arabic first, as most visitors' browsers are.
    context = browser.new_context(locale="ar-QA", timezone_id="Asia/Qatar", **context_options)

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in LOCAL_HOSTS or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            external_requests.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context, context.new_page()


@pytest.fixture
def page(browser, external_requests, live_server, eservice_catalogue):
    context, page = _new_page(browser, external_requests, viewport={"width": 1280, "height": 900})
    yield page
    context.close()
    assert external_requests == [], f"The page loaded external URLs: {external_requests}"


@pytest.fixture
def phone_page(browser, external_requests, live_server, eservice_catalogue):
    context, page = _new_page(
        browser, external_requests, viewport={"width": 360, "height": 780}, is_mobile=True
    )
    yield page
    context.close()
    assert external_requests == [], f"The page loaded external URLs: {external_requests}"


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def enter_authenticator_code(page, person, language: str = "en") -> None:
    """The admin sign-in's second step, typed as from the person's authenticator app
    (which must exist before the password step, see ``tests.helpers.staff_authenticator``).

    The code is the one for the next unused time step, so a second sign-in by
    the same person within 30 seconds is not refused as a replayed code.
    """

    device = staff_authenticator(person)
    device.refresh_from_db()
    at = max(time.time(), (device.last_t + 1) * device.step)
    with translation.override(language):
        label, button = gettext("Authenticator code"), gettext("Confirm")
    page.get_by_label(label).fill(current_code(device, at=at))
    page.get_by_role("button", name=button).click()
