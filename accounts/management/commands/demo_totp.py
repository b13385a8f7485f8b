"""Simulation only: print a demo staff member's current authenticator code.

The demo staff accounts of ``seed_demo`` have authenticator devices with
known secrets; this stands in for the phone app, so QA and demos can sign in
to the back office. Outside simulation mode it refuses to run.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.validators import normalize_qid


class Command(BaseCommand):
    help = "Simulation only: print the current authenticator code of a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("qid", help="The staff member's Qatar ID number.")

    def handle(self, *args, qid, **options):
        if not settings.SIMULATION_MODE:
            raise CommandError(
                "demo_totp runs only in simulation mode (SIMULATION_MODE=true); "
                "real staff use the authenticator app on their phone."
            )
        device = (
            TOTPDevice.objects.filter(
                user__qid=normalize_qid(qid), user__is_staff=True, confirmed=True
            )
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(
                f"No staff account with an authenticator has the QID {qid}. "
                "Run `python manage.py seed_demo` first."
            )
        self.stdout.write(second_factor.current_code(device))
