"""Nobody, superusers included, edits what sign-in and codes depend on in an admin form;
staff do not manage other staff; nobody sets another person's password."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts import roles
from accounts.changes import mobile_change_apply
from accounts.models import Person, SmartCard
from accounts.roles import roles_sync
from tests.factories import PersonFactory, SmartCardFactory, qid_for
from tests.helpers import form_data

pytestmark = pytest.mark.django_db

OTHER_QID = qid_for(datetime.date(1985, 6, 15), "QA", 99999)


def staff(group: str) -> Person:
    roles_sync()
    person = PersonFactory(staff=True, preferred_language="en")
    person.groups.add(Group.objects.get(name=group))
    return person


def superuser() -> Person:
    return PersonFactory(staff=True, is_superuser=True, preferred_language="en")


def client_for(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def person_url(person) -> str:
    return f"/en/admin/accounts/person/{person.pk}/change/"


def submit_unchanged_but(client, url, form_id, **changes):
    """Post the change form as rendered, with ``changes`` typed over it (as a
    hand-crafted request would send them even when the form has no such field)."""
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), form_id)
    data.update({name: [value] for name, value in changes.items()})
    return client.post(url, data)


@pytest.mark.parametrize(("field", "value"), [("mobile", "+97466123456"), ("qid", OTHER_QID)])
def test_a_superuser_cannot_change_the_mobile_or_qid_in_admin(field, value):
    person = PersonFactory()
    client = client_for(superuser())
    assert f'name="{field}"' not in client.get(person_url(person)).content.decode()

    response = submit_unchanged_but(client, person_url(person), "person_form", **{field: value})

    assert response.status_code == 302
    person.refresh_from_db()
    assert getattr(person, field) != value


@pytest.mark.parametrize(
    ("field", "value"),
    [("number", "999999999"), ("expires_on", "2040-01-01"), ("status", "lost")],
)
def test_a_superuser_cannot_change_card_number_expiry_or_status_in_admin(field, value):
    card = SmartCardFactory()
    client = client_for(superuser())
    url = f"/en/admin/accounts/smartcard/{card.pk}/change/"
    assert f'name="{field}"' not in client.get(url).content.decode()

    submit_unchanged_but(client, url, "smartcard_form", **{field: value})

    card.refresh_from_db()
    assert str(getattr(card, field)) != value


def test_the_cards_on_a_person_page_are_read_only():
    card = SmartCardFactory()
    page = client_for(superuser()).get(person_url(card.person)).content.decode()
    assert card.number in page
    assert 'name="cards-0-number"' not in page
    assert 'name="cards-0-expires_on"' not in page


def test_a_new_card_can_still_be_added_with_its_number_and_expiry():
    person = PersonFactory()
    client = client_for(superuser())
    response = client.post(
        "/en/admin/accounts/smartcard/add/",
        {
            "person": person.pk,
            "number": "399999999",
            "kind": "citizen_id",
            "issued_on": "2026-01-01",
            "expires_on": "2031-01-01",
            "status": "valid",
        },
    )
    assert response.status_code == 302
    assert SmartCard.objects.get(number="399999999").person == person


def test_an_administrator_cannot_edit_a_superuser_in_admin():
    target = superuser()
    old = target.mobile
    client = client_for(staff(roles.ADMINISTRATOR))
    page = client.get(person_url(target)).content.decode()
    assert 'name="name_en"' not in page, "shown read-only"

    response = client.post(
        person_url(target),
        {"mobile": "+97466123456", "name_en": "Taken over", "qid": target.qid},
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.mobile, target.name_en) != ("+97466123456", "Taken over")
    assert target.mobile == old


def test_an_administrator_cannot_edit_another_staff_member():
    colleague = staff(roles.REVIEWER)
    client = client_for(staff(roles.ADMINISTRATOR))
    response = client.post(person_url(colleague), {"name_en": "Renamed", "qid": colleague.qid})
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.name_en != "Renamed"


def test_an_administrator_cannot_change_a_citizens_mobile_in_admin():
    citizen = PersonFactory()
    old = citizen.mobile
    client = client_for(staff(roles.ADMINISTRATOR))
    response = submit_unchanged_but(
        client, person_url(citizen), "person_form", mobile="+97466123456", name_en="Fixed Name"
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.mobile, citizen.name_en) == (old, "Fixed Name")


def test_only_superusers_give_groups_or_staff_status():
    citizen = PersonFactory()
    administrator = staff(roles.ADMINISTRATOR)
    group = Group.objects.get(name=roles.ADMINISTRATOR)
    client = client_for(administrator)
    page = client.get(person_url(citizen)).content.decode()
    assert 'name="is_staff"' not in page
    assert 'name="groups"' not in page

    submit_unchanged_but(
        client, person_url(citizen), "person_form", is_staff="on", groups=str(group.pk)
    )

    citizen.refresh_from_db()
    assert not citizen.is_staff
    assert not citizen.groups.exists()


def test_a_superuser_still_gives_groups_and_staff_status():
    citizen = PersonFactory()
    roles_sync()
    group = Group.objects.get(name=roles.SUPPORT)
    submit_unchanged_but(
        client_for(superuser()),
        person_url(citizen),
        "person_form",
        is_staff="on",
        groups=str(group.pk),
    )
    citizen.refresh_from_db()
    assert citizen.is_staff
    assert list(citizen.groups.all()) == [group]


def test_nobody_sets_another_persons_password_in_admin():
    person = PersonFactory()
    client = client_for(superuser())
    page = client.get(person_url(person)).content.decode()
    assert "../password/" not in page
    assert client.get(f"/en/admin/accounts/person/{person.pk}/password/").status_code == 403
    response = client.post(
        f"/en/admin/accounts/person/{person.pk}/password/",
        {"password1": "a brand new passphrase", "password2": "a brand new passphrase"},
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.check_password("a brand new passphrase")


def test_staff_change_their_own_password_only_with_the_current_one():
    member = staff(roles.SUPPORT)
    client = client_for(member)
    page = client.get("/en/admin/password_change/").content.decode()
    assert 'name="old_password"' in page
    client.post(
        "/en/admin/password_change/",
        {
            "old_password": "not my password",
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    member.refresh_from_db()
    assert not member.check_password("a brand new passphrase")


def test_a_new_register_row_gets_no_password_and_no_mobile_in_admin():
    client = client_for(superuser())
    page = client.get("/en/admin/accounts/person/add/").content.decode()
    assert 'name="qid"' in page
    assert 'name="password1"' not in page
    assert 'name="mobile"' not in page
    qid = qid_for(datetime.date(1990, 1, 1), "QA", 4242)
    response = client.post(
        "/en/admin/accounts/person/add/",
        {
            "qid": qid,
            "name_ar": "شخص جديد",
            "name_en": "New Person",
            "date_of_birth": "1990-01-01",
            "sex": "M",
            "nationality": "QA",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(qid=qid)
    assert not person.has_usable_password()
    assert person.mobile == ""


def test_an_earlier_version_cannot_be_saved_back_to_restore_an_old_mobile():
    person = PersonFactory()
    old = person.mobile
    first_version = person.history.earliest()
    mobile_change_apply(person=person, new_mobile="+97466123456", reference="ACR-2026-000001")
    client = client_for(superuser())
    url = f"/en/admin/accounts/person/{person.pk}/history/{first_version.history_id}/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"name_en": person.name_en})

    assert response.status_code == 403
    person.refresh_from_db()
    assert person.mobile == "+97466123456" != old
