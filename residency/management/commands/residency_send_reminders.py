"""Text the applicants whose card collection appointment is tomorrow.

Run daily (cron or a scheduled task); running it twice sends nothing twice.
"""

import datetime

from django.core.management.base import BaseCommand

from residency.services import appointment_send_reminders


class Command(BaseCommand):
    help = "Send the day-before reminder SMS for tomorrow's collection appointments."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Act as if today were this date (YYYY-MM-DD).",
        )

    def handle(self, *args, today=None, **options):
        sent = appointment_send_reminders(today=today)
        self.stdout.write(f"{sent} reminder(s) queued.")
