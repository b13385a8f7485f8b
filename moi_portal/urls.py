from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from accounts.views import sms_status_callback
from moi_portal import metrics, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("metrics", metrics.metrics, name="metrics"),
    path("sms/status-callback", sms_status_callback, name="sms_status_callback"),
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("my/", views.dashboard, name="dashboard"),
    path("accounts/", include("accounts.urls")),
    path("e-services/", include("activation.urls")),
    path("residency/", include("residency.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
