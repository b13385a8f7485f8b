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
