"""Settings for the MOI e-services portal.

Every value that differs between a laptop demo and production comes from the
environment (see ``.env.example``). The defaults make ``make run`` work on a
fresh clone: SQLite in the project folder and a database-backed cache, which,
unlike a per-process memory cache, is shared by every app process.

With ``DEBUG`` off (the default) the settings are the production ones: a
``SECRET_KEY`` must be given, cookies are ``Secure`` and ``__Host-`` prefixed,
and HTTPS is enforced; ``manage.py check --deploy`` passes with zero warnings.
"""

import base64
import datetime
import hashlib
import os
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_HASHES
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
            "random value (DEBUG is off, so there is no development default). "
            "For a local demo run, set DEBUG=true or use `make run`."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Simulation mode mounts the SMS sandbox inbox. It never weakens a rule.
SIMULATION_MODE = env.bool("SIMULATION_MODE", default=False)
SMS_BACKEND = env.str("SMS_BACKEND", default="sandbox" if SIMULATION_MODE else "twilio")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
# Only for a regional API proxy; empty means Twilio's own API.
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="")
# E-mail copies of notifications (to a verified address only). In simulation
# mode they land in the sandbox mailbox; otherwise EMAIL_URL names the SMTP relay.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="messaging.mail.SandboxEmailBackend"
    if SIMULATION_MODE
    else "django.core.mail.backends.smtp.EmailBackend",
)
_smtp = env.email_url("EMAIL_URL", default="smtp://localhost:25")
EMAIL_HOST = _smtp["EMAIL_HOST"]
EMAIL_PORT = _smtp["EMAIL_PORT"]
EMAIL_HOST_USER = _smtp["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _smtp["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _smtp.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _smtp.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="e-services@moi.example.org")
# The public https origin of the portal, for provider callbacks (Twilio status).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# Seconds to wait for the SMS provider's answer.
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10)
# Seconds after which an unanswered provider call counts as abandoned (its
# worker died) and ``outbox_retry`` sends the message again, same idempotency key.
OUTBOX_STALE_AFTER = env.int("OUTBOX_STALE_AFTER", default=60)
# Seconds before the first retry of a refused SMS; each later one waits twice as long.
OUTBOX_FIRST_RETRY = env.int("OUTBOX_FIRST_RETRY", default=30)
# Readiness (/healthz/ready) fails while the oldest unsent SMS is older than this.
OUTBOX_READY_MAX_AGE = env.int("OUTBOX_READY_MAX_AGE", default=600)

INSTALLED_APPS = [
    "moi_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Widget templates resolve through TEMPLATES (FORM_RENDERER below).
    "django.forms",
    "csp",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "axes",
    # For its translated zxcvbn feedback (accounts.passwords).
    "django_zxcvbn_password_validator",
    "django_guid",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "accounts",
    "messaging",
    "activation",
    "residency",
]

MIDDLEWARE = [
    # First and last: requests by view and status, and their latency.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # First, so every response and every log line has the request id.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so static files carry the policies too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the session, the user or form data.
    "moi_portal.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): staff second factor (authenticator or backup code).
    "accounts.second_factor.StaffOTPMiddleware",
    "accounts.security_log.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires (the metrics middleware aside).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "moi_portal.urls"

# Widgets render through TEMPLATES, so templates/ can give the admin's stock
# widgets what WCAG asks of them (templates/admin/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moi_portal.context_processors.portal",
                "csp.context_processors.nonce",
                # Last: the token of a page drawn for every anonymous visitor.
                "moi_portal.shared_pages.csrf_stand_in",
            ],
        },
    },
    {
        # Text messages (SMS, inbox) are plain text: nothing is HTML-escaped, so
        # "&" and "'" arrive as typed. Pages escape them once when they show them.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

WSGI_APPLICATION = "moi_portal.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server and task worker write to one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# Persistent connections: opening a PostgreSQL connection costs more than
# serving a page. The health check before a request's first query replaces a
# connection the server dropped (restart, failover, idle timeout), so a drop
# costs no failed request. The development server starts a thread per
# request, which would only pile up connections: 0 there.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode a server-side cursor (``.iterator()``)
# may outlive the transaction's server connection: turn them off there.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache every process shares: the database by default, Redis in production.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://portal_cache")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # Counters that keep their window and count atomically (see moi_portal.cache),
    # and room for them: past MAX_ENTRIES a third of the keys are dropped.
    CACHES["default"]["BACKEND"] = "moi_portal.cache.DatabaseCache"
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
redis_default = CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
if redis_default:
    # One Redis client per connection pool instead of one per call (moi_portal.cache).
    CACHES["default"]["BACKEND"] = "moi_portal.cache.RedisCache"
    # A Redis that is down must fail fast (sign-in then refuses, see accounts.lockout),
    # never hang every request.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
# Copies of what the database holds (the catalogue, the home page's service
# list): the same store, but a Redis outage there is a miss, not an error.
CACHES["copies"] = {
    **CACHES["default"],
    "BACKEND": "moi_portal.cache.FailOpenRedisCache"
    if redis_default
    else CACHES["default"]["BACKEND"],
}

AUTH_USER_MODEL = "accounts.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("qid", "name_en", "name_ar", "email")},
    },
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.ContextSpecificValidator"},
    {"NAME": "accounts.passwords.GuessabilityValidator"},
]
# zxcvbn score 3 of 4: "safely unguessable", even to an offline attacker
# with a slow hash (NIST SP 800-63B section 3.1.1.2 leaves the measure open).
PASSWORD_MINIMAL_STRENGTH = 3

