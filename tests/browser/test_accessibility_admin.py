"""axe-core (WCAG 2.2 A and AA) on the back office: every register as the
administrator sees it, and the pages each staff group works in, in both languages.
Pages left out are listed, each with its reason, in ``page_catalogue.ADMIN_GAPS``."""

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
    settings,
):
    # The task results page reads each task through the backend that stored it,
    # as in production (the suite otherwise runs tasks at once, with no queue).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
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
