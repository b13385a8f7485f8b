import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from moi_portal import shared_pages
from tests.helpers import verify_second_factor


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and lockouts live in the shared cache; each test starts clean.

    The database cache (the local default) is rolled back with each test's
    transaction; in Redis (CI and production) this test worker's keys are
    deleted, leaving other workers' keys alone.
    """
    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        yield
        return
    _clear_own_keys()
    yield
    _clear_own_keys()


@pytest.fixture(autouse=True)
def _fresh_process_copies():
    """Pages kept in the process (moi_portal.shared_pages) are drawn again in each
    test, which may change the settings they are drawn with."""
    shared_pages._process_copies.clear()


def _clear_own_keys():
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def eservice_catalogue(request, django_db_blocker):
    """The catalogue, service centre and fee rows of the data migrations. A
    transactional test flushes the database when it ends, which removes migration
    data for the tests after it; this puts the rows back (a no-op when present)."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        return

    request.getfixturevalue("django_db_setup")
    catalogue = importlib.import_module("activation.migrations.0002_eservice_catalogue")
    centres = importlib.import_module("residency.migrations.0002_service_centres")
    fees = importlib.import_module("residency.migrations.0008_fees_seed")
    with django_db_blocker.unblock():
        catalogue.add_catalogue(apps, None)
        centres.seed(apps, None)
        fees.seed(apps, None)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test's flush recreates content types under new ids; the
    in-process cache must not hand out the old ones."""

    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Service and model messages are checked in English unless a test says
    otherwise; each request still activates the language of its URL."""

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _staff_force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(staff)`` signs staff in as the admin sign-in does,
    second factor included, so tests about admin pages start in admin. Tests
    about the second factor itself sign in through the forms."""
    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            verify_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)
