import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.helpers import cache_read_queries

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_arabic_home_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/ar/"


def test_arabic_home_page_is_right_to_left_with_the_ministry_name(client):
    response = client.get("/ar/")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in content
    assert "وزارة الداخلية" in content
    assert "الدفع الإلكتروني" in content  # the catalogue from the data migration
    assert 'href="/en/"' in content  # language switcher


def test_english_home_page_is_left_to_right(client):
    response = client.get("/en/")
    content = response.content.decode()
    assert '<html lang="en" dir="ltr">' in content
    assert "Ministry of Interior" in content
    assert "E-payment" in content
    assert "Electronic documents" in content
    assert 'href="/ar/"' in content


def test_home_page_lists_the_six_catalogue_services(client):
    response = client.get("/en/")
    names = [service.name_en for service in response.context["services"]]
    assert names == [
        "E-payment",
        "Electronic documents",
        "Traffic services",
        "Visa services",
        "Residency services",
        "E-gate and travel",
    ]


def test_language_switcher_keeps_the_current_page(client):
    with translation.override("en"):
        login_url = reverse("accounts:login")
    response = client.get(login_url)
    assert 'href="/ar/accounts/sign-in/"' in response.content.decode()


def test_home_page_reads_the_catalogue_once_then_from_the_shared_cache(
    client, django_assert_num_queries
):
    # The first visit reads the catalogue once (with the database cache, the
    # local default, the cache's own reads and writes are queries too); later
    # visits read nothing but the shared cache.
    with CaptureQueriesContext(connection) as first:
        client.get("/en/")
    catalogue_reads = [q for q in first.captured_queries if '"activation_eservice"' in q["sql"]]
    assert len(catalogue_reads) == 1
    with django_assert_num_queries(cache_read_queries(2)):
        client.get("/en/")
        client.get("/en/")


def test_home_page_loads_nothing_from_outside_the_portal(client):
    content = client.get("/ar/").content.decode()
    assert "http://" not in content
    assert "https://" not in content


def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "outbox": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_reports_503_when_the_cache_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr("moi_portal.views.cache.set", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
