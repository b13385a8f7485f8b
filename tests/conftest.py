import importlib

import pytest
from django.conf import settings
from django.core.cache import cache


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


def _clear_own_keys():
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{cache.key_prefix}:*"):
        client.delete(key)


@pytest.fixture
def eservice_catalogue(django_db_blocker):
    """The catalogue rows of the data migration, for transactional tests: their
    database is flushed between tests, which removes migration data."""
    from django.apps import apps

    catalogue = importlib.import_module("activation.migrations.0002_eservice_catalogue")
    with django_db_blocker.unblock():
        catalogue.add_catalogue(apps, None)


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A transactional test's flush recreates content types under new ids; the
    in-process cache must not hand out the old ones."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
