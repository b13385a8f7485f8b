"""The residency back office in Chromium (PRODUCT.md sections 6.4, 6.6 and 8).

A reviewer signs in to admin, finds a submitted application by the
applicant's QID and approves it; a service-centre clerk finds the booked
appointment and records the collection. The Arabic admin reads right to left.
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts.constants import CardKind
from accounts.models import SmartCard
from accounts.roles import roles_sync
from residency.constants import ApplicationStatus, FeeKind
from residency.models import Appointment, Document
from tests.browser.conftest import _new_page, enter_authenticator_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory
from tests.helpers import staff_authenticator
from tests.residency.factories import ApplicationFactory, PaymentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = ApplicationStatus
CARD_NUMBER = "PR0000000777"


def t(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


@pytest.fixture
def staff_groups(tmp_path, monkeypatch):
    """The staff groups with their permissions (``accounts.roles``), documents in tmp.

    Transactional tests flush the database between tests; the groups are
    synced again here rather than trusting what the flush left.
    """
    monkeypatch.setattr(
        Document._meta.get_field("file"), "storage", FileSystemStorage(location=tmp_path)
    )
    ContentType.objects.clear_cache()
    roles_sync()


def staff_in(group_name):
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name=group_name))
    return person


@pytest.fixture
def submitted(staff_groups):
    """A complete application with its documents, waiting for a decision."""
    return ApplicationFactory(submitted=True, documents=True)


@pytest.fixture
def staff_page(browser, external_requests, live_server, eservice_catalogue):
    """A fresh browser for each member of staff (their own session cookie)."""
    contexts = []

    def make():
        context, page = _new_page(
            browser, external_requests, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert external_requests == [], f"The page loaded external URLs: {external_requests}"


def sign_in_to_admin(page, base, person):
    staff_authenticator(person)
    page.goto(f"{base}/en/admin/")
    page.get_by_label("Qatar ID number").fill(person.qid)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    enter_authenticator_code(page, person)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def search(page, text):
    page.get_by_role("textbox", name="Search").fill(text)
    page.get_by_role("button", name="Search").click()


def test_a_reviewer_approves_and_a_clerk_records_the_collection(
    staff_page, live_server, submitted, screenshot
):
    base = live_server.url
    application = submitted
    applicant = application.person
    ApplicationFactory(submitted=True)  # someone else's, which the search leaves out

    reviewer = staff_page()
    sign_in_to_admin(reviewer, base, staff_in("Residency reviewer"))
    reviewer.get_by_role("link", name="Permanent residency applications").first.click()
    results = reviewer.locator("#result_list")
    expect(results.get_by_role("row")).to_have_count(3)
    search(reviewer, applicant.qid)
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results).to_contain_text(applicant.qid)
    results.get_by_role("link", name=application.reference).click()
    change_url = re.compile(rf"/admin/residency/application/{application.pk}/change/")
    expect(reviewer).to_have_url(change_url)

    reviewer.get_by_role("link", name="Decide").click()
    expect(
        reviewer.get_by_role("heading", name=f"Decide on {application.reference}")
    ).to_be_visible()
    for kind in ("Passport copy", "Personal photo", "Salary certificate"):
        expect(reviewer.get_by_role("link", name=f"{kind} (v1)")).to_be_visible()
    reviewer.get_by_role("radio", name="Approve", exact=True).check()
    screenshot(reviewer, "staff-admin-decision-en")
    reviewer.get_by_role("button", name="Record decision").click()
    expect(reviewer.get_by_text("The decision was recorded.")).to_be_visible()
    expect(reviewer.get_by_text("Appointment booked").first).to_be_visible()
    # A reviewer decides; recording the collection is the clerk's: the page refuses them.
    collect_url = f"{base}/en/admin/residency/application/{application.pk}/collect/"
    assert reviewer.goto(collect_url).status == 403

    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED
    appointment = Appointment.objects.select_related("slot__centre").get(application=application)
    # The applicant pays the card fee before the appointment (a card is handed over paid).
    PaymentFactory(application=application, kind=FeeKind.CARD)

    clerk = staff_page()
    sign_in_to_admin(clerk, base, staff_in("Service-centre clerk"))
    clerk.get_by_role("link", name="Appointments").first.click()
    search(clerk, applicant.qid)
    results = clerk.locator("#result_list")
    expect(results.get_by_role("row")).to_have_count(2)
    expect(results).to_contain_text(appointment.slot.centre.name_en)
    screenshot(clerk, "staff-admin-appointments-en")
    results.get_by_role("link", name=application.reference).click()

    clerk.locator("#content").get_by_role("link", name=application.reference).click()
    clerk.get_by_role("link", name="Record collection").click()
    expect(
        clerk.get_by_role("heading", name=f"Record collection for {application.reference}")
    ).to_be_visible()
    # Clerks hand over cards; they do not read the applicant's documents.
    expect(clerk.get_by_role("link", name="Passport copy (v1)")).to_have_count(0)
    clerk.get_by_role("button", name="Record collection").click()
    expect(clerk.locator(".field__errors").get_by_text("This field is required.")).to_be_visible(
        timeout=15_000
    )
    clerk.get_by_label("Card number").fill(CARD_NUMBER)
    screenshot(clerk, "staff-admin-collection-en")
    clerk.get_by_role("button", name="Record collection").click()
    expect(clerk.get_by_text("The card was issued.")).to_be_visible()
    expect(clerk.get_by_text("Card issued").first).to_be_visible()

    application.refresh_from_db()
    appointment.refresh_from_db()
    assert application.status == S.CARD_ISSUED
    assert appointment.collected_at is not None
    card = SmartCard.objects.get(number=CARD_NUMBER)
    assert (card.person, card.kind) == (applicant, CardKind.PERMANENT_RESIDENCY)


def test_the_arabic_admin_is_right_to_left(staff_page, live_server, submitted, screenshot):
    base = live_server.url
    page = staff_page()
    page.goto(f"{base}/ar/admin/")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    reviewer = staff_in("Residency reviewer")
    staff_authenticator(reviewer)
    page.get_by_label(t("ar", "Qatar ID number")).fill(reviewer.qid)
    page.get_by_label(t("ar", "Password")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t("ar", "Log in")).click()
    expect(html).to_have_attribute("dir", "rtl")
    enter_authenticator_code(page, reviewer, "ar")
    expect(page.get_by_role("button", name=t("ar", "Log out"))).to_be_visible()
    expect(html).to_have_attribute("dir", "rtl")

    page.goto(f"{base}/ar/admin/residency/application/")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("#result_list")).to_contain_text(submitted.reference)
    direction = page.evaluate("getComputedStyle(document.querySelector('#content')).direction")
    assert direction == "rtl"
    screenshot(page, "staff-admin-queue-ar")
    assert re.search(r"/ar/admin/", page.url)


def test_the_clerk_sees_appointment_times_in_qatar_time(staff_page, live_server, staff_groups):
    application = ApplicationFactory(appointment_booked=True)
    slot = Appointment.objects.get(application=application).slot
    page = staff_page()
    sign_in_to_admin(page, live_server.url, staff_in("Service-centre clerk"))
    page.get_by_role("link", name="Appointments").first.click()
    search(page, application.person.qid)
    local = timezone.localtime(slot.starts_at)
    expect(page.locator("#result_list")).to_contain_text(f"{local:%Y-%m-%d %H:%M}", timeout=2000)


def test_each_staff_member_is_offered_only_their_own_decisions(
    staff_page, live_server, staff_groups
):
    application = ApplicationFactory(appointment_booked=True)
    url = f"{live_server.url}/en/admin/residency/application/{application.pk}/change/"
    reviewer = staff_page()
    sign_in_to_admin(reviewer, live_server.url, staff_in("Residency reviewer"))
    reviewer.goto(url)
    expect(reviewer.get_by_role("heading", name=application.reference, exact=True)).to_be_visible()
    expect(reviewer.get_by_role("link", name="Record collection")).to_have_count(0)
    expect(reviewer.get_by_role("link", name="Rebook after a no-show")).to_have_count(0)
    clerk = staff_page()
    sign_in_to_admin(clerk, live_server.url, staff_in("Service-centre clerk"))
    clerk.goto(url)
    expect(clerk.get_by_role("link", name="Record collection")).to_be_visible()
    expect(clerk.get_by_role("link", name="Rebook after a no-show")).to_be_visible()
