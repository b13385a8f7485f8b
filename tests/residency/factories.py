"""Residency factories, with one trait per workflow state.

Traits set the state directly, as if the workflow had run; tests about the
workflow itself call ``residency.services``.
"""

import datetime
import io
import uuid
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.constants import CardKind, Language
from activation.models import EService
from residency.constants import (
    ApplicationStatus,
    Basis,
    FeeKind,
    PaymentStatus,
    required_documents,
)
from residency.eligibility import declaration_years
from residency.models import (
    Application,
    Appointment,
    AppointmentSlot,
    Document,
    Fee,
    Payment,
    PublicHoliday,
    ServiceCentre,
)
from tests.activation.factories import CardServiceFactory
from tests.factories import PersonFactory, SmartCardFactory

S = ApplicationStatus


def _pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (595, 842), "white").save(buffer, format="PDF")
    return buffer.getvalue()


PDF_BYTES = _pdf_bytes()


def jpeg_bytes(size=(800, 800), *, gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 180, 160))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if gps:
        exif[0x8825] = {1: "N", 2: (25.0, 17.0, 10.0), 3: "E", 4: (51.0, 32.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def png_bytes(size=(700, 700)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


class ResidentFactory(PersonFactory):
    """A resident of 22 years with a valid residence permit, reading English."""

    nationality = "IN"
    resident_since = datetime.date(2004, 1, 1)
    preferred_language = Language.ENGLISH
    permit = factory.RelatedFactory(
        SmartCardFactory, factory_related_name="person", kind=CardKind.RESIDENCE_PERMIT
    )


class ServiceCentreFactory(DjangoModelFactory):
    class Meta:
        model = ServiceCentre
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"centre-{n}")
    name_en = factory.Sequence(lambda n: f"Test Service Centre {n}")
    name_ar = factory.Sequence(lambda n: f"مركز خدمات تجريبي {n}")
    address_en = "Test Street, Doha"
    address_ar = "شارع تجريبي، الدوحة"
    opens_at = datetime.time(8, 0)
    closes_at = datetime.time(9, 0)
    slot_minutes = 30
    capacity_per_slot = 2


class PublicHolidayFactory(DjangoModelFactory):
    class Meta:
        model = PublicHoliday
        django_get_or_create = ("date",)

    name_en = "Holiday"
    name_ar = "عطلة"


class AppointmentSlotFactory(DjangoModelFactory):
    class Meta:
        model = AppointmentSlot

    centre = factory.SubFactory(ServiceCentreFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.make_aware(
            datetime.datetime.combine(
                timezone.localdate() + datetime.timedelta(days=3), datetime.time(8, 0)
            )
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))
    capacity = 2
    booked = 1


def _days_abroad(application) -> dict:
    years = declaration_years(basis=application.basis, today=timezone.localdate())
    return {str(year): 10 for year in years}


class ApplicationFactory(DjangoModelFactory):
    """A draft with every answer given; ``documents=True`` also uploads the required files."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    class Params:
        empty = factory.Trait(
            basis="",
            days_abroad={},
            employer="",
            occupation="",
            monthly_income=None,
            preferred_centre=None,
        )
        submitted = factory.Trait(
            status=S.SUBMITTED,
            declared_at=factory.LazyFunction(timezone.now),
            submitted_at=factory.LazyFunction(timezone.now),
            clock_started_on=factory.LazyFunction(timezone.localdate),
            decision_due_on=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=7)
            ),
        )
        overdue = factory.Trait(
            submitted=True,
            clock_started_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=8)
            ),
            decision_due_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=1)
            ),
        )
        under_review = factory.Trait(submitted=True, status=S.UNDER_REVIEW)
        more_info_requested = factory.Trait(submitted=True, status=S.MORE_INFO_REQUESTED)
        resubmitted = factory.Trait(submitted=True, status=S.RESUBMITTED)
        approved = factory.Trait(
            submitted=True, status=S.APPROVED, decided_at=factory.LazyFunction(timezone.now)
        )
        appointment_booked = factory.Trait(
            approved=True,
            status=S.APPOINTMENT_BOOKED,
            appointment=factory.RelatedFactory(
                "tests.residency.factories.AppointmentFactory",
                factory_related_name="application",
            ),
        )
        card_issued = factory.Trait(approved=True, status=S.CARD_ISSUED)
        rejected = factory.Trait(
            submitted=True, status=S.REJECTED, decided_at=factory.LazyFunction(timezone.now)
        )
        withdrawn = factory.Trait(status=S.WITHDRAWN)

    person = factory.SubFactory(ResidentFactory)
    reference = factory.Sequence(lambda n: f"PR-2026-{900000 + n:06d}")
    status = S.DRAFT
    basis = Basis.RESIDENCE_BORN_ABROAD
    days_abroad = factory.LazyAttribute(_days_abroad)
    employer = "Qatar Engineering Co."
    occupation = "Engineer"
    monthly_income = 25000
    preferred_centre = factory.SubFactory(ServiceCentreFactory)

    @factory.post_generation
    def documents(application, create, extracted, **kwargs):
        if create and extracted:
            for kind in required_documents(application.basis):
                DocumentFactory(application=application, kind=kind)

    @factory.post_generation
    def application_fee_paid(application, create, extracted, **kwargs):
        """Past the draft, the application fee was paid (as the workflow requires)."""
        paid = extracted if extracted is not None else application.status not in (S.DRAFT,)
        if create and paid:
            PaymentFactory(application=application, kind=FeeKind.APPLICATION)

    @factory.post_generation
    def card_fee_paid(application, create, extracted, **kwargs):
        if create and extracted:
            PaymentFactory(application=application, kind=FeeKind.CARD)


class DocumentFactory(DjangoModelFactory):
    class Meta:
        model = Document

    application = factory.SubFactory(ApplicationFactory)
    kind = "passport"
    version = 1
    is_current = True
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="upload.pdf"))
    content_type = "application/pdf"
    size = len(PDF_BYTES)
    uploaded_by = factory.SelfAttribute("application.person")
    uploaded_at = factory.LazyFunction(timezone.now)


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    application = factory.SubFactory(ApplicationFactory, approved=True, status=S.APPOINTMENT_BOOKED)
    slot = factory.SubFactory(
        AppointmentSlotFactory, centre=factory.SelfAttribute("..application.preferred_centre")
    )


class FeeFactory(DjangoModelFactory):
    class Meta:
        model = Fee

    kind = FeeKind.APPLICATION
    amount = Decimal("3000.00")
    effective_from = datetime.date(2020, 1, 1)


def _person_card(payment):
    card = payment.application.person.cards.first()
    return card or SmartCardFactory(person=payment.application.person)


class PaymentFactory(DjangoModelFactory):
    """A fee paid by e-payment, as if the person had confirmed it with a code."""

    class Meta:
        model = Payment

    application = factory.SubFactory(ApplicationFactory)
    person = factory.SelfAttribute("application.person")
    reference = factory.Sequence(lambda n: f"RCT-2026-{900000 + n:06d}")
    status = PaymentStatus.PAID
    kind = FeeKind.APPLICATION
    fee = factory.LazyAttribute(
        lambda o: Fee.objects.filter(kind=o.kind).order_by("effective_from").first()
    )
    amount = factory.LazyAttribute(lambda o: o.fee.amount)
    card = factory.LazyAttribute(_person_card)
    idempotency_key = factory.LazyFunction(uuid.uuid4)


def epayment_on(person):
    """Turn the E-payment service on for the person's first card (as an activation would)."""

    card = person.cards.first() or SmartCardFactory(person=person)
    return CardServiceFactory(card=card, service=EService.objects.get(code="e-payment"))
