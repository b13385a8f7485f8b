import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_home_page_in_arabic_then_english(page, live_server, screenshot):
    page.goto(f"{live_server.url}/")

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("link", name="وزارة الداخلية")).to_be_visible()
    expect(page.get_by_role("heading", name="الدفع الإلكتروني")).to_be_visible()
    screenshot(page, "home-ar")

    page.get_by_role("link", name="English").click()

    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", name="Ministry of Interior e-services")).to_be_visible()
    expect(page.get_by_role("heading", name="Electronic documents")).to_be_visible()
    screenshot(page, "home-en")

    page.get_by_role("link", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_home_page_fits_a_360_px_phone(phone_page, live_server, screenshot):
    for language in ("ar", "en"):
        phone_page.goto(f"{live_server.url}/{language}/")
        scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 360, f"{language}: page is {scroll_width}px wide on a 360px phone"
        screenshot(phone_page, f"home-{language}-phone")


def test_external_resources_are_caught(page, live_server, external_requests):
    # A navigation, not a fetch from a portal page: the portal's Content
    # Security Policy refuses such a fetch before it reaches the network.
    with pytest.raises(PlaywrightError):
        page.goto("http://example.org/x")
    assert external_requests == ["http://example.org/x"]
    external_requests.clear()
