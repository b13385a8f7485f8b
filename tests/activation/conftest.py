import pytest

from accounts.constants import OTPPurpose
from accounts.models import Person
from activation.models import PhotoRequest
from tests.activation.factories import photo_bytes
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory
from tests.helpers import grant_stepup

# Enough for the eligibility rules; no file behind it.
FAKE_PHOTO_NAME = "2026/01/approved.jpg"


@pytest.fixture
def e_payment(db):
    return EServiceFactory(
        code="e-payment", name_en="E-payment", name_ar="الدفع الإلكتروني", minimum_age=18
    )


@pytest.fixture
def e_documents(db):
    return EServiceFactory(
        code="electronic-documents",
        name_en="Electronic documents",
        name_ar="الوثائق الإلكترونية",
        minimum_age=0,
        needs_photo=True,
    )


@pytest.fixture
def person(db):
    """A verified adult citizen with a mobile, data confirmed 30 days ago and an approved photo."""
    person = PersonFactory(preferred_language="en")
    person.photo.name = FAKE_PHOTO_NAME
    person.save(update_fields=["photo"])
    return person


@pytest.fixture
def card(person):
    return SmartCardFactory(person=person)


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def stepped_up(signed_in, card):
    """Signed in, with a code just confirmed for ``card``."""
    grant_stepup(signed_in, purpose=OTPPurpose.ESERVICES, scope=f"card:{card.pk}")
    return signed_in


@pytest.fixture
def jpeg_600():
    return photo_bytes((600, 600))


@pytest.fixture
def delete_private_files(db):
    """Photos land in PRIVATE_MEDIA_ROOT; remove the ones a test stored."""
    yield
    for request in PhotoRequest.objects.all():
        request.photo.delete(save=False)
    for person in Person.objects.exclude(photo="").exclude(photo=FAKE_PHOTO_NAME):
        person.photo.delete(save=False)
