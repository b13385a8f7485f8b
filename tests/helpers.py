"""Shortcuts for tests that start past a step the test is not about."""

from django.utils import timezone

from accounts.stepup import stepup_session_key


def grant_stepup(client, *, purpose: str, scope: str) -> None:
    """As if the signed-in person had just confirmed a code for ``purpose`` and ``scope``."""
    session = client.session
    session[stepup_session_key(purpose, scope)] = timezone.now().timestamp()
    session.save()
