import importlib

import pytest
from django.conf import settings
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles and lockouts live in the shared cache; each test starts clean.

    The database cache (the local default) is rolled back with each test's
    transaction; Redis (CI and production) is cleared here.
    """
    if "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eservice_catalogue(django_db_blocker):
    """The catalogue rows of the data migration, for transactional tests: their
    database is flushed between tests, which removes migration data."""
    from django.apps import apps

    catalogue = importlib.import_module("activation.migrations.0002_eservice_catalogue")
    with django_db_blocker.unblock():
        catalogue.add_catalogue(apps, None)
