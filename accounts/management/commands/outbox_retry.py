from django.core.management.base import BaseCommand

from accounts.notifications import notification_retry_due


class Command(BaseCommand):
    help = (
        "Send queued SMS whose retry time has come. Only needed with a task backend "
        "that cannot schedule work for later; the database backend retries by itself."
    )

    def handle(self, *args, **options):
        count = notification_retry_due()
        self.stdout.write(f"Retried {count} queued message(s).")
