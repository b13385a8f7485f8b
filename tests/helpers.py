"""Shortcuts for tests that start past a step the test is not about."""

from django.utils import timezone

from accounts.stepup import stepup_session_key


def grant_stepup(client, *, purpose: str, scope: str) -> None:
    """As if the signed-in person had just confirmed a code for ``purpose`` and ``scope``."""
    session = client.session
    session[stepup_session_key(purpose, scope)] = timezone.now().timestamp()
    session.save()


def staff_authenticator(person):
    """The person's confirmed authenticator app (django-otp TOTP device), made on first use."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=person, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=person, name="Authenticator app")


def verify_second_factor(client, person) -> None:
    """As if the signed-in staff member had just entered their authenticator code."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_authenticator(person).persistent_id
    session.save()
