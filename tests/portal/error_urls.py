"""The portal's URLs plus views that fail on purpose, for the error-page tests."""

from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied
from django.urls import path

from moi_portal.urls import urlpatterns as portal_urlpatterns


def broken(request):
    raise RuntimeError("a bug in a view")


def forbidden(request):
    raise PermissionDenied


urlpatterns = portal_urlpatterns + i18n_patterns(
    path("test-broken/", broken),
    path("test-forbidden/", forbidden),
    prefix_default_language=True,
)
