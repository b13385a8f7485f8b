"""The outbox (PRODUCT.md section 7) and the sandbox that plays phone and mailbox.

These tables were created by ``accounts``; they keep their names so moving
the code here moved no data.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from messaging.constants import NotificationStatus


class Notification(models.Model):
    """A message to a person (one-time codes aside): the portal inbox and the SMS outbox.

    Written in the same transaction as the change that caused it and rendered
    in the person's language at that moment; a background task sends the SMS.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("person"),
    )
    template = models.CharField(_("message template"), max_length=60)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    subject = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"))
    sms = models.BooleanField(_("send by SMS"), default=True)
    number = models.CharField(_("mobile number"), max_length=12, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # Set (and committed) before the provider is called: a row left "sending"
    # by a worker that died is sent again with the same idempotency key.
    attempt_started_at = models.DateTimeField(_("attempt started at"), null=True, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=64, blank=True)
    email = models.EmailField(
        _("email address"), blank=True, help_text=_("Empty when the message goes by SMS only.")
    )
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        db_table = "accounts_notification"
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-created_at"]),
            models.Index(fields=["provider_id"]),
            # The outbox: depth, oldest unsent message, rows to retry.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="notification_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.person_id}: {self.subject}"

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt at this message, unique across messages."""
        return f"notification-{self.pk}-{int(self.created_at.timestamp())}"


class SandboxMessage(models.Model):
    """What the sandbox keeps of one message sent in simulation mode."""

    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.to} {self.created_at:%Y-%m-%d %H:%M}"


class SandboxSMS(SandboxMessage):
    """The simulated handset of the SMS sandbox (simulation mode only).

    This table plays the phone: it is the one place outside a real SMS where
    a message body, one-time codes included, is kept. It is never used with
    the Twilio backend.
    """

    to = models.CharField(_("to"), max_length=16, db_index=True)

    class Meta(SandboxMessage.Meta):
        verbose_name = _("sandbox SMS")
        db_table = "accounts_sandboxsms"
        verbose_name_plural = _("sandbox SMS")


class SandboxEmail(SandboxMessage):
    """The simulated mailbox of the sandbox (simulation mode only), beside the SMS sandbox."""

    to = models.CharField(_("to"), max_length=254, db_index=True)
    subject = models.CharField(_("subject"), max_length=250)

    class Meta(SandboxMessage.Meta):
        verbose_name = _("sandbox e-mail")
        db_table = "accounts_sandboxemail"
        verbose_name_plural = _("sandbox e-mails")
