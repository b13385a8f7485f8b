"""Two staff members change a citizen's mobile in the back office, in Chromium.

A support agent proposes the change with a reason; an administrator opens the
request and approves it. Both pages work in Arabic and English.
"""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts import roles
from accounts.constants import AccountChangeStatus
from accounts.models import AccountChangeRequest
from accounts.roles import roles_sync
from tests.browser.conftest import _new_page, enter_authenticator_code
from tests.factories import DEFAULT_PASSWORD, PersonFactory
from tests.helpers import staff_authenticator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def t(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def staff_in(group_name, language):
    person = PersonFactory(staff=True, preferred_language=language)
    person.groups.add(Group.objects.get(name=group_name))
    return person


@pytest.fixture
def staff_page(browser, external_requests, live_server, eservice_catalogue):
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


def sign_in_to_admin(page, base, person, language):
    staff_authenticator(person)
    page.goto(f"{base}/{language}/admin/")
    page.get_by_label(t(language, "Qatar ID number")).fill(person.qid)
    page.get_by_label(t(language, "Password")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name=t(language, "Log in")).click()
    enter_authenticator_code(page, person, language)
    expect(page.get_by_role("button", name=t(language, "Log out"))).to_be_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_one_staff_member_proposes_a_new_mobile_and_another_approves_it(
    staff_page, live_server, screenshot, language
):
    ContentType.objects.clear_cache()
    roles_sync()
    base = live_server.url
    citizen = PersonFactory(preferred_language=language)
    agent = staff_page()
    sign_in_to_admin(agent, base, staff_in(roles.SUPPORT, language), language)

    agent.goto(f"{base}/{language}/admin/accounts/accountchangerequest/add/")
    agent.get_by_label(t(language, "Qatar ID number")).fill(citizen.qid)
    agent.get_by_role("radio", name=t(language, "Change of the registered mobile number")).check()
    agent.get_by_label(t(language, "New mobile number")).fill("6612 3456")
    agent.get_by_label(t(language, "Reason")).fill("Ticket 4711: passport seen at the counter")
    screenshot(agent, f"account-change-propose-{language}")
    agent.get_by_role("button", name=t(language, "Propose the change")).click()

    change = AccountChangeRequest.objects.get()
    expect(agent.get_by_text(change.reference).first).to_be_visible()
    expect(agent.get_by_role("link", name=t(language, "Decide"))).to_have_count(0)

    approver = staff_page()
    sign_in_to_admin(approver, base, staff_in(roles.ADMINISTRATOR, language), language)
    approver.goto(f"{base}/{language}/admin/accounts/accountchangerequest/")
    approver.get_by_role("link", name=change.reference).click()
    approver.get_by_role("link", name=t(language, "Decide")).click()
    approver.get_by_role("radio", name=t(language, "Approve"), exact=True).check()
    screenshot(approver, f"account-change-decide-{language}")
    approver.set_viewport_size({"width": 390, "height": 844})
    screenshot(approver, f"account-change-decide-{language}-phone")
    approver.get_by_role("button", name=t(language, "Record the decision")).click()
    expect(approver.get_by_text(change.reference).first).to_be_visible()

    change.refresh_from_db()
    citizen.refresh_from_db()
    assert change.status == AccountChangeStatus.APPROVED
    assert citizen.mobile == "+97466123456"
