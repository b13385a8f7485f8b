"""Give the demo's reviewer something to review: one submitted application.

Runs after ``seed_demo`` (which creates the applicant, QID 27960800011) and
goes through the same services as the portal. Both demo residents who can
apply (27960800011 and Rajesh, 27535600008) get the E-payment service on
their residence permit, so they can pay the fees. Safe to re-run.
"""

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from PIL import Image

from accounts.models import Person
from accounts.uploads import upload_clean
from activation.models import EService
from activation.services import activation_confirm
from residency import payments, services
from residency.constants import EPAYMENT_SERVICE_CODE, Basis, DocumentKind, FeeKind
from residency.eligibility import declaration_years
from residency.models import ServiceCentre
from residency.selectors import application_open_for

APPLICANT_QID = "27960800011"
# Residents who pay fees in the demo need E-payment on their card.
EPAYMENT_QIDS = (APPLICANT_QID, "27535600008")


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
        for qid in EPAYMENT_QIDS:
            self._epayment_ensure(Person.objects.get(qid=qid))
        if application_open_for(person=person) is not None:
            self.stdout.write(f"{APPLICANT_QID} already has an open application.")
            return
        application = services.application_start(person=person)
        basis = Basis.RESIDENCE_BORN_ABROAD
        years = declaration_years(basis=basis, today=timezone.localdate())
        application = services.application_draft_update(
            application=application,
            actor=person,
            basis=basis,
            days_abroad={str(year): 21 for year in years},
            employer="Hamad Medical Corporation",
            occupation="Senior nurse",
            monthly_income=18000,
            preferred_centre=ServiceCentre.objects.order_by("pk").first(),
        )
        for kind in application.required_document_kinds:
            content = _photo() if kind == DocumentKind.PHOTO else _pdf(str(kind))
            upload = upload_clean(SimpleUploadedFile(f"{kind}.bin", content))
            services.document_add(application=application, kind=kind, upload=upload, actor=person)
        payments.payment_make(
            application=application,
            kind=FeeKind.APPLICATION,
            person=person,
            idempotency_key=uuid.uuid4(),
        )
        application = services.application_submit(application=application, actor=person)
        self.stdout.write(f"Submitted {application.reference} for {APPLICANT_QID}.")

    def _epayment_ensure(self, person: Person) -> None:
        if payments.epayment_card(person=person) is not None:
            return
        card = person.cards.order_by("-expires_on").first()
        activation_confirm(
            person=person,
            card=card,
            services=[EService.objects.get(code=EPAYMENT_SERVICE_CODE)],
            idempotency_key=uuid.uuid4(),
        )
        self.stdout.write(f"E-payment is active on card {card.number} of {person.qid}.")
