"""Reads for the message pages: a person's inbox and the simulation sandbox."""

from messaging.models import Notification, SandboxEmail, SandboxSMS

SANDBOX_LIMIT = 50


def notification_list(*, person):
    return Notification.objects.filter(person=person).order_by("-created_at", "-pk")


def sandbox_sms_list(*, number: str = ""):
    messages = SandboxSMS.objects.all()
    if number:
        messages = messages.filter(to__endswith=number[-8:])
    return list(messages[:SANDBOX_LIMIT])


def sandbox_email_list(*, address: str = ""):
    emails = SandboxEmail.objects.all()
    if address:
        emails = emails.filter(to__iexact=address)
    return list(emails[:SANDBOX_LIMIT])
