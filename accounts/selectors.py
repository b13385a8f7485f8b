"""Reads for the accounts pages."""

from accounts.models import Notification, Person, SandboxEmail, SandboxSMS

SANDBOX_LIMIT = 50


def person_get(*, pk: int) -> Person:
    return Person.objects.get(pk=pk)


def notification_list(*, person: Person):
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
