"""Least-privilege staff groups, the personal-data view log and account support."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts import roles
from accounts.constants import OTPPurpose
from accounts.lockout import qid_locked_until
from accounts.models import PersonDataAccess, StaffAction
from accounts.otp import otp_send
from accounts.roles import ROLES, roles_sync
from messaging import sms
from tests.accounts.conftest import last_code
from tests.factories import PersonFactory
from tests.residency.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def staff(group: str):
    roles_sync()
    person = PersonFactory(staff=True, preferred_language="en")
    person.groups.add(Group.objects.get(name=group))
    return person


def client_for(person, reason: str = "") -> Client:
    client = Client()
    client.force_login(person)
    if reason:
        session = client.session
        session["pii_reason"] = reason
        session.save()
    return client


def test_every_group_exists_with_exactly_its_permissions():
    roles_sync()
    for name, perms in ROLES.items():
        group = Group.objects.get(name=name)
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert granted == set(perms), name


def test_sync_removes_permissions_granted_by_hand():

    roles_sync()
    clerk = Group.objects.get(name=roles.CLERK)
    clerk.permissions.add(Permission.objects.get(codename="review_application"))
    roles_sync()
    assert not clerk.permissions.filter(codename="review_application").exists()


@pytest.mark.parametrize(
    ("group", "perm", "allowed"),
    [
        (roles.REVIEWER, "residency.review_application", True),
        (roles.REVIEWER, "residency.record_collection", False),
        (roles.REVIEWER, "accounts.change_person", False),
        (roles.CLERK, "residency.record_collection", True),
        (roles.CLERK, "residency.review_application", False),
        (roles.CLERK, "activation.decide_chiprequest", True),
        (roles.SUPPORT, "accounts.support_account", True),
        (roles.SUPPORT, "residency.view_document", False),
        (roles.SUPPORT, "activation.decide_photorequest", False),
        (roles.SUPPORT, "accounts.change_person", False),
        (roles.ADMINISTRATOR, "accounts.change_person", True),
        (roles.ADMINISTRATOR, "accounts.import_register", True),
        (roles.ADMINISTRATOR, "residency.review_application", False),
    ],
)
def test_each_group_can_do_only_its_job(group, perm, allowed):
    assert staff(group).has_perm(perm) is allowed


@pytest.mark.parametrize("group", [roles.REVIEWER, roles.CLERK, roles.SUPPORT])
def test_only_administrators_manage_staff(group):
    person = PersonFactory()
    client = client_for(staff(group))
    response = client.post(
        f"/en/admin/accounts/person/{person.pk}/change/", {"is_staff": "on", "qid": person.qid}
    )
    person.refresh_from_db()
    assert not person.is_staff
    # Support agents are first asked why they open records; the others are refused.
    assert response.status_code == (302 if group == roles.SUPPORT else 403)
    assert client.get("/en/admin/auth/group/").status_code == 403


def test_opening_a_record_is_logged_with_the_office_and_shown_to_the_person():
    reviewer = staff(roles.REVIEWER)
    person = PersonFactory(preferred_language="en")
    assert (
        client_for(reviewer).get(f"/en/admin/accounts/person/{person.pk}/change/").status_code
        == 200
    )
    access = PersonDataAccess.objects.get(person=person)
    assert (access.staff, access.office) == (reviewer, roles.REVIEWER)
    page = client_for(person).get("/en/accounts/security/").content.decode()
    assert "Residency reviewer" in page
    assert reviewer.name_en not in page
    assert reviewer.qid not in page


def test_the_office_is_shown_in_arabic_to_an_arabic_reader():
    person = PersonFactory()
    client_for(staff(roles.REVIEWER)).get(f"/en/admin/accounts/person/{person.pk}/change/")
    page = client_for(person).get("/ar/accounts/security/").content.decode()
    assert "مراجع طلبات الإقامة" in page


def test_support_agents_give_a_reason_once_per_session():
    agent = staff(roles.SUPPORT)
    first, second = PersonFactory(), PersonFactory()
    client = client_for(agent)
    response = client.get(f"/en/admin/accounts/person/{first.pk}/change/")
    assert response.status_code == 302
    assert "/reason/" in response["Location"]
    assert not PersonDataAccess.objects.exists()
    client.post(response["Location"], {"reason": "Ticket 4711: cannot sign in"})
    client.get(f"/en/admin/accounts/person/{first.pk}/change/")
    assert client.get(f"/en/admin/accounts/person/{second.pk}/change/").status_code == 200
    reasons = set(PersonDataAccess.objects.values_list("reason", flat=True))
    assert reasons == {"Ticket 4711: cannot sign in"}


def test_support_agent_unlocks_an_account_and_the_action_is_audited():
    agent = staff(roles.SUPPORT)
    person = PersonFactory()
    for _ in range(5):
        Client().post("/en/accounts/sign-in/", {"username": person.qid, "password": "wrong" * 3})
    client = client_for(agent, reason="Ticket 12: locked out")
    client.post(f"/en/admin/accounts/person/{person.pk}/support/", {"action": "unlock"})

    assert qid_locked_until(person.qid) is None
    assert StaffAction.objects.get(person=person).action == "unlock"


def test_support_agent_resends_a_registration_code(django_capture_on_commit_callbacks):

    sms.locmem_outbox.clear()
    agent = staff(roles.SUPPORT)
    person = PersonFactory(unregistered=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(agent, reason="Ticket 13: no code").post(
            f"/en/admin/accounts/person/{person.pk}/support/",
            {"action": "resend_registration_code"},
        )
    assert sms.locmem_outbox[-1].to == person.mobile
    assert StaffAction.objects.get(person=person).action == "resend_registration_code"


def test_support_page_shows_code_events_but_never_codes(django_capture_on_commit_callbacks):

    sms.locmem_outbox.clear()
    person = PersonFactory()
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.ESERVICES)
    code = last_code(sms.locmem_outbox)
    page = client_for(staff(roles.SUPPORT), reason="Ticket 14").get(
        f"/en/admin/accounts/person/{person.pk}/support/"
    )
    content = page.content.decode()
    assert "Code sent" in content
    assert code not in content


@pytest.mark.parametrize("group", [roles.REVIEWER, roles.CLERK])
def test_account_support_is_refused_to_other_groups(group):
    person = PersonFactory()
    client = client_for(staff(group))
    assert client.get(f"/en/admin/accounts/person/{person.pk}/support/").status_code == 403
    client.post(f"/en/admin/accounts/person/{person.pk}/support/", {"action": "end_sessions"})
    assert not StaffAction.objects.exists()


def test_admin_index_shows_each_group_its_own_work():
    reviewer_page = client_for(staff(roles.REVIEWER)).get("/en/admin/").content.decode()
    assert "Applications overdue" in reviewer_page
    assert "Chip activation requests" not in reviewer_page
    clerk_page = client_for(staff(roles.CLERK)).get("/en/admin/").content.decode()
    assert "Chip activation requests" in clerk_page
    assert "Applications overdue" not in clerk_page


def test_admin_in_arabic_is_right_to_left():
    page = client_for(staff(roles.REVIEWER)).get("/ar/admin/").content.decode()
    assert 'dir="rtl"' in page


def test_administrators_cannot_make_anyone_superuser_or_set_passwords():
    admin_ = staff(roles.ADMINISTRATOR)
    person = PersonFactory()
    client = client_for(admin_)
    page = client.get(f"/en/admin/accounts/person/{person.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="user_permissions"' not in page
    assert client.get(f"/en/admin/accounts/person/{person.pk}/password/").status_code == 403
    own = client.get(f"/en/admin/accounts/person/{admin_.pk}/change/").content.decode()
    assert 'name="groups"' not in own


def test_earlier_versions_of_a_record_need_a_reason_and_are_logged():
    agent = staff(roles.SUPPORT)
    person = PersonFactory()
    client = client_for(agent)
    response = client.get(f"/en/admin/accounts/person/{person.pk}/history/")
    assert response.status_code == 302
    assert "/reason/" in response["Location"]
    client.post(response["Location"], {"reason": "Ticket 99"})
    assert client.get(f"/en/admin/accounts/person/{person.pk}/history/").status_code == 200
    assert PersonDataAccess.objects.filter(person=person, reason="Ticket 99").exists()


def test_the_reason_page_only_returns_to_this_site():
    client = client_for(staff(roles.SUPPORT))
    response = client.post(
        "/en/admin/accounts/person/reason/?next=//evil.example/x", {"reason": "Ticket 1"}
    )
    assert response["Location"] == "/en/admin/"


def test_clerks_cannot_open_residency_documents():

    application = ApplicationFactory(submitted=True, documents=True)
    document = application.documents.first()
    clerk = client_for(staff(roles.CLERK))
    assert clerk.get(f"/en/residency/documents/{document.pk}/").status_code == 404
    reviewer = client_for(staff(roles.REVIEWER))
    assert reviewer.get(f"/en/residency/documents/{document.pk}/").status_code == 200
