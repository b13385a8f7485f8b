"""The catalogue is cached per language for everyone and forgotten when staff edit it."""

import pytest

from activation.models import EService
from activation.selectors import eservice_list_offered
from tests.factories import PersonFactory
from tests.helpers import cache_read_queries

pytestmark = pytest.mark.django_db


def edit_in_admin(client, service: EService, **changes) -> None:
    fields = ("code", "name_ar", "name_en", "description_ar", "description_en")
    data = {name: getattr(service, name) for name in fields}
    data.update(minimum_age=service.minimum_age, position=service.position)
    data.update({flag: "on" for flag in ("needs_photo", "is_active") if getattr(service, flag)})
    data.update(changes)
    data = {name: value for name, value in data.items() if value is not None}
    response = client.post(f"/en/admin/activation/eservice/{service.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.fixture
def admin_client(client):
    client.force_login(PersonFactory(staff=True, is_superuser=True))
    return client


def test_an_administrators_edit_shows_on_the_home_page_in_both_languages(client, admin_client):
    service = EService.objects.get(code="e-payment")
    visitor = type(client)()
    assert "E-payment" in visitor.get("/en/").content.decode()
    assert service.name_ar in visitor.get("/ar/").content.decode()

    edit_in_admin(admin_client, service, name_en="Pay online", name_ar="الدفع عبر الإنترنت")

    english = visitor.get("/en/").content.decode()
    assert "Pay online" in english
    assert "E-payment" not in english
    assert "الدفع عبر الإنترنت" in visitor.get("/ar/").content.decode()


def test_a_service_withdrawn_in_admin_leaves_the_cached_catalogue(admin_client):
    service = EService.objects.get(code="e-payment")
    assert service in eservice_list_offered()

    edit_in_admin(admin_client, service, is_active=None)

    assert service not in eservice_list_offered()


def test_the_cached_catalogue_costs_no_query_beyond_the_cache(django_assert_num_queries):
    first = eservice_list_offered()
    with django_assert_num_queries(cache_read_queries(1)):
        assert eservice_list_offered() == first
