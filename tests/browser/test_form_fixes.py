"""Fixes found by trying the portal as its users do, checked in Chromium.

A QID typed in groups or in Arabic-Indic digits signs in; the reviewers' list
fits a 1280-pixel screen in both languages and the application page shows
income in riyals and days abroad as a table; a photo decision shows the photo.
"""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.roles import roles_sync
from residency.models import Document
from tests.activation.factories import PhotoRequestFactory
from tests.browser.test_activation_flow import PASSWORD, t
from tests.browser.test_staff_admin import sign_in_to_admin
from tests.factories import PersonFactory
from tests.residency.factories import ApplicationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def seeded(settings):
    ContentType.objects.clear_cache()
    settings.SMS_BACKEND = "sandbox"
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def staff_groups(tmp_path, monkeypatch):
    monkeypatch.setattr(
        Document._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    ContentType.objects.clear_cache()
    roles_sync()


def staff_in(group_name):
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name=group_name))
    return person


@pytest.mark.parametrize(("language", "typed"), [("en", "285 634 00001"), ("ar", "٢٨٥ ٦٣٤ ٠٠٠٠١")])
def test_a_qid_typed_in_groups_signs_in(page, live_server, seeded, screenshot, language, typed):
    base = live_server.url
    page.goto(f"{base}/{language}/accounts/sign-in/")
    box = page.get_by_label(t(language, "Qatar ID number"))
    box.press_sequentially(typed)
    assert box.input_value() == typed
    page.get_by_label(t(language, "Password")).fill(PASSWORD)
    screenshot(page, f"sign-in-qid-spaces-{language}")
    page.get_by_role("button", name=t(language, "Sign in")).click()
    expect(page).to_have_url(f"{base}/{language}/my/")


def _fits(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_applications_list_fits_1280_pixels_and_the_page_shows_income_and_days(
    page, live_server, staff_groups, screenshot, language
):
    base = live_server.url
    for _ in range(3):
        ApplicationFactory(submitted=True)
    application = ApplicationFactory(
        submitted=True, monthly_income=18500, days_abroad={"2024": 21, "2025": 3}
    )
    application.person.name_en = "Maria Cristina de los Santos Villanueva"
    application.person.save(update_fields=["name_en"])
    sign_in_to_admin(page, base, staff_in("Residency reviewer"))
    page.goto(f"{base}/{language}/admin/residency/application/")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    assert _fits(page) <= 0
    # The list itself, not only the page: no column hidden behind a scroll bar.
    results = page.locator("#changelist .results")
    assert results.evaluate("el => el.scrollWidth - el.clientWidth") <= 0
    reference = page.locator("#result_list tbody .field-reference a").first
    assert reference.evaluate("el => el.getClientRects().length") == 1  # one line
    screenshot(page, f"admin-applications-1280-{language}")

    page.goto(f"{base}/{language}/admin/residency/application/{application.pk}/change/")
    table = page.locator("table.days-abroad")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("rowheader", name="2025")).to_be_visible()
    expect(page.get_by_text(re.compile("18,?500"))).to_be_visible()
    screenshot(page, f"admin-application-{language}")


def test_the_photo_decision_page_shows_the_photo(page, live_server, staff_groups, screenshot):
    photo_request = PhotoRequestFactory(person__photo="")
    try:
        sign_in_to_admin(page, live_server.url, staff_in("Service-centre clerk"))
        page.goto(f"{live_server.url}/en/admin/activation/photorequest/{photo_request.pk}/decide/")
        photo = page.get_by_role("img", name="The photo sent for review")
        expect(photo).to_be_visible()
        assert photo.evaluate("img => img.complete && img.naturalWidth") > 0
        screenshot(page, "admin-photo-decision-en")
    finally:
        photo_request.photo.delete(save=False)