LANGUAGE_CODE = "ar"
LANGUAGES = [("ar", _("Arabic")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["moi_portal.formats"]
TIME_ZONE = "Asia/Qatar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded documents and photos live outside every URL space; only
# permission-checked views stream them.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private_media")

# Background work (SMS outbox, one-time code delivery): Django's tasks API.
# The database backend needs the worker: ``python manage.py task_worker``.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}
# On PostgreSQL each queued task sends NOTIFY and idle workers wait on LISTEN,
# so a task starts at once (messaging.wakeup). Turn off behind PgBouncer in
# transaction mode unless the workers connect to PostgreSQL directly.
TASK_WORKER_NOTIFY = env.bool("TASK_WORKER_NOTIFY", default=True)

# --- Sign-in, lockout and sessions (PRODUCT.md section 3) -------------------
# Proxies in front of the app that append to X-Forwarded-For. 0: use the
# socket address and ignore the header, which any client can forge.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_CLIENT_STR_CALLABLE = "accounts.lockout.axes_client_str"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "code"]
AXES_VERBOSE = False
# An address failing across many QIDs is throttled too, by accounts.lockout with
# its own, higher limit: many people share one address behind carrier NAT, so
# axes' single limit of 5 per address would lock them all out. Hence axes.W006
# (no "ip_address" lockout parameter) is silenced on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# The limit itself and its window have their defaults in accounts/conf.py.
if "IP_FAILURE_LIMIT" in os.environ:
    IP_FAILURE_LIMIT = env.int("IP_FAILURE_LIMIT")
SESSION_IDLE_TIMEOUT = 15 * 60
SESSION_IDLE_WARNING = 2 * 60

# Staff second factor (accounts.second_factor): the name authenticator apps
# show, and the back-off after wrong codes (seconds, doubling per failure).
OTP_TOTP_ISSUER = "MOI Qatar"
# Nobody, superusers included, reads another person's authenticator secret or
# backup codes in admin: the device pages show neither, and the QR code page
# is refused. A lost device is reset through a two-person request instead.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"

# --- HTTPS, cookies and headers -------------------------------------------
SECURE = env.bool("SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_NAME = "__Host-sessionid" if SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if SECURE else "csrftoken"
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, plus a named row per sign-in so people can end one.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # absolute limit; idle limit is enforced separately
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live|/ready)?$", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
# Trust X-Forwarded-Proto only from our own proxy (TRUSTED_PROXY_COUNT below).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if SECURE and env.int("TRUSTED_PROXY_COUNT", default=0) > 0
    else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A request id on every response (X-Request-ID) and every log line. A
# well-formed incoming id (a UUID, e.g. from our own proxy) is kept, anything
# else is replaced. django-guid keeps it in a context variable, so it is right
# for threads and async code alike.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
}


def _style_attribute_hash(style: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"


# Content Security Policy (ASVS 5.0 V3.4.3): scripts and styles only from our
# own static files. Nothing inline: the one inline block Django admin still
# writes carries the per-response nonce, which django-csp adds to the header
# only on responses that use it. django-simple-history's admin history list
# writes one style attribute we cannot move (style="border-top: 0"); only that
# exact attribute is allowed, by its hash.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_HASHES, _style_attribute_hash("border-top: 0")],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Powerful browser features the portal never uses are off for every page.
PERMISSIONS_POLICY = {
    "camera": [],
    "geolocation": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {
            "()": "django_guid.log_filters.CorrelationId",
            "correlation_id_field": "request_id",
        },
    },
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text",
        },
        "security": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # django-axes logs each attempt at INFO; failures (without the typed
        # QID, see AXES_CLIENT_STR_CALLABLE) stay visible as warnings.
        "axes": {"level": "WARNING"},
        # It logs each request's id at INFO; our lines carry it already.
        "django_guid": {"level": "WARNING"},
        # Security events: JSON lines, one per event (accounts.security_log).
        "moi_portal.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # The twilio client logs each API call's headers at INFO.
        "twilio.http_client": {"level": "WARNING"},
    },
}
