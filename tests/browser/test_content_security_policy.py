"""Every kind of page runs under the Content Security Policy with no violation.

Chromium reports each blocked inline script, style or attribute both in the
console ("Refused to ... because it violates the following Content Security
Policy directive") and as a ``securitypolicyviolation`` event; the test
listens to both, on public pages, sign-in and registration, code pages, the
signed-in citizen's pages, the residency steps, admin for a superuser and the
error pages.
"""

import pytest
from playwright.sync_api import expect

from residency.models import Application
from tests.browser.conftest import _new_page, enter_authenticator_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory, SmartCardFactory
from tests.helpers import staff_authenticator
from tests.residency.factories import ApplicationFactory, ResidentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class PolicyWatch:
    """Collects CSP violations on one browser page, from both channels."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str, *, status: int = 200):
        response = self.page.goto(url)
        assert response.status == status, url
        self.assert_clean(url)

    def assert_clean(self, where: str):
        self.page.wait_for_load_state("load")  # deferred scripts and styles have run
        events = self.page.evaluate("window.__cspViolations || []")
        assert self.console == [], f"{where}: {self.console}"
        assert events == [], f"{where}: {events}"


def open_watched(browser, external_requests):
    context, page = _new_page(browser, external_requests, viewport={"width": 1280, "height": 900})
    return context, PolicyWatch(page)


def sign_in(watch, base, person):
    watch.visit(f"{base}/en/accounts/sign-in/")
    watch.page.get_by_label("Qatar ID number").fill(person.qid)
    watch.page.get_by_role("textbox", name="Password", exact=True).fill(DEFAULT_PASSWORD)
    watch.page.get_by_role("button", name="Sign in").click()
    expect(watch.page.get_by_role("button", name="Sign out")).to_be_visible()
    watch.assert_clean("after sign-in")


def test_the_policy_header_reaches_the_browser(page, live_server):
    response = page.goto(f"{live_server.url}/en/")
    policy = response.header_value("content-security-policy")
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "camera=()" in response.header_value("permissions-policy")
    # An inline script injected into the page is refused, so the policy is live.
    watch = PolicyWatch(page)
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "document.body.insertAdjacentHTML("
            "'beforeend', '<img src=x onerror=\"document.title=1\">')"
        )
    assert watch.console, "the injected inline handler was not reported"
    assert page.title() != "1"


def test_public_pages_sign_in_registration_and_code_pages(browser, external_requests, live_server):
    base = live_server.url
    newcomer = SmartCardFactory(person=PersonFactory(unregistered=True))
    context, watch = open_watched(browser, external_requests)
    for language in ("ar", "en"):
        for path in (
            "/",
            "/accounts/sign-in/",
            "/accounts/register/",
            "/accounts/password-reset/",
            "/accounts/simulation/sms/",
        ):
            watch.visit(f"{base}/{language}{path}")
    watch.visit(f"{base}/en/accounts/register/")
    watch.page.get_by_label("Qatar ID number").fill(newcomer.person.qid)
    watch.page.get_by_label("Card expiry date").fill(newcomer.expires_on.isoformat())
    watch.page.get_by_role("button", name="Send verification code").click()
    expect(watch.page).to_have_url(f"{base}/en/accounts/register/code/")
    watch.assert_clean("registration code page")
    context.close()
    assert external_requests == []


def test_signed_in_citizen_pages_and_the_step_up_code_page(browser, external_requests, live_server):
    base = live_server.url
    citizen = PersonFactory()
    card = SmartCardFactory(person=citizen)
    context, watch = open_watched(browser, external_requests)
    sign_in(watch, base, citizen)
    for language in ("ar", "en"):
        for path in (
            "/",
            "/e-services/",
            "/e-services/profile/",
            "/e-services/profile/correction/",
            "/e-services/profile/mobile/",
            "/e-services/profile/photo/",
            "/e-services/requests/",
            "/accounts/messages/",
            "/accounts/security/",
            "/residency/",
        ):
            watch.visit(f"{base}/{language}{path}")
    # The catalogue asks for a code first: the step-up code page.
    watch.visit(f"{base}/en/e-services/cards/{card.pk}/")
    expect(watch.page.get_by_label("Verification code")).to_be_visible()
    watch.assert_clean("step-up code page")
    context.close()
    assert external_requests == []


def test_residency_steps_status_and_the_appointment_print_button(
    browser, external_requests, live_server
):
    base = live_server.url
    applicant = ResidentFactory()
    ApplicationFactory(person=applicant, documents=True)
    context, watch = open_watched(browser, external_requests)
    sign_in(watch, base, applicant)
    for step in ("personal", "basis", "residence", "employment", "centre", "documents", "review"):
        watch.visit(f"{base}/en/residency/apply/{step}/")
        watch.visit(f"{base}/ar/residency/apply/{step}/")
    context.close()

    booked = ApplicationFactory(appointment_booked=True)
    context, watch = open_watched(browser, external_requests)
    sign_in(watch, base, booked.person)
    watch.visit(f"{base}/en/residency/applications/{booked.reference}/")
    watch.visit(f"{base}/en/residency/applications/{booked.reference}/appointment/")
    # The print button works from the static script (no inline onclick).
    watch.page.evaluate("window.print = () => { window.__printed = true; }")
    watch.page.get_by_role("button", name="Print this page").click()
    assert watch.page.evaluate("window.__printed === true")
    watch.assert_clean("appointment page after printing")
    context.close()
    assert Application.objects.filter(person=applicant).exists()
    assert external_requests == []


def test_admin_pages_for_a_superuser(browser, external_requests, live_server):
    base = live_server.url
    admin = PersonFactory(staff=True, is_superuser=True)
    someone = PersonFactory()
    application = ApplicationFactory(submitted=True, documents=True)
    staff_authenticator(admin)
    context, watch = open_watched(browser, external_requests)
    watch.visit(f"{base}/en/admin/login/")
    watch.page.get_by_label("Qatar ID number").fill(admin.qid)
    watch.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    watch.page.get_by_role("button", name="Log in").click()
    watch.assert_clean("admin second-factor page")
    enter_authenticator_code(watch.page, admin)
    expect(watch.page.get_by_role("button", name="Log out")).to_be_visible()
    watch.assert_clean("admin home after sign-in")

    for path in (
        "/en/admin/",
        "/ar/admin/",
        "/en/admin/accounts/person/",
        "/en/admin/accounts/person/reason/",
        f"/en/admin/accounts/person/{someone.pk}/change/",
        f"/en/admin/accounts/person/{someone.pk}/support/",
        f"/en/admin/accounts/person/{someone.pk}/history/",
        "/en/admin/accounts/smartcard/",
        "/en/admin/activation/eservice/",
        "/en/admin/activation/eservice/add/",
        "/en/admin/residency/application/",
        f"/en/admin/residency/application/{application.pk}/change/",
        "/en/admin/residency/publicholiday/add/",
        "/en/admin/auth/group/add/",
    ):
        watch.visit(f"{base}{path}")
    context.close()
    assert external_requests == []


def test_staff_second_factor_enrolment_page(browser, external_requests, live_server):
    newcomer = PersonFactory(staff=True)
    context, watch = open_watched(browser, external_requests)
    watch.visit(f"{live_server.url}/en/admin/login/")
    watch.page.get_by_label("Qatar ID number").fill(newcomer.qid)
    watch.page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    watch.page.get_by_role("button", name="Log in").click()
    expect(watch.page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(watch.page.get_by_role("img", name="QR code")).to_be_visible()
    watch.assert_clean("enrolment page with its QR code")
    context.close()
    assert external_requests == []


@pytest.mark.urls("tests.portal.error_urls")
def test_error_pages_in_both_languages_and_on_a_phone(
    browser, external_requests, live_server, screenshot
):
    base = live_server.url
    for width in (1280, 390):
        context, page = _new_page(
            browser, external_requests, viewport={"width": width, "height": 844}
        )
        watch = PolicyWatch(page)
        for language in ("ar", "en"):
            for status, path in (
                (400, "/?q=%00"),
                (403, "/test-forbidden/"),
                (404, "/no-such-page/"),
                (500, "/test-broken/"),
            ):
                watch.visit(f"{base}/{language}{path}", status=status)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                screenshot(page, f"error-{status}-{language}-{width}")
        context.close()
    assert external_requests == []
