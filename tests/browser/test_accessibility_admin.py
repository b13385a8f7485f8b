"""axe-core (WCAG 2.2 A and AA) on the back office: every register as the
administrator sees it, and the pages each staff group works in, in both languages.
Known gaps of the stock admin widgets are listed in ``page_catalogue.ADMIN_GAPS``."""

import pytest

from tests.browser.page_catalogue import admin_cases
from tests.browser.test_accessibility import (  # noqa: F401 (fixtures)
    axe_check,
    private_files,
    visit_all,
    world,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.accessibility,
    pytest.mark.django_db(transaction=True),
]


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_admin_page_kind_has_no_wcag_violations(
    browser,
    external_requests,
    live_server,
    world,  # noqa: F811
    language,
):
    problems = visit_all(
        browser,
        external_requests,
        live_server,
        admin_cases(world),
        language,
        [axe_check],
        viewport={"width": 1280, "height": 900},
    )
    assert problems == [], "\n".join(problems)
    assert external_requests == []
