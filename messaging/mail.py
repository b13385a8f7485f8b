"""E-mail: the sandbox mailbox used in simulation mode, beside the SMS sandbox."""

from django.core.mail.backends.base import BaseEmailBackend

from messaging.models import SandboxEmail


class SandboxEmailBackend(BaseEmailBackend):
    """Keeps every e-mail in the database for the sandbox page; nothing leaves the machine."""

    def send_messages(self, email_messages):
        rows = [
            SandboxEmail(to=address, subject=message.subject[:250], body=message.body)
            for message in email_messages
            for address in message.recipients()
        ]
        SandboxEmail.objects.bulk_create(rows)
        return len(email_messages)
