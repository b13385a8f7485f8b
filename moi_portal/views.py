"""Portal-wide pages: the home page and the health check."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from activation.selectors import eservice_list_offered
from moi_portal.dashboard import dashboard_context


def home(request):
    # Read only when the template's cached service list is gone.
    services = SimpleLazyObject(eservice_list_offered)
    return render(request, "home.html", {"services": services})


@never_cache
@login_required
def dashboard(request):
    """The signed-in home: what needs doing, open requests, appointment, cards, messages."""
    return render(request, "dashboard.html", dashboard_context(person=request.user))


@never_cache
@require_GET
def healthz(request):
    """For the load balancer: 200 when the database and the shared cache answer."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        checks["database"] = "error"
    try:
        probe = uuid.uuid4().hex
        cache.set("healthz", probe, 10)
        checks["cache"] = "ok" if cache.get("healthz") == probe else "error"
    except Exception:  # noqa: BLE001
        checks["cache"] = "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
