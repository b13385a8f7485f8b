"""Give the demo's reviewer something to review: one submitted application.

Runs after ``seed_demo`` (which creates the applicant, QID 27960800011) and
goes through the same services as the portal. Paying the application fee
needs E-payment on the applicant's card: activation's own demo seed
(``seed_activation_demo``, called by name) turns it on for the demo
residents first. Safe to re-run, also after
the README's staff walk-through: once the applicant has any application
(open, approved and collected, rejected or withdrawn), it is left as people
left it and the command only says so.
"""

import io
import uuid

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image

from accounts.models import Person
from residency import payments, services
from residency.constants import FeeKind
from residency.demo import application_draft_fill
from residency.models import Application

APPLICANT_QID = "27960800011"


def _pdf(title: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buffer, format="PDF", title=title)
    return buffer.getvalue()


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (200, 205, 215)).save(buffer, format="JPEG")
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create a submitted permanent residency application for the demo reviewer."

    @transaction.atomic
    def handle(self, *args, **options):
        person = Person.objects.filter(qid=APPLICANT_QID).first()
        if person is None:
            self.stderr.write("Run seed_demo first.")
            return
        call_command("seed_activation_demo", stdout=self.stdout)
        existing = Application.objects.filter(person=person).order_by("-pk").first()
        if existing is not None:
            self.stdout.write(
                f"{APPLICANT_QID} already has {existing.reference} "
                f"({existing.get_status_display()}); left as it is."
            )
            return
        application = application_draft_fill(person=person, scan=_pdf, photo=_photo)
        payments.payment_make(
            application=application,
            kind=FeeKind.APPLICATION,
            actor=person,
            idempotency_key=uuid.uuid4(),
        )
        application = services.application_submit(application=application, actor=person)
        self.stdout.write(f"Submitted {application.reference} for {APPLICANT_QID}.")
