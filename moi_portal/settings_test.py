"""Settings for the test suite: the production settings with test-only values.

Security settings stay as in production (Secure, ``__Host-`` cookies); only
the HTTPS redirect is off, because the live test server speaks plain HTTP.
"""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SIMULATION_MODE", "true")
os.environ.setdefault("SMS_BACKEND", "locmem")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
# Uploads made by tests stay out of the demo's private media folder.
os.environ.setdefault(
    "PRIVATE_MEDIA_ROOT",
    str(Path(__file__).resolve().parent.parent / "test-artifacts" / "private_media"),
)

from moi_portal.settings import *  # noqa: F403

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]

# The live test server serves files from the app folders; no collectstatic run.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Parallel test workers (pytest-xdist) share one Redis: each gets its own keys.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES["default"]["KEY_PREFIX"] = os.environ["PYTEST_XDIST_WORKER"]  # noqa: F405
    CACHES["copies"]["KEY_PREFIX"] = os.environ["PYTEST_XDIST_WORKER"]  # noqa: F405
