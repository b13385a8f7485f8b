"""Idle (15 minutes) and absolute (8 hours) session limits (PRODUCT.md section 3).

Both are kept in the server-side session, so every app process agrees. The
page warns two minutes before the idle limit (static/js/session.js) and
"Stay signed in" calls ``accounts:keep_alive``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.durations import duration_text
from accounts.security_log import security_event

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"
# Write the session at most this often for activity alone.
TOUCH_EVERY = 30


def session_start(request) -> None:
    now = timezone.now().timestamp()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def session_touch(request) -> None:
    request.session[LAST_SEEN] = timezone.now().timestamp()


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN, now)
            signed_in_at = request.session.get(SIGNED_IN_AT, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                return self._end(
                    request,
                    _("You were signed out after %(duration)s without activity.")
                    % {"duration": duration_text(settings.SESSION_IDLE_TIMEOUT)},
                )
            if now - signed_in_at > settings.SESSION_COOKIE_AGE:
                return self._end(
                    request,
                    _("You were signed out after %(duration)s. Please sign in again.")
                    % {"duration": duration_text(settings.SESSION_COOKIE_AGE)},
                )
            if now - last_seen >= TOUCH_EVERY or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
            request.session.setdefault(SIGNED_IN_AT, now)
        return self.get_response(request)

    def _end(self, request, message):
        security_event(request, "session.expired")
        logout(request)
        messages.info(request, message)
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)
