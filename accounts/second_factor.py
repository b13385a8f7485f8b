"""The staff second factor (PRODUCT.md section 3; NIST SP 800-63B AAL2).

Staff prove possession of an authenticator app (django-otp's TOTP plugin) or
of one of their single-use backup codes (django-otp's static plugin). Only
these two device kinds count: ``accounts.SMSDevice`` is also a django-otp
device, but it confirms citizens' steps by text message and never makes a
staff session verified (``StaffOTPMiddleware`` drops any other device kind
from the session).

A staff member without a confirmed authenticator is enrolled at their next
sign-in: an unconfirmed device is created, shown as a QR code and as text,
and confirmed by a code from the app, which also hands out a new set of
backup codes. Wrong codes are throttled by the devices themselves
(django-otp's ``ThrottlingMixin``: 1, 2, 4, 8 ... seconds after each failure).
A lost authenticator is reset by deleting the person's devices through the
staff maker-checker path; the next sign-in then enrols again.
"""

import base64
import io
import time
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Person
from accounts.validators import to_ascii_digits

STAFF_DEVICE_TYPES = (TOTPDevice, StaticDevice)
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10


class EnrolmentClosed(Exception):
    """The person already has a confirmed authenticator; only a reset reopens enrolment."""


@dataclass(frozen=True)
class SecondFactorCheck:
    device: TOTPDevice | StaticDevice | None = None
    locked_until: object = None

    def __bool__(self):
        return self.device is not None


class StaffOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, accepting only the staff device kinds.

    ``request.user.is_verified()`` is then true only after an authenticator
    or backup code, never after a citizen's SMS code.
    """

    def _device_from_persistent_id(self, persistent_id):
        return _staff_device_or_none(super()._device_from_persistent_id(persistent_id))

    async def _adevice_from_persistent_id(self, persistent_id):
        return _staff_device_or_none(await super()._adevice_from_persistent_id(persistent_id))


def _staff_device_or_none(device):
    return device if isinstance(device, STAFF_DEVICE_TYPES) else None


def is_verified(user) -> bool:
    """True when this request's session passed a staff second factor."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_enrolment(person: Person) -> bool:
    return not TOTPDevice.objects.filter(user=person, confirmed=True).exists()


def normalize_code(code: str) -> str:
    return to_ascii_digits(str(code or "")).replace(" ", "").replace("-", "").strip().lower()


def second_factor_login(request, device) -> None:
    """Mark the session verified by ``device`` and rotate its key, as at sign-in."""
    request.session.cycle_key()
    otp_login(request, device)


def second_factor_verify(*, person: Person, code: str) -> SecondFactorCheck:
    """Check an authenticator code (6 digits) or a backup code; a backup code is spent.

    Each device throttles its own failures; the row is locked so one code
    cannot be used by two parallel requests.
    """
    code = normalize_code(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    with transaction.atomic():
        refused_until = None
        for device in model.objects.select_for_update().filter(user=person, confirmed=True):
            allowed, details = device.verify_is_allowed()
            if not allowed:
                refused_until = details.get("locked_until")
            elif device.verify_token(code):
                return SecondFactorCheck(device=device)
    return SecondFactorCheck(locked_until=refused_until)


def enrolment_device(*, person: Person) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled; created on first call."""
    if not needs_enrolment(person):
        raise EnrolmentClosed
    device = TOTPDevice.objects.filter(user=person, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=person, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def enrolment_confirm(*, person: Person, code: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the authenticator with a code from it; returns it and new backup codes.

    Returns None for a wrong code (throttled like sign-in codes).
    """
    Person.objects.select_for_update().only("pk").get(pk=person.pk)
    if not needs_enrolment(person):
        raise EnrolmentClosed
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=person, confirmed=False)
        .order_by("pk")
        .first()
    )
    if device is None or not device.verify_token(normalize_code(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=person, confirmed=False).delete()
    return device, backup_codes_replace(person=person)


def backup_codes_replace(*, person: Person) -> list[str]:
    """A new set of single-use backup codes; any earlier set stops working."""
    StaticDevice.objects.filter(user=person).delete()
    device = StaticDevice.objects.create(user=person, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def manual_entry_key(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// address of the device as an SVG QR code, made here."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", xmldecl=False, scale=5, border=4, dark="#1b1b1b", light="#ffffff"
    )
    return buffer.getvalue()


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


# --- Simulation ------------------------------------------------------------


def demo_key(qid: str) -> str:
    """A stable demo secret per QID, so a reseed keeps the authenticator working."""
    return salted_hmac("accounts.second_factor.demo", qid, algorithm="sha1").hexdigest()


def demo_device_ensure(*, person: Person) -> TOTPDevice:
    """Simulation only: give a demo staff account a confirmed authenticator."""
    if not settings.SIMULATION_MODE:
        raise RuntimeError("Demo authenticators exist in simulation mode only.")
    device, _created = TOTPDevice.objects.update_or_create(
        user=person,
        name=AUTHENTICATOR_NAME,
        defaults={"key": demo_key(person.qid), "confirmed": True},
    )
    TOTPDevice.objects.filter(user=person).exclude(pk=device.pk).delete()
    return device
