from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from moi_portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
