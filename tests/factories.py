"""Factories for every model, with one trait per state the flows need."""

import datetime

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_countries import countries
from factory.django import DjangoModelFactory

from accounts.constants import CardKind, CardStatus, ChipStatus
from accounts.models import Person, SmartCard, StatusChange
from activation.models import EService

DEFAULT_PASSWORD = "correct horse battery staple"


def qid_for(date_of_birth: datetime.date, nationality: str, serial: int) -> str:
    """A valid QID for the birth year and nationality (PRODUCT.md section 1)."""
    century = "3" if date_of_birth.year >= 2000 else "2"
    code = countries.numeric(nationality, padded=True)
    return f"{century}{date_of_birth.year % 100:02d}{code}{serial % 100000:05d}"


class PersonFactory(DjangoModelFactory):
    """A verified citizen with an online account, born 1985."""

    class Meta:
        model = Person
        django_get_or_create = ("qid",)
        skip_postgeneration_save = True

    class Params:
        resident = factory.Trait(nationality="IN", resident_since=datetime.date(2004, 1, 1))
        minor = factory.Trait(
            date_of_birth=factory.LazyFunction(
                lambda: datetime.date(timezone.localdate().year - 10, 1, 1)
            )
        )
        unregistered = factory.Trait(registered_at=None, password=None)
        unverified = factory.Trait(data_verified=False)
        stale_review = factory.Trait(
            data_reviewed_at=factory.LazyFunction(
                lambda: timezone.now() - datetime.timedelta(days=400)
            )
        )
        staff = factory.Trait(is_staff=True)

    name_en = factory.Faker("name")
    name_ar = "مواطن تجريبي"
    date_of_birth = datetime.date(1985, 6, 15)
    nationality = "QA"
    qid = factory.LazyAttributeSequence(lambda o, n: qid_for(o.date_of_birth, o.nationality, n))
    mobile = factory.Sequence(lambda n: f"+9745{n % 10000000:07d}")
    data_verified = True
    data_reviewed_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    registered_at = factory.LazyFunction(timezone.now)
    password = DEFAULT_PASSWORD

    @classmethod
    def _create(cls, model_class, *args, password=None, **kwargs):
        person = model_class(*args, **kwargs)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save()
        return person


class SmartCardFactory(DjangoModelFactory):
    """A valid card with an active chip, expiring in three years."""

    class Meta:
        model = SmartCard

    class Params:
        chip_inactive = factory.Trait(chip_status=ChipStatus.INACTIVE)
        expired = factory.Trait(
            status=CardStatus.EXPIRED,
            issued_on=datetime.date(2015, 1, 1),
            expires_on=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=10)
            ),
        )
        residence_permit = factory.Trait(kind=CardKind.RESIDENCE_PERMIT)

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: f"{300000000 + n:09d}")
    kind = CardKind.CITIZEN_ID
    issued_on = datetime.date(2024, 1, 1)
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1095))
    status = CardStatus.VALID
    chip_status = ChipStatus.ACTIVE


class EServiceFactory(DjangoModelFactory):
    class Meta:
        model = EService
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"service-{n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    name_ar = factory.Sequence(lambda n: f"خدمة {n}")
    minimum_age = 0


class StatusChangeFactory(DjangoModelFactory):
    class Meta:
        model = StatusChange

    class Params:
        subject = factory.SubFactory(SmartCardFactory)

    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.subject))
    object_id = factory.LazyAttribute(lambda o: o.subject.pk)
    reference = factory.Sequence(lambda n: f"TST-2026-{n:06d}")
    to_status = "submitted"
