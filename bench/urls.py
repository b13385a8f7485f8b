"""The portal's URLs and ``/bench/minimal``: the least a Django request can cost here."""

from django.http import HttpResponse
from django.urls import path

from moi_portal.urls import urlpatterns as portal_urlpatterns


def minimal(request):
    """Through every middleware of the portal, but no template and no query."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal", minimal), *portal_urlpatterns]
