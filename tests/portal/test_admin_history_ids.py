"""Admin pages answer 404, not 500, to ids and tokens of the wrong shape."""

import pytest

from activation.models import EService
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    client.force_login(PersonFactory(password=None, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("object_id", ["abc", "😀", "2856³4"])
def test_a_history_page_for_a_non_numeric_id_is_not_found(superuser, object_id):
    response = superuser.get(f"/en/admin/activation/eservice/{object_id}/history/")
    assert response.status_code == 404


@pytest.mark.parametrize("version_id", ["abc", "٣", ":"])
def test_an_earlier_version_with_a_non_numeric_id_is_not_found(superuser, version_id):
    service = EService.objects.first()
    response = superuser.get(f"/en/admin/activation/eservice/{service.pk}/history/{version_id}/")
    assert response.status_code == 404


def test_the_history_of_a_real_record_still_opens(superuser):
    service = EService.objects.first()
    service.save()  # one recorded version
    version = service.audit_trail.first()
    assert superuser.get(f"/en/admin/activation/eservice/{service.pk}/history/").status_code == 200
    response = superuser.get(
        f"/en/admin/activation/eservice/{service.pk}/history/{version.history_id}/"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("token", [" ", "a b", "😀", "x" * 300])
def test_an_import_report_with_a_malformed_token_is_not_found(superuser, token):
    response = superuser.get(f"/en/admin/accounts/person/import/report/{token}/")
    assert response.status_code == 404
