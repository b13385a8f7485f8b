import pytest

from tests.factories import PersonFactory, SmartCardFactory, StatusChangeFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/en/admin/accounts/person/",
    "/en/admin/accounts/smartcard/",
    "/en/admin/accounts/statuschange/",
    "/en/admin/accounts/referencesequence/",
    "/en/admin/activation/eservice/",
]


@pytest.fixture
def admin_client_(client):
    client.force_login(PersonFactory(staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("url", CHANGELISTS)
def test_admin_list_pages_open(admin_client_, url):
    SmartCardFactory()
    StatusChangeFactory()
    assert admin_client_.get(url).status_code == 200


def test_admin_finds_a_person_by_qid(admin_client_):
    wanted = PersonFactory(name_en="Wanted Person")
    PersonFactory(name_en="Other Person")
    response = admin_client_.get("/en/admin/accounts/person/", {"q": wanted.qid})
    content = response.content.decode()
    assert "Wanted Person" in content
    assert "Other Person" not in content


def test_admin_finds_a_card_by_its_holders_qid(admin_client_):
    card = SmartCardFactory()
    other = SmartCardFactory()
    response = admin_client_.get("/en/admin/accounts/smartcard/", {"q": card.person.qid})
    content = response.content.decode()
    assert card.number in content
    assert other.number not in content


def test_status_history_cannot_be_edited_in_admin(admin_client_):
    change = StatusChangeFactory()
    response = admin_client_.post(
        f"/en/admin/accounts/statuschange/{change.pk}/change/", {"to_status": "approved"}
    )
    change.refresh_from_db()
    assert change.to_status == "submitted"
    assert response.status_code in (403, 200)
