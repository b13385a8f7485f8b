"""Factories for the activation models, one trait per workflow state.

Requests are created through ``accounts.services.request_create`` and moved
with ``request_transition``, so a factory-made request has a real reference
and status history, exactly like one made by the portal.
"""

import io
import uuid

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.constants import ChipStatus
from accounts.services import request_create, request_transition
from activation.constants import ReviewStatus, ServiceRequestStatus
from activation.models import (
    ActivationRequest,
    CardService,
    ChipRequest,
    CorrectionRequest,
    DeactivationRequest,
    PhotoRequest,
)
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory


def photo_bytes(size=(600, 600), kind="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buffer, format=kind)
    return buffer.getvalue()


class PortalRequestFactory(DjangoModelFactory):
    """Saves through ``request_create``; ``decided`` moves the request on afterwards."""

    class Meta:
        abstract = True

    person = factory.SubFactory(PersonFactory)
    decided = None  # the status to move to after creation; set by the traits

    @classmethod
    def _create(cls, model_class, *args, decided=None, **kwargs):
        services = kwargs.pop("services", None)
        request = request_create(model_class(*args, **kwargs), actor=kwargs.get("person"))
        if services is not None:
            request.services.set(services)
        if decided:
            request_transition(request, to=decided)
        return request


class ActivationRequestFactory(PortalRequestFactory):
    class Meta:
        model = ActivationRequest

    class Params:
        completed = factory.Trait(decided=ServiceRequestStatus.COMPLETED)

    card = factory.SubFactory(SmartCardFactory, person=factory.SelfAttribute("..person"))
    idempotency_key = factory.LazyFunction(uuid.uuid4)


class DeactivationRequestFactory(ActivationRequestFactory):
    class Meta:
        model = DeactivationRequest


class CardServiceFactory(DjangoModelFactory):
    """A service active on a card, with the activation request that turned it on."""

    class Meta:
        model = CardService

    card = factory.SubFactory(SmartCardFactory)
    service = factory.SubFactory(EServiceFactory)
    activation = factory.SubFactory(
        ActivationRequestFactory,
        card=factory.SelfAttribute("..card"),
        person=factory.SelfAttribute("..card.person"),
        completed=True,
    )
    activated_at = factory.LazyFunction(timezone.now)


class ChipRequestFactory(PortalRequestFactory):
    class Meta:
        model = ChipRequest

    class Params:
        approved = factory.Trait(decided=ReviewStatus.APPROVED)
        rejected = factory.Trait(decided=ReviewStatus.REJECTED)

    card = factory.SubFactory(
        SmartCardFactory, person=factory.SelfAttribute("..person"), chip_status=ChipStatus.INACTIVE
    )


class CorrectionRequestFactory(PortalRequestFactory):
    class Meta:
        model = CorrectionRequest

    class Params:
        approved = factory.Trait(decided=ReviewStatus.APPROVED)
        rejected = factory.Trait(decided=ReviewStatus.REJECTED)

    name_en = "Corrected Name"
    details = "The passport shows the right spelling."


class PhotoRequestFactory(PortalRequestFactory):
    class Meta:
        model = PhotoRequest

    class Params:
        approved = factory.Trait(decided=ReviewStatus.APPROVED)
        rejected = factory.Trait(decided=ReviewStatus.REJECTED)

    photo = factory.LazyFunction(lambda: ContentFile(photo_bytes(), name="upload.jpg"))
    width = 600
    height = 600
