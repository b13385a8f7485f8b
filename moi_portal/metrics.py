"""Prometheus metrics beyond django-prometheus's requests by view and status.

Counts that live in the database (the SMS outbox, one-time codes, sign-in
locks) are read when Prometheus scrapes, so every app process and worker
reports the same numbers; events seen by one process (a lock starting, a
sign-in refused) are counters, summed over processes in multiprocess mode.

The endpoint is for the operator's Prometheus only: the public nginx server
refuses ``/metrics``, and the view answers 404 to anything that came through
a proxy (it carries ``X-Forwarded-For``). Scrape each instance on its own port.
"""

import datetime
import os

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Min, Q
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from accounts.models import OTPEvent, SMSDevice
from messaging.constants import NotificationStatus
from messaging.models import Notification

signin_lockouts = Counter(
    "moi_signin_lockouts_total", "Qatar ID numbers locked after too many wrong passwords."
)
signin_refusals = Counter(
    "moi_signin_refusals_total",
    "Sign-in attempts refused before the password was checked.",
    ["reason"],
)


def outbox_oldest_unsent_age(now: datetime.datetime | None = None) -> float:
    """Seconds since the oldest SMS that is still queued or sending was written (0: none)."""

    now = now or timezone.now()
    oldest = Notification.objects.filter(
        status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING]
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


class PortalCollector:
    """Read at scrape time from the database."""

    def collect(self):

        now = timezone.now()
        hour_ago = now - datetime.timedelta(hours=1)

        depth = GaugeMetricFamily(
            "moi_outbox_messages", "SMS in the outbox not yet sent, by status.", labels=["status"]
        )
        counts = dict(
            Notification.objects.filter(
                status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING]
            )
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in (NotificationStatus.QUEUED, NotificationStatus.SENDING):
            depth.add_metric([status], counts.get(status, 0))
        yield depth

        age = GaugeMetricFamily(
            "moi_outbox_oldest_unsent_age_seconds", "Age of the oldest SMS not yet sent."
        )
        age.add_metric([], outbox_oldest_unsent_age(now))
        yield age

        recent = GaugeMetricFamily(
            "moi_sms_messages_last_hour",
            "SMS messages written in the last hour, by status.",
            labels=["status"],
        )
        by_status = dict(
            Notification.objects.filter(sms=True, created_at__gte=hour_ago)
            .values_list("status")
            .annotate(n=Count("pk"))
        )
        for status in NotificationStatus.values:
            recent.add_metric([status], by_status.get(status, 0))
        yield recent

        codes = GaugeMetricFamily(
            "moi_otp_codes_last_hour",
            "One-time code events in the last hour (sent, verified, failed, voided, refused).",
            labels=["event"],
        )
        events = dict(
            OTPEvent.objects.filter(created_at__gte=hour_ago)
            .values_list("kind")
            .annotate(n=Count("pk"))
        )
        for kind, n in sorted(events.items()):
            codes.add_metric([kind], n)
        yield codes

        undelivered = GaugeMetricFamily(
            "moi_otp_codes_undelivered",
            "Valid one-time codes whose SMS the provider has not yet accepted.",
        )
        undelivered.add_metric(
            [],
            SMSDevice.objects.filter(
                delivered_at__isnull=True, valid_until__gt=now, delivery_started_at__isnull=False
            ).count(),
        )
        yield undelivered

        locked = GaugeMetricFamily(
            "moi_signin_locked_qids", "Qatar ID numbers locked out of sign-in right now."
        )
        locked.add_metric(
            [],
            AccessAttempt.objects.filter(
                Q(failures_since_start__gte=settings.AXES_FAILURE_LIMIT),
                attempt_time__gt=now - settings.AXES_COOLOFF_TIME,
            ).count(),
        )
        yield locked


portal_registry = CollectorRegistry(auto_describe=False)
portal_registry.register(PortalCollector())


@never_cache
@require_GET
def metrics(request):
    if "HTTP_X_FORWARDED_FOR" in request.META:
        raise Http404  # came through the public proxy
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(portal_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
