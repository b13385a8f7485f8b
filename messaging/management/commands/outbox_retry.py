import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from messaging.notifications import notification_retry_due
from messaging.sweeps import OUTBOX_SWEEPS


class Command(BaseCommand):
    help = (
        "Send queued SMS whose retry time has come, and send again every message and "
        "one-time code whose worker died during the provider call (same idempotency "
        "key, so the provider delivers it once). Run it every minute (systemd timer) "
        "or as a loop with --every."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help="Repeat every this many seconds until stopped (default: run once).",
        )

    def handle(self, *args, every, **options):
        while True:
            try:
                messages = notification_retry_due()
                others = [(noun, sweep()) for noun, sweep in OUTBOX_SWEEPS]
            except Exception as exc:  # a loop survives a database restart
                if not every:
                    raise
                self.stderr.write(f"Outbox sweep failed ({type(exc).__name__}); trying again.")
                messages, others = 0, []
            if not every:
                tried = "".join(f" and {count} {noun}(s)" for noun, count in others)
                self.stdout.write(f"Retried {messages} message(s){tried}.")
                return
            close_old_connections()
            time.sleep(every)
