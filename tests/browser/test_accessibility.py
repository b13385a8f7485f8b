"""axe-core (WCAG 2.2 A and AA rules) on every page kind, in Arabic and English.

The page kinds come from ``page_catalogue``: every URL pattern has a case or a
reason why it is not a page. Each case is opened as the person it names, with
the session it needs (a confirmed code, a registration under way); error
states are reached by submitting the form with wrong or missing answers, as a
person would. One browser, one context per language; only the session cookie
changes between pages.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from accounts.models import Person
from tests.browser.conftest import _new_page
from tests.browser.page_catalogue import (
    ADMIN_GAPS,
    NOT_PAGES,
    admin_pages_nobody_opens,
    admin_pages_of_the_sample_kind,
    all_cases,
    build_world,
    portal_cases,
    session_cookie,
    staff_sign_in_cases,
    url_pattern_names,
)
from tests.browser.test_residency_flow import (  # noqa: F401 (fixture)
    private_files,
    residency_reference_data,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.accessibility,
    pytest.mark.django_db(transaction=True),
]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()

# Fill the form with the case's answers and submit it past the browser's own
# checks, so the server's messages show. "*" answers every text field; None
# clears a choice.
SUBMIT_WITH_ANSWERS = """
(answers) => {
  const forms = [
    ...document.querySelectorAll('main form[method="post"], #content form[method="post"]'),
  ];
  const fields = 'input:not([type=hidden]), select, textarea';
  const form = forms.find((f) => f.querySelector(fields)) || forms[0];
  if (!form) return false;
  form.noValidate = true;
  const texts = form.querySelectorAll('input:not([type=hidden]):not([type=file]), textarea');
  for (const input of texts) {
    if ('*' in answers && !['radio', 'checkbox'].includes(input.type)) input.value = answers['*'];
  }
  for (const [name, value] of Object.entries(answers)) {
    for (const input of form.querySelectorAll(`[name="${name}"]`)) {
      if (value !== null) input.value = value;
      else if (input.tagName === 'SELECT') input.value = '';
      else input.checked = false;
    }
  }
  form.setAttribute('data-submitted-by-test', '');
  return true;
}
"""


@pytest.fixture
def world(settings, private_files, live_server):  # noqa: F811
    settings.SMS_BACKEND = "sandbox"
    residency_reference_data()
    return build_world()


def open_case(page, base: str, case, language: str):
    """Load the page of ``case`` as its viewer; return the response status."""
    viewer = Person.objects.get(qid=case.viewer) if case.viewer else None
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie(viewer, case.session),
                "domain": urlsplit(base).hostname,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,
                "httpOnly": True,
            }
        ]
    )
    url = base + case.url(language)
    response = page.goto(url)
    status = response.status
    if case.errors is not None:
        if not page.evaluate(SUBMIT_WITH_ANSWERS, case.errors):
            raise AssertionError("no form to submit")
        form = page.locator("form[data-submitted-by-test]")
        button = form.locator("button[type=submit]:not([name=resend]), input[type=submit]").first
        with page.expect_navigation() as navigation:
            button.click()
        status = navigation.value.status
    return status


def axe_violations(page) -> list[str]:
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    found = []
    for violation in results.response["violations"]:
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{violation['id']}: {violation['help']} [{targets}]")
    return found


def visit_all(browser, external_requests, live_server, cases, language, checks, **context):
    """Open every case in one context; ``checks`` return problems as strings."""
    ctx, page = _new_page(browser, external_requests, **context)
    problems = []
    try:
        for case in cases:
            try:
                status = open_case(page, live_server.url, case, language)
            except (AssertionError, PlaywrightError) as error:
                problems.append(f"{case.label(language)}: {error}")
                continue
            path = urlsplit(page.url).path
            expected = urlsplit(case.url(language)).path
            if path != expected:
                problems.append(f"{case.label(language)}: landed on {page.url}")
                continue
            if case.errors is not None:
                if status != 200 and status != 400:
                    problems.append(f"{case.label(language)}: status {status} after submitting")
                    continue
                if not page.locator(".error-summary, .errornote, .errorlist").count():
                    problems.append(f"{case.label(language)}: no errors shown after submitting")
            elif status != case.status:
                problems.append(f"{case.label(language)}: status {status}")
                continue
            for check in checks:
                problems += [f"{case.label(language)}: {p}" for p in check(page, case, language)]
    finally:
        ctx.close()
    return problems


def axe_check(page, case, language):
    return axe_violations(page)


# Text in the other script, outside <bdi> or an element that says its language
# (the language switch says its own). Numbers are in neither script.
OTHER_SCRIPT_TEXT = r"""
(language) => {
  const other = language === 'ar' ? /[A-Za-z]{2,}/ : /[\u0600-\u06FF]/;
  // References (PR-2026-000123) and abbreviations written in capitals (PDF, QID).
  const allowed = /\b[A-Z]{2,5}(-\d{4}-\d{6})?\b/g;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest('script, style, bdi, [lang]:not(html), [hidden]')) continue;
    if (!parent.getClientRects().length) continue;
    const text = walker.currentNode.textContent.replace(allowed, '');
    if (other.test(text)) found.push(walker.currentNode.textContent.trim().slice(0, 60));
  }
  return found;
}
"""


def language_check(page, case, language):
    return [
        f"text in the other script: {text!r}" for text in page.evaluate(OTHER_SCRIPT_TEXT, language)
    ]


def test_every_url_pattern_has_a_page_case(world):
    covered = {case.pattern for case in all_cases(world)}
    explained = (
        set(NOT_PAGES)
        | set(admin_pages_nobody_opens())
        | set(admin_pages_of_the_sample_kind())
        | set(ADMIN_GAPS)
    )
    missing = sorted(url_pattern_names() - covered - explained)
    assert missing == [], f"URL patterns with no page case (add one to page_catalogue): {missing}"


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_portal_page_kind_has_no_wcag_violations(
    browser, external_requests, live_server, world, language
):
    cases = portal_cases(world) + staff_sign_in_cases(world)
    problems = visit_all(
        browser,
        external_requests,
        live_server,
        cases,
        language,
        [axe_check, language_check],
        viewport={"width": 1280, "height": 900},
    )
    assert problems == [], "\n".join(problems)
    assert external_requests == []


def test_the_axe_check_fails_on_a_page_with_a_missing_label(page, live_server):
    """The same check as above, on the real sign-in page with its labels taken out."""
    url = f"{live_server.url}/en/accounts/sign-in/"

    def without_labels(route):
        response = route.fetch()
        html = re.sub(r"<label\b[^>]*>.*?</label>", "", response.text(), flags=re.S)
        route.fulfill(response=response, body=html)

    page.goto(url)
    assert axe_violations(page) == []
    page.route(url, without_labels)
    page.goto(url)
    found = axe_violations(page)
    assert any(problem.startswith("label:") for problem in found), found
