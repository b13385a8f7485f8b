"""One security event log (OWASP ASVS 5.0 chapter 16, security logging).

Each event is one JSON line on the ``moi_portal.security`` logger with the
event name, its outcome, the id of the person it concerns (never a QID or a
name), the client address as the trusted proxies report it
(``accounts.network``) and the request id that is also returned in the
``X-Request-ID`` response header. Nothing secret is ever written: a field
named like a password, code, token, QID, name or phone number is refused
outright, so a call site cannot leak one by accident.

Services log too, without a request at hand: ``RequestContextMiddleware``
keeps the client address of the current request in a context variable.
"""

import contextvars
import logging
from collections.abc import Callable

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import Http404

from accounts.models import Person
from accounts.network import client_ip
from accounts.validators import normalize_qid

logger = logging.getLogger("moi_portal.security")

_client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")

SUCCESS = "success"
FAILURE = "failure"
# Field names that would carry a secret or identify a person directly.
FORBIDDEN_FIELDS = frozenset(
    {
        "password",
        "code",
        "otp",
        "token",
        "secret",
        "key",
        "qid",
        "username",
        "name",
        "name_en",
        "name_ar",
        "mobile",
        "number",
        "email",
    }
)


def security_event(
    request,
    event: str,
    *,
    outcome: str = SUCCESS,
    person=None,
    person_id: int | None = None,
    **fields,
) -> None:
    """Write one security event.

    ``request`` may be None (a service or task); the address then comes from
    the request being served, if any. ``person`` (or ``person_id``) is whom the
    event concerns; by default the signed-in user of ``request``. Extra
    ``fields`` must be plain, non-secret values (ids, codes of reasons, names
    of purposes).
    """
    leaked = FORBIDDEN_FIELDS.intersection(fields)
    if leaked:
        raise ValueError(f"Never log {', '.join(sorted(leaked))} in a security event.")
    if person_id is None and person is not None:
        person_id = person.pk
    if person_id is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            person_id = user.pk
    address = client_ip(request) if request is not None else _client_address.get()
    logger.info(
        event,
        extra={
            "event": event,
            "outcome": outcome,
            "person_id": person_id,
            "client_ip": address,
            **fields,
        },
    )


class RequestContextMiddleware:
    """Keeps the client address for security events logged below the views,
    and logs every refusal (403) as an authorisation denial."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(client_ip(request))
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                security_event(
                    request, "authz.denied", outcome=FAILURE, path=request.path, status=403
                )
            return response
        finally:
            _client_address.reset(token)


def not_yours(request, what: str, object_ref, *, person=None) -> None:
    """Log a 404 that an access rule gave for someone else's object."""
    security_event(
        request,
        "authz.not_found",
        outcome=FAILURE,
        person=person,
        object=what,
        object_ref=str(object_ref)[:64],
    )


def owned_or_404(owned: QuerySet, *, request, **lookup):
    """``get_object_or_404`` on the objects ``request.user`` may see; when the
    object exists but belongs to someone else, the refusal is logged."""
    try:
        return owned.get(**lookup)
    except owned.model.DoesNotExist:
        if owned.model._default_manager.filter(**lookup).exists():
            not_yours(request, owned.model._meta.label, next(iter(lookup.values()), ""))
        raise Http404 from None


def visible_or_404(request, obj, policy: Callable[..., bool], *, ref=None):
    """``obj`` if ``policy(request.user, obj)`` allows it, else a 404, logged when the
    object exists: how a view fetches an object an app's ``policies`` guards. The
    selector returns the object or None; only the view decides the response."""
    if obj is None:
        raise Http404
    if not policy(request.user, obj):
        if request.user.is_authenticated:
            not_yours(request, obj._meta.label, obj.pk if ref is None else ref)
        raise Http404
    return obj


def person_id_for_qid(qid: str) -> int | None:
    """The id of the person a typed QID names, to log instead of the QID."""

    return Person.objects.filter(qid=normalize_qid(qid or "")).values_list("pk", flat=True).first()


@receiver(user_logged_in, dispatch_uid="accounts.security_log.signed_in")
def _signed_in(sender, request, user, **kwargs):
    security_event(request, "signin", person=user)


@receiver(user_login_failed, dispatch_uid="accounts.security_log.signin_failed")
def _signin_failed(sender, credentials, request=None, **kwargs):
    person_id = person_id_for_qid((credentials or {}).get("username", ""))
    security_event(request, "signin", outcome=FAILURE, person_id=person_id)


@receiver(user_logged_out, dispatch_uid="accounts.security_log.signed_out")
def _signed_out(sender, request, user, **kwargs):
    security_event(request, "signout", person=user)
