"""Confirm a sensitive step with a one-time code ("step-up").

A view declares the purpose of the code, how long a confirmation lasts and
what it is bound to (the scope, e.g. one smart card). Without a fresh
confirmation for that purpose and scope the person is sent to the code page,
which texts a code to the registered mobile and, once the code is verified,
returns them to the page they wanted.

The confirmation lives in the server-side session (shared by every app
process), keyed by purpose and scope, so a code confirmed for one card or one
purpose never unlocks another.
"""

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts import conf
from accounts.security_log import security_event


def stepup_session_key(purpose: str, scope: str) -> str:
    return f"stepup:{purpose}:{scope}"


def stepup_grant(request, *, purpose: str, scope: str) -> None:
    """Record a confirmed code under a new session key, as at sign-in: a session
    key seen before the step-up (fixed or stolen) no longer carries it."""
    request.session.cycle_key()
    request.session[stepup_session_key(purpose, scope)] = timezone.now().timestamp()
    security_event(request, "stepup.granted", purpose=purpose)


def stepup_is_valid(request, *, purpose: str, scope: str, max_age: int | None = None) -> bool:
    if max_age is None:
        max_age = conf.settings.ACCOUNTS_STEPUP_MAX_AGE
    granted = request.session.get(stepup_session_key(purpose, scope))
    if granted is None:
        return False
    age = timezone.now().timestamp() - granted
    return 0 <= age <= max_age


def stepup_clear(request, *, purpose: str, scope: str) -> None:
    request.session.pop(stepup_session_key(purpose, scope), None)


def stepup_url(*, purpose: str, scope: str, next_url: str) -> str:
    query = urlencode({"purpose": purpose, "scope": scope, "next": next_url})
    return f"{reverse('accounts:stepup')}?{query}"


class StepUpRequiredMixin(LoginRequiredMixin):
    """Require a code confirmed within ``stepup_max_age`` seconds for this purpose
    and scope (``None``: ``ACCOUNTS_STEPUP_MAX_AGE`` from ``accounts.conf``)."""

    stepup_purpose: str = ""
    stepup_max_age: int | None = None

    def get_stepup_scope(self) -> str:
        return "person"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.args, self.kwargs = args, kwargs
        scope = self.get_stepup_scope()
        if not stepup_is_valid(
            request, purpose=self.stepup_purpose, scope=scope, max_age=self.stepup_max_age
        ):
            return redirect(
                stepup_url(
                    purpose=self.stepup_purpose, scope=scope, next_url=request.get_full_path()
                )
            )
        return super().dispatch(request, *args, **kwargs)
