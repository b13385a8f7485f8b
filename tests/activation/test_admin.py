"""Staff see and search requests, and decide them only through the services."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission

from accounts.constants import ChipStatus
from accounts.models import StatusChange
from activation.constants import ReviewStatus
from tests.activation.factories import (
    CardServiceFactory,
    ChipRequestFactory,
    CorrectionRequestFactory,
    PhotoRequestFactory,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "activationrequest",
    "deactivationrequest",
    "cardservice",
    "chiprequest",
    "correctionrequest",
    "photorequest",
]


@pytest.fixture
def superuser_client(client):
    client.force_login(PersonFactory(staff=True, is_superuser=True))
    return client


def staff_client(client, *codenames):
    staff = PersonFactory(staff=True)
    for codename in codenames:
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(staff)
    return client


@pytest.mark.parametrize("model", CHANGELISTS)
def test_every_activation_list_opens_in_admin(superuser_client, model, delete_private_files):
    CardServiceFactory()
    ChipRequestFactory()
    CorrectionRequestFactory()
    PhotoRequestFactory()
    assert superuser_client.get(f"/en/admin/activation/{model}/").status_code == 200


@pytest.mark.parametrize("model", ["activationrequest", "chiprequest"])
def test_requests_open_in_admin_with_their_history(superuser_client, model):
    row = CardServiceFactory()
    chip = ChipRequestFactory()
    obj = row.activation if model == "activationrequest" else chip
    response = superuser_client.get(f"/en/admin/activation/{model}/{obj.pk}/change/")
    assert response.status_code == 200
    assert obj.reference in response.content.decode()


def test_chip_requests_are_found_by_qid_and_by_reference(superuser_client):
    wanted, other = ChipRequestFactory(), ChipRequestFactory()
    for query in (wanted.person.qid, wanted.reference):
        content = superuser_client.get(
            "/en/admin/activation/chiprequest/", {"q": query}
        ).content.decode()
        assert wanted.reference in content
        assert other.reference not in content


def test_activations_are_found_by_qid(superuser_client):
    wanted, other = CardServiceFactory(), CardServiceFactory()
    content = superuser_client.get(
        "/en/admin/activation/activationrequest/", {"q": wanted.card.person.qid}
    ).content.decode()
    assert wanted.activation.reference in content
    assert other.activation.reference not in content


def test_the_status_cannot_be_edited_in_admin(superuser_client):
    chip = ChipRequestFactory()
    superuser_client.post(
        f"/en/admin/activation/chiprequest/{chip.pk}/change/", {"status": "approved"}
    )
    chip.refresh_from_db()
    assert chip.status == ReviewStatus.SUBMITTED


def test_staff_with_the_decide_permission_approve_a_chip_through_the_decide_page(client):
    chip = ChipRequestFactory()
    staff_client(client, "view_chiprequest", "decide_chiprequest")

    response = client.post(
        f"/en/admin/activation/chiprequest/{chip.pk}/decide/", {"decision": "approve", "note": ""}
    )

    assert response.status_code == 302
    chip.refresh_from_db()
    chip.card.refresh_from_db()
    assert chip.status == ReviewStatus.APPROVED
    assert chip.card.chip_status == ChipStatus.ACTIVE


def test_staff_without_the_decide_permission_cannot_decide(client):
    chip = ChipRequestFactory()
    staff_client(client, "view_chiprequest")

    response = client.post(
        f"/en/admin/activation/chiprequest/{chip.pk}/decide/", {"decision": "approve"}
    )
    client.post(
        "/en/admin/activation/chiprequest/",
        {"action": "approve_selected", "_selected_action": [chip.pk]},
    )

    assert response.status_code == 403
    chip.refresh_from_db()
    assert chip.status == ReviewStatus.SUBMITTED


def test_rejecting_without_a_reason_is_explained_and_changes_nothing(client):
    correction = CorrectionRequestFactory()
    staff_client(client, "view_correctionrequest", "decide_correctionrequest")

    response = client.post(
        f"/en/admin/activation/correctionrequest/{correction.pk}/decide/", {"decision": "reject"}
    )

    assert response.status_code == 200
    assert "Give the reason for the rejection" in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == ReviewStatus.SUBMITTED


def test_the_approve_action_decides_through_the_service(client):
    chips = [ChipRequestFactory(), ChipRequestFactory()]
    staff_client(client, "view_chiprequest", "decide_chiprequest")

    client.post(
        "/en/admin/activation/chiprequest/",
        {"action": "approve_selected", "_selected_action": [c.pk for c in chips]},
    )

    for chip in chips:
        chip.refresh_from_db()
        assert chip.status == ReviewStatus.APPROVED


def test_an_already_decided_request_is_reported_not_changed(client):
    chip = ChipRequestFactory(rejected=True)
    staff_client(client, "view_chiprequest", "decide_chiprequest")
    client.post(
        "/en/admin/activation/chiprequest/",
        {"action": "approve_selected", "_selected_action": [chip.pk]},
    )
    chip.refresh_from_db()
    assert chip.status == ReviewStatus.REJECTED


def test_the_photo_decision_page_shows_the_photo_sent(client, delete_private_files):

    photo_request = PhotoRequestFactory(person__photo="")
    staff_client(client, "view_photorequest", "decide_photorequest")
    html = client.get(f"/en/admin/activation/photorequest/{photo_request.pk}/decide/").content
    sources = re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html.decode())
    assert [alt for _src, alt in sources] == ["The photo sent for review"]
    image = client.get(sources[0][0])
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image.getvalue() == photo_request.photo.open("rb").read()


def test_the_status_history_in_admin_is_in_qatar_time(superuser_client):

    chip = ChipRequestFactory()
    StatusChange.objects.filter(reference=chip.reference).delete()
    StatusChange.objects.create(
        reference=chip.reference,
        from_status="",
        to_status="submitted",
        created_at=datetime.datetime(2026, 3, 1, 6, 30, tzinfo=datetime.UTC),
        request=chip,
    )
    html = superuser_client.get(f"/en/admin/activation/chiprequest/{chip.pk}/change/").content
    assert "01/03/2026 09:30" in html.decode()
