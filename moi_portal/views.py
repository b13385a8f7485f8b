"""Portal-wide pages: the home page and the health check."""

import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from activation.selectors import eservice_list_offered
from moi_portal import shared_pages
from moi_portal.dashboard import dashboard_context
from moi_portal.metrics import outbox_oldest_unsent_age


def home(request):
    # Read only when the template's cached service list is gone.
    services = SimpleLazyObject(eservice_list_offered)
    return shared_pages.shared_page(
        request, "home", lambda: render(request, "home.html", {"services": services})
    )


@never_cache
@login_required
def dashboard(request):
    """The signed-in home: what needs doing, open requests, appointment, cards, messages."""
    return render(request, "dashboard.html", dashboard_context(person=request.user))


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return False
    return True


def _cache_ok() -> bool:
    try:
        probe = uuid.uuid4().hex
        cache.set("healthz", probe, 10)
        return cache.get("healthz") == probe
    except Exception:  # noqa: BLE001
        return False


def _outbox_ok() -> bool:
    try:
        return outbox_oldest_unsent_age() <= settings.OUTBOX_READY_MAX_AGE
    except Exception:  # noqa: BLE001
        return False


@never_cache
@require_GET
def healthz_live(request):
    """Liveness, for the process supervisor: the process answers. Touches nothing
    shared, so a database or cache outage never gets every instance restarted."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def healthz_ready(request):
    """Readiness, for the load balancer: 200 when the database and the shared
    cache answer and the oldest unsent SMS is younger than OUTBOX_READY_MAX_AGE."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    if checks["database"]:
        checks["outbox"] = _outbox_ok()
    else:
        checks["outbox"] = False
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error"}
        | {name: "ok" if ok else "error" for name, ok in checks.items()},
        status=200 if healthy else 503,
    )


# ``/healthz`` is readiness, as it always was.
healthz = healthz_ready
