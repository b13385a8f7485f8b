"""The notification outbox (PRODUCT.md section 7).

``notify`` writes the message in the same transaction as the change that
caused it, rendered in the person's preferred language; after commit a task
sends the SMS, retrying with exponential backoff. Twilio's status callbacks
move it from sent to delivered or failed.
"""

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import default_task_backend

from messaging.constants import NotificationStatus
from messaging.models import Notification
from messaging.sms import SMSError, sms_send
from messaging.tasks import notification_email_task, notification_send_task

if TYPE_CHECKING:
    from accounts.models import Person

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


def notify(
    *,
    person: "Person",
    template: str,
    context: dict | None = None,
    sms: bool = True,
    number: str | None = None,
) -> Notification:
    """Queue a message to ``person``; call inside the transaction of its cause.

    The SMS goes to the registered mobile unless ``number`` names another one
    of the person's numbers (the old one, after a mobile change).
    """
    with translation.override(person.preferred_language):
        text = render_to_string(
            f"notifications/{template}.txt",
            {"person": person, **(context or {})},
            using="text",
        ).strip()
    subject, _newline, body = text.partition("\n")
    body = body.strip() or subject
    number = person.mobile if number is None else number
    sms = sms and bool(number)
    email = person.email if person.email and person.email_verified_at else ""
    notification = Notification.objects.create(
        person=person,
        template=template,
        language=person.preferred_language,
        subject=subject.strip()[:200],
        body=body,
        sms=sms,
        number=number if sms else "",
        email=email,
        status=NotificationStatus.QUEUED if sms else NotificationStatus.DELIVERED,
    )
    if sms:
        transaction.on_commit(lambda: _enqueue(notification.pk))
    if email:
        transaction.on_commit(lambda: _enqueue_email(notification.pk))
    return notification


def _enqueue_email(notification_id: int) -> None:
    notification_email_task.enqueue(notification_id=notification_id)


def notification_email_deliver(*, notification_id: int) -> None:
    """Send the e-mail copy of a message once; a failure is retried by the task queue."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, email_sent_at__isnull=True)
            .exclude(email="")
            .first()
        )
        if notification is None:
            return
        send_mail(
            subject=notification.subject,
            message=notification.body,
            from_email=None,
            recipient_list=[notification.email],
        )
        notification.email_sent_at = timezone.now()
        notification.save(update_fields=["email_sent_at"])


def _enqueue(notification_id: int, run_after: datetime.datetime | None = None) -> None:
    task = notification_send_task
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return  # picked up by ``outbox_retry`` instead
        task = task.using(run_after=run_after)
    task.enqueue(notification_id=notification_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """30 s, 1 min, 2 min, 4 min... after the 1st, 2nd, 3rd, 4th failure
    (the first delay is ``OUTBOX_FIRST_RETRY`` seconds, 30 by default)."""
    first = datetime.timedelta(seconds=settings.OUTBOX_FIRST_RETRY)
    return first * (2 ** (attempts - 1))


def status_callback_url() -> str:
    if settings.SMS_BACKEND != "twilio" or not settings.PUBLIC_BASE_URL:
        return ""
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("sms_status_callback")


def stale_after() -> datetime.timedelta:
    """How long an attempt may stay unanswered before it counts as abandoned
    (its worker died): well past the provider timeout."""
    return datetime.timedelta(seconds=settings.OUTBOX_STALE_AFTER)


def notification_deliver(*, notification_id: int) -> None:
    """Send one queued SMS, recording the attempt before and after the provider call.

    The attempt is committed ("sending") before the provider is called, so a
    worker killed during the call leaves a row that ``notification_retry_due``
    sends again once the attempt is stale, with the same idempotency key: the
    provider delivers it once. Two live workers never send the same row at once.
    """
    now = timezone.now()
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                pk=notification_id,
                status__in=[NotificationStatus.QUEUED, NotificationStatus.SENDING],
            )
            .first()
        )
        if notification is None:
            return
        if notification.status == NotificationStatus.QUEUED and (
            notification.next_attempt_at and notification.next_attempt_at > now
        ):
            return
        if notification.status == NotificationStatus.SENDING and (
            notification.attempt_started_at
            and notification.attempt_started_at > now - stale_after()
        ):
            return  # another worker is calling the provider right now
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.attempt_started_at = now
        notification.save(update_fields=["status", "attempts", "attempt_started_at"])

    try:
        provider_id = sms_send(
            to=notification.number,
            body=notification.body,
            status_callback=status_callback_url(),
            idempotency_key=notification.idempotency_key,
        )
    except SMSError as exc:
        changes = {"last_error": str(exc)[:300], "attempt_started_at": None}
        if notification.attempts >= MAX_ATTEMPTS:
            changes.update(status=NotificationStatus.FAILED, next_attempt_at=None)
        else:
            run_after = now + retry_delay(notification.attempts)
            changes.update(status=NotificationStatus.QUEUED, next_attempt_at=run_after)
        with transaction.atomic():
            updated = Notification.objects.filter(
                pk=notification_id,
                status=NotificationStatus.SENDING,
                attempt_started_at=now,
            ).update(**changes)
            if updated and changes["status"] == NotificationStatus.QUEUED:
                transaction.on_commit(lambda: _enqueue(notification_id, run_after))
        return
    Notification.objects.filter(
        pk=notification_id, status=NotificationStatus.SENDING, attempt_started_at=now
    ).update(
        status=NotificationStatus.SENT,
        provider_id=provider_id,
        sent_at=now,
        next_attempt_at=None,
        last_error="",
        attempt_started_at=None,
    )


def notification_retry_due(*, now: datetime.datetime | None = None) -> int:
    """Send every queued SMS whose retry time has come, and every message whose
    worker died while sending; returns how many were tried."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(
            Q(status=NotificationStatus.QUEUED, next_attempt_at__lte=now)
            # never picked up: its task was lost with a worker
            | Q(
                status=NotificationStatus.QUEUED,
                next_attempt_at__isnull=True,
                created_at__lte=now - stale_after(),
            )
            | Q(status=NotificationStatus.SENDING, attempt_started_at__lte=now - stale_after())
        ).values_list("pk", flat=True)
    )
    for notification_id in due:
        notification_deliver(notification_id=notification_id)
    return len(due)


TWILIO_STATUSES = {
    "sent": NotificationStatus.SENT,
    "delivered": NotificationStatus.DELIVERED,
    "undelivered": NotificationStatus.FAILED,
    "failed": NotificationStatus.FAILED,
}


def notification_status_update(*, provider_id: str, provider_status: str) -> bool:
    """Apply a provider delivery report. Reports can arrive out of order, so a
    final state (delivered, failed) is never replaced by a later "sent"."""
    status = TWILIO_STATUSES.get(provider_status)
    if status is None or not provider_id:
        return False
    updated = (
        Notification.objects.filter(provider_id=provider_id)
        .exclude(status__in=[NotificationStatus.DELIVERED, NotificationStatus.FAILED, status])
        .update(status=status)
    )
    return bool(updated)
