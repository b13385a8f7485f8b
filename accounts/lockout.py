"""Sign-in lockout: 5 consecutive failures lock a QID for 15 minutes (django-axes),
and an address that fails across many QIDs is throttled (PRODUCT.md section 3).

Both count the normalised QID and the address from ``accounts.network``, so
Arabic-Indic digits, spaces or a forged ``X-Forwarded-For`` never give an
attacker a fresh count.

The address and identity counts live in the shared cache (Redis). When it
cannot be reached they fail closed: sign-in, registration and reset are
refused until it answers again, so an outage never means unlimited guessing.
"""

import datetime
import logging

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.utils import timezone

from accounts import conf
from accounts.network import client_ip
from accounts.ratelimit import FixedWindow
from accounts.validators import normalize_qid

logger = logging.getLogger(__name__)

ADDRESS_THROTTLED = "address"
COUNTS_UNAVAILABLE = "unavailable"


def axes_username(request, credentials) -> str:
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return normalize_qid(raw or "")


def axes_client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How django-axes names a client in its log lines: never the typed QID
    (a person's identifier, or a password typed in the wrong field)."""
    return f"{{path_info: {path_info!r}}}"


def qid_locked_until(qid: str) -> datetime.datetime | None:
    """When the lock on this QID ends, or None when it is not locked."""
    attempt = (
        AccessAttempt.objects.filter(username=normalize_qid(qid)).order_by("-attempt_time").first()
    )
    if attempt is None or attempt.failures_since_start < settings.AXES_FAILURE_LIMIT:
        return None
    until = attempt.attempt_time + settings.AXES_COOLOFF_TIME
    return until if until > timezone.now() else None


def qid_unlock(qid: str) -> None:
    """Lift a lock early (successful password reset, or staff)."""
    reset(username=normalize_qid(qid))


def _signin_failures() -> FixedWindow:
    return FixedWindow("signin-ip-failures", conf.settings.IP_FAILURE_WINDOW)


def ip_failure_record(request) -> None:
    try:
        _signin_failures().hit(client_ip(request))
    except Exception as exc:  # noqa: BLE001 - the next attempt is refused anyway
        logger.warning("Sign-in failure not counted: cache unavailable (%s)", type(exc).__name__)


def ip_throttle_state(request) -> str:
    """ "" when this address may try to sign in, ``ADDRESS_THROTTLED`` when it
    failed too often, ``COUNTS_UNAVAILABLE`` when the cache cannot tell."""
    try:
        failures = _signin_failures().count(client_ip(request))
    except Exception as exc:  # noqa: BLE001 - any cache failure refuses sign-in
        logger.warning("Sign-in refused: cache unavailable (%s)", type(exc).__name__)
        return COUNTS_UNAVAILABLE
    return ADDRESS_THROTTLED if failures >= conf.settings.IP_FAILURE_LIMIT else ""


def ip_is_throttled(request) -> bool:
    return bool(ip_throttle_state(request))


# Registration and reset attempts: whatever was typed, each counts, so nobody
# can try card expiry dates for a QID, or QIDs from one address, at speed.
def identity_per_qid() -> FixedWindow:
    return FixedWindow("identity-qid", conf.settings.ACCOUNTS_IDENTITY_WINDOW)


def identity_per_address() -> FixedWindow:
    return FixedWindow("identity-ip", conf.settings.ACCOUNTS_IDENTITY_WINDOW)


def identity_attempt_allowed(request, qid: str) -> bool:
    """Count one registration or reset attempt; False once a limit is passed,
    or when the cache cannot count."""
    try:
        per_qid = identity_per_qid().hit(normalize_qid(qid))
        per_address = identity_per_address().hit(client_ip(request))
    except Exception as exc:  # noqa: BLE001 - fail closed
        logger.warning("Identity attempt refused: cache unavailable (%s)", type(exc).__name__)
        return False
    return (
        per_qid <= conf.settings.ACCOUNTS_IDENTITY_ATTEMPTS_PER_QID
        and per_address <= conf.settings.ACCOUNTS_IDENTITY_ATTEMPTS_PER_ADDRESS
    )


def limits_reset(*, qids: list[str], addresses: list[str]) -> None:
    """Lift the sign-in lock and the identity and address counts of ``qids`` and
    ``addresses`` (simulation only: the demo's ``seed_demo --reset-limits``)."""
    for qid in qids:
        qid_unlock(qid)
        identity_per_qid().reset(normalize_qid(qid))
    for address in addresses:
        _signin_failures().reset(address)
        identity_per_address().reset(address)
