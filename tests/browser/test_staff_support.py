"""A support agent helps a locked-out citizen; the citizen sees which office looked."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from accounts import roles
from accounts.lockout import qid_locked_until
from accounts.roles import roles_sync
from tests.browser.conftest import _new_page
from tests.browser.test_staff_admin import sign_in_to_admin
from tests.factories import DEFAULT_PASSWORD, PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_agent_unlocks_and_the_citizen_sees_the_office(
    browser, external_requests, live_server, eservice_catalogue, screenshot
):
    roles_sync()
    agent = PersonFactory(staff=True, preferred_language="en")
    agent.groups.add(Group.objects.get(name=roles.SUPPORT))
    citizen = PersonFactory(name_en="Hessa Al-Kuwari")
    for _ in range(5):
        Client().post("/en/accounts/sign-in/", {"username": citizen.qid, "password": "x" * 12})
    assert qid_locked_until(citizen.qid) is not None

    context, page = _new_page(browser, external_requests, viewport={"width": 1280, "height": 900})
    sign_in_to_admin(page, live_server.url, agent)
    page.get_by_role("link", name="People", exact=True).click()
    page.get_by_role("textbox", name="Search").fill(citizen.qid)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=citizen.qid).click()
    page.get_by_label("Why do you need to open personal records?").fill("Ticket 5521: locked out")
    screenshot(page, "admin-reason-en")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Account support").click()
    expect(page.get_by_text("Sign-in is locked until")).to_be_visible()
    screenshot(page, "admin-support-en")
    page.get_by_role("button", name="Unlock sign-in").click()
    expect(page.get_by_text("The sign-in lock was lifted.")).to_be_visible()
    assert qid_locked_until(citizen.qid) is None
    context.close()

    for language, office in (("ar", "موظف الدعم"), ("en", "Support agent")):
        context, page = _new_page(
            browser, external_requests, viewport={"width": 360, "height": 780}, is_mobile=True
        )
        page.goto(f"{live_server.url}/{language}/accounts/sign-in/")
        page.locator("#id_username").fill(citizen.qid)
        page.locator("#id_password").fill(DEFAULT_PASSWORD)
        page.locator("form button[type=submit]").click()
        page.goto(f"{live_server.url}/{language}/accounts/security/")
        table = page.get_by_role("table")
        expect(table).to_contain_text(office)
        expect(table).not_to_contain_text(agent.name_en)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(page, f"security-{language}-phone")
        context.close()
    assert external_requests == []
