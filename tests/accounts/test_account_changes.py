"""Two-person account changes (maker-checker) and what every mobile change does.

The takeover these guard against: a staff member moves someone's mobile to a
number they hold, then resets the password with a code sent there.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts.changes import (
    AccountChangeRefused,
    account_change_decide,
    account_change_propose,
)
from accounts.constants import AccountChangeKind, AccountChangeStatus, OTPPurpose
from accounts.models import AccountChangeRequest, Person, SMSDevice, StaffAction
from accounts.otp import otp_send, otp_verify
from accounts.roles import roles_sync
from activation.services import mobile_change_record
from messaging.models import Notification
from tests.accounts.conftest import last_code
from tests.accounts.test_registration import _outcome
from tests.factories import DEFAULT_PASSWORD, PersonFactory, SmartCardFactory

pytestmark = pytest.mark.django_db

NEW_MOBILE = "+97466123456"
START = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
PAGE = "/en/accounts/messages/"


def staff(group: str, **kwargs) -> Person:
    roles_sync()
    person = PersonFactory(staff=True, preferred_language="en", **kwargs)
    person.groups.add(Group.objects.get(name=group))
    return Person.objects.get(pk=person.pk)


def superuser() -> Person:
    return PersonFactory(staff=True, is_superuser=True, preferred_language="en")


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def signed_in_with_password(person) -> Client:
    client = Client()
    response = client.post(
        "/en/accounts/sign-in/", {"username": person.qid, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    return client


def propose_in_admin(client, person, **overrides):
    data = {
        "qid": person.qid,
        "kind": AccountChangeKind.MOBILE,
        "new_mobile": "6612 3456",
        "reason": "Ticket 4711: phone stolen, passport seen at the counter",
        **overrides,
    }
    return client.post("/en/admin/accounts/accountchangerequest/add/", data)


def decide_in_admin(client, change, decision="approve", note=""):
    return client.post(
        f"/en/admin/accounts/accountchangerequest/{change.pk}/decide/",
        {"decision": decision, "note": note},
    )


# --- The takeover path, end to end ------------------------------------------


def test_a_mobile_changes_only_when_a_second_staff_member_approves(
    sms_outbox, django_capture_on_commit_callbacks
):
    citizen = PersonFactory(preferred_language="en")
    SmartCardFactory(person=citizen)
    old = citizen.mobile
    phone = signed_in_with_password(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=citizen, purpose=OTPPurpose.ESERVICES)
    open_code = last_code(sms_outbox, old)
    agent, administrator = staff(roles.SUPPORT), staff(roles.ADMINISTRATOR)

    with django_capture_on_commit_callbacks(execute=True):
        response = propose_in_admin(client_for(agent), citizen)
    change = AccountChangeRequest.objects.get()
    assert response["Location"] == f"/en/admin/accounts/accountchangerequest/{change.pk}/change/"
    assert (change.status, change.new_mobile, change.proposed_by) == (
        AccountChangeStatus.PROPOSED,
        NEW_MOBILE,
        agent,
    )
    citizen.refresh_from_db()
    assert citizen.mobile == old
    assert "change of the mobile number of your account was requested" in sms_outbox[-1].body

    refused = decide_in_admin(client_for(agent), change)
    assert "Somebody else must decide a change you proposed." in refused.content.decode()
    change.refresh_from_db()
    assert change.status == AccountChangeStatus.PROPOSED

    sms_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide_in_admin(client_for(administrator), change)
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (AccountChangeStatus.APPROVED, administrator)
    citizen.refresh_from_db()
    assert citizen.mobile == NEW_MOBILE
    [to_old] = [sms for sms in sms_outbox if sms.to == old]
    assert "was changed to another number" in to_old.body
    assert "If this was not you, call 2342000" in to_old.body
    assert [sms.to for sms in sms_outbox if "Text messages now go" in sms.body] == [NEW_MOBILE]
    assert phone.get(PAGE).status_code == 302, "every session of the person ends"
    assert not otp_verify(person=citizen, purpose=OTPPurpose.ESERVICES, code=open_code, number=old)
    actions = set(StaffAction.objects.filter(person=citizen).values_list("staff", "action"))
    assert actions == {(agent.pk, "propose_mobile"), (administrator.pk, "approved_mobile")}


@pytest.mark.parametrize("group", [roles.ADMINISTRATOR, roles.SUPPORT])
def test_nobody_approves_their_own_proposal(group):
    maker = staff(group)
    change = account_change_propose(
        person=PersonFactory(),
        kind=AccountChangeKind.MOBILE,
        actor=maker,
        reason="Ticket 1",
        new_mobile=NEW_MOBILE,
    )
    with pytest.raises(AccountChangeRefused, match="Somebody else must decide"):
        account_change_decide(change=change, approve=True, actor=maker)
    change.refresh_from_db()
    assert change.status == AccountChangeStatus.PROPOSED


def test_the_database_refuses_a_checker_who_is_the_maker_or_the_person():
    maker = staff(roles.SUPPORT)
    person = PersonFactory()
    change = account_change_propose(
        person=person,
        kind=AccountChangeKind.MOBILE,
        actor=maker,
        reason="x",
        new_mobile=NEW_MOBILE,
    )
    for checker in (maker, person):
        with pytest.raises(IntegrityError), transaction.atomic():
            AccountChangeRequest.objects.filter(pk=change.pk).update(
                status=AccountChangeStatus.APPROVED, decided_by=checker
            )


def test_a_change_to_a_staff_account_needs_a_superuser_to_approve():
    target = superuser()
    change = account_change_propose(
        person=target,
        kind=AccountChangeKind.MOBILE,
        actor=staff(roles.SUPPORT),
        reason="Ticket 2",
        new_mobile=NEW_MOBILE,
    )
    with pytest.raises(AccountChangeRefused, match="Only a superuser"):
        account_change_decide(change=change, approve=True, actor=staff(roles.ADMINISTRATOR))
    account_change_decide(change=change, approve=True, actor=superuser())
    target.refresh_from_db()
    assert target.mobile == NEW_MOBILE


def test_nobody_decides_a_change_to_their_own_account():
    target = superuser()
    change = account_change_propose(
        person=target,
        kind=AccountChangeKind.MOBILE,
        actor=staff(roles.SUPPORT),
        reason="Ticket 3",
        new_mobile=NEW_MOBILE,
    )
    with pytest.raises(AccountChangeRefused, match="your own account"):
        account_change_decide(change=change, approve=True, actor=target)


def test_staff_without_the_approval_permission_cannot_decide():
    change = account_change_propose(
        person=PersonFactory(),
        kind=AccountChangeKind.MOBILE,
        actor=staff(roles.SUPPORT),
        reason="Ticket 4",
        new_mobile=NEW_MOBILE,
    )
    clerk = staff(roles.CLERK)
    assert not clerk.has_perm("accounts.approve_mobile_change")
    with pytest.raises(AccountChangeRefused, match="permission"):
        account_change_decide(change=change, approve=True, actor=clerk)
    assert decide_in_admin(client_for(staff(roles.REVIEWER)), change).status_code == 403


def test_a_rejection_needs_a_reason_and_changes_nothing():
    person = PersonFactory(preferred_language="en")
    old = person.mobile
    change = account_change_propose(
        person=person,
        kind=AccountChangeKind.MOBILE,
        actor=staff(roles.SUPPORT),
        reason="Ticket 5",
        new_mobile=NEW_MOBILE,
    )
    approver = staff(roles.ADMINISTRATOR)
    with pytest.raises(AccountChangeRefused, match="reason"):
        account_change_decide(change=change, approve=False, actor=approver)
    account_change_decide(change=change, approve=False, actor=approver, note="Not the holder")
    person.refresh_from_db()
    assert person.mobile == old
    assert Notification.objects.filter(person=person, template="account_change_rejected").exists()


def test_one_open_request_per_person_and_kind():
    person, agent = PersonFactory(), staff(roles.SUPPORT)
    account_change_propose(
        person=person,
        kind=AccountChangeKind.MOBILE,
        actor=agent,
        reason="a",
        new_mobile=NEW_MOBILE,
    )
    with pytest.raises(AccountChangeRefused, match="already waiting"):
        account_change_propose(
            person=person,
            kind=AccountChangeKind.MOBILE,
            actor=agent,
            reason="b",
            new_mobile="+97477123456",
        )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"qid": "28563499999"}, "qid", "No person with this Qatar ID number"),
        ({"qid": "2856340000"}, "qid", "exactly 11 digits"),
        ({"new_mobile": "12345678"}, "new_mobile", "Enter a Qatar mobile number"),
        ({"new_mobile": ""}, "new_mobile", "Enter the new mobile number"),
        ({"reason": ""}, "reason", "This field is required"),
        ({"kind": "everything"}, "kind", "Select a valid choice"),
    ],
)
def test_a_bad_proposal_is_explained_next_to_the_field(overrides, field, message):
    response = propose_in_admin(client_for(staff(roles.SUPPORT)), PersonFactory(), **overrides)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not AccountChangeRequest.objects.exists()


def test_a_second_factor_reset_removes_totp_and_backup_devices_but_not_sms_devices():
    member = staff(roles.REVIEWER)
    TOTPDevice.objects.create(user=member, name="phone app")
    StaticDevice.objects.create(user=member, name="backup codes")
    SMSDevice.objects.create(user=member, purpose=OTPPurpose.ESERVICES, number=member.mobile)
    change = account_change_propose(
        person=member,
        kind=AccountChangeKind.SECOND_FACTOR_RESET,
        actor=staff(roles.SUPPORT),
        reason="Ticket 6: phone lost",
    )
    assert TOTPDevice.objects.filter(user=member).exists()

    account_change_decide(change=change, approve=True, actor=superuser())

    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    assert SMSDevice.objects.filter(user=member).exists()


def test_a_second_factor_reset_is_only_for_staff():
    with pytest.raises(AccountChangeRefused, match="Only staff"):
        account_change_propose(
            person=PersonFactory(),
            kind=AccountChangeKind.SECOND_FACTOR_RESET,
            actor=staff(roles.SUPPORT),
            reason="x",
        )


@pytest.mark.parametrize(
    ("group", "propose", "approve"),
    [
        (roles.ADMINISTRATOR, True, True),
        (roles.SUPPORT, True, True),
        (roles.CLERK, True, False),
        (roles.REVIEWER, False, False),
    ],
)
def test_who_may_propose_and_approve(group, propose, approve):
    member = staff(group)
    assert member.has_perm("accounts.add_accountchangerequest") is propose
    assert member.has_perm("accounts.approve_mobile_change") is approve


# --- Whoever changes a mobile: old number told, sessions end, reset waits ----


def test_the_citizens_own_change_tells_the_old_number_in_their_language(
    sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(preferred_language="ar")
    old = person.mobile
    with django_capture_on_commit_callbacks(execute=True):
        mobile_change_record(person=person, new_mobile=NEW_MOBILE, old_mobile_confirmed=True)
    notice = Notification.objects.get(template="account_mobile_changed_old_number")
    assert (notice.number, notice.language) == (old, "ar")
    [to_old] = [sms for sms in sms_outbox if sms.to == old]
    assert "2342000" in to_old.body
    assert "تم تغيير" in to_old.body


def test_the_citizens_own_change_ends_every_session_and_voids_codes(
    sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(preferred_language="en")
    laptop = signed_in_with_password(person)
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(person=person, purpose=OTPPurpose.RESIDENCY_SUBMISSION)
    mobile_change_record(person=person, new_mobile=NEW_MOBILE, old_mobile_confirmed=True)
    assert laptop.get(PAGE).status_code == 302
    assert not SMSDevice.objects.filter(user=person).exclude(token_hash="").exists()


def test_password_reset_is_refused_for_24_hours_after_a_mobile_change(
    sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(preferred_language="en")
    card = SmartCardFactory(person=person)
    with time_machine.travel(START, tick=False) as clock:
        mobile_change_record(person=person, new_mobile=NEW_MOBILE, old_mobile_confirmed=True)
        sms_outbox.clear()

        def ask_for_a_reset_code():
            with django_capture_on_commit_callbacks(execute=True):
                Client().post(
                    "/en/accounts/password-reset/",
                    {"qid": person.qid, "card_expiry": card.expires_on.isoformat()},
                )
            return [sms for sms in sms_outbox if sms.to == NEW_MOBILE]

        assert ask_for_a_reset_code() == []
        clock.shift(datetime.timedelta(hours=23, minutes=59))
        assert ask_for_a_reset_code() == []
        clock.shift(datetime.timedelta(minutes=2))
        assert len(ask_for_a_reset_code()) == 1


def test_a_paused_reset_looks_like_any_other_failure():
    person = PersonFactory(preferred_language="en")
    card = SmartCardFactory(person=person)
    with time_machine.travel(START, tick=False):
        mobile_change_record(person=person, new_mobile=NEW_MOBILE, old_mobile_confirmed=True)
        paused = _outcome("reset", person.qid, card.expires_on)
        unknown = _outcome("reset", "28563499999", card.expires_on)
    assert paused == unknown


def test_a_reset_verified_before_the_change_cannot_set_the_password(
    sms_outbox, django_capture_on_commit_callbacks
):
    person = PersonFactory(preferred_language="en")
    card = SmartCardFactory(person=person)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/password-reset/",
            {"qid": person.qid, "card_expiry": card.expires_on.isoformat()},
        )
    client.post("/en/accounts/password-reset/code/", {"code": last_code(sms_outbox)})
    mobile_change_record(person=person, new_mobile=NEW_MOBILE, old_mobile_confirmed=True)
    password = "a quiet walk along the corniche"
    response = client.post(
        "/en/accounts/password-reset/password/",
        {"new_password1": password, "new_password2": password},
    )
    assert response["Location"] == "/en/accounts/password-reset/"
    person.refresh_from_db()
    assert not person.check_password(password)


def test_approvers_see_the_changes_waiting_for_them_on_the_admin_home():
    agent, administrator = staff(roles.SUPPORT), staff(roles.ADMINISTRATOR)
    account_change_propose(
        person=PersonFactory(),
        kind=AccountChangeKind.MOBILE,
        actor=agent,
        reason="Ticket 7",
        new_mobile=NEW_MOBILE,
    )
    label = "Account changes waiting for a second staff member"
    for member, waiting in ((administrator, 1), (agent, 0)):
        panel = client_for(member).get("/en/admin/").context["work_waiting"]
        assert [item.count for item in panel if item.label == label] == [waiting]
    panel = client_for(staff(roles.REVIEWER)).get("/en/admin/").context["work_waiting"]
    assert label not in [item.label for item in panel]


def test_a_malformed_request_id_in_admin_is_not_an_error(client):
    client.force_login(PersonFactory(staff=True, is_superuser=True))
    response = client.get("/en/admin/accounts/accountchangerequest/abc/change/")
    assert response.status_code in (302, 404)
