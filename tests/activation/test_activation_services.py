"""Activating and deactivating e-services: atomic, idempotent, guarded by the database."""

import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from accounts.constants import ChipStatus
from accounts.models import ReferenceSequence, StatusChange
from activation.constants import ServiceRequestStatus
from activation.models import ActivationRequest, CardService, DeactivationRequest
from activation.services import ActivationRefused, activation_confirm, activation_deactivate
from messaging.models import Notification
from tests.activation.factories import CardServiceFactory
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory

pytestmark = pytest.mark.django_db


def confirm(person, card, services, key=None):
    return activation_confirm(
        person=person, card=card, services=services, idempotency_key=key or uuid.uuid4()
    )


def active_codes(card):
    return sorted(
        CardService.objects.filter(card=card, deactivated_at__isnull=True).values_list(
            "service__code", flat=True
        )
    )


def test_confirming_records_one_completed_request_and_activates_the_services(
    person, card, e_payment, e_documents
):
    request, created = confirm(person, card, [e_payment, e_documents])

    assert created
    assert re.fullmatch(r"ACT-\d{4}-\d{6}", request.reference)
    assert request.status == ServiceRequestStatus.COMPLETED
    assert set(request.services.all()) == {e_payment, e_documents}
    assert active_codes(card) == ["e-payment", "electronic-documents"]
    history = StatusChange.objects.filter(reference=request.reference)
    assert [(c.from_status, c.to_status) for c in history] == [
        ("", "submitted"),
        ("submitted", "completed"),
    ]
    assert all(change.actor == person for change in history)


def test_confirmation_writes_an_inbox_message_and_an_sms_in_the_persons_language(
    person, card, e_payment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        request, _created = confirm(person, card, [e_payment])

    notification = Notification.objects.get(person=person, template="activation_confirmed")
    assert request.reference in notification.body
    assert "E-payment" in notification.body
    assert notification.subject
    assert notification.sms


def test_submitting_the_same_review_page_twice_creates_one_request(person, card, e_payment):
    key = uuid.uuid4()
    first, first_created = confirm(person, card, [e_payment], key)
    again, again_created = confirm(person, card, [e_payment], key)

    assert (first_created, again_created) == (True, False)
    assert again.pk == first.pk
    assert ActivationRequest.objects.count() == 1
    assert CardService.objects.count() == 1


def test_a_second_tab_with_its_own_page_is_refused_because_the_service_is_active(
    person, card, e_payment
):
    confirm(person, card, [e_payment])

    with pytest.raises(ActivationRefused) as refused:
        confirm(person, card, [e_payment])

    assert refused.value.code == "already_active"
    assert ActivationRequest.objects.count() == 1
    assert CardService.objects.count() == 1


def test_selecting_nothing_is_refused_and_uses_no_reference(person, card):
    with pytest.raises(ActivationRefused) as refused:
        confirm(person, card, [])

    assert refused.value.code == "nothing_selected"
    assert not ActivationRequest.objects.exists()
    assert not ReferenceSequence.objects.exists()


def test_an_ineligible_service_refuses_the_whole_selection(person, card, e_payment, e_documents):
    person.photo.name = ""
    person.save()

    with pytest.raises(ActivationRefused) as refused, translation.override("en"):
        confirm(person, card, [e_payment, e_documents])

    assert refused.value.code == "not_eligible"
    assert "Electronic documents" in refused.value.messages[0]
    assert not ActivationRequest.objects.exists()
    assert not CardService.objects.exists()


def test_a_minor_cannot_activate_e_payment(e_payment):
    minor = PersonFactory(minor=True)
    card = SmartCardFactory(person=minor)

    with pytest.raises(ActivationRefused) as refused:
        confirm(minor, card, [e_payment])

    assert refused.value.code == "not_eligible"


def test_a_card_with_an_inactive_chip_cannot_be_used(person, e_payment):
    card = SmartCardFactory(person=person, chip_status=ChipStatus.INACTIVE)
    with pytest.raises(ActivationRefused):
        confirm(person, card, [e_payment])
    assert not CardService.objects.exists()


def test_another_persons_card_is_refused(person, e_payment):
    someone_elses = SmartCardFactory()

    with pytest.raises(ActivationRefused) as refused:
        confirm(person, someone_elses, [e_payment])

    assert refused.value.code == "not_owner"
    assert not ActivationRequest.objects.exists()


def test_a_service_withdrawn_from_the_catalogue_cannot_be_activated(person, card):
    withdrawn = EServiceFactory(is_active=False)
    with pytest.raises(ActivationRefused) as refused:
        confirm(person, card, [withdrawn])
    assert refused.value.code == "not_offered"


def test_a_key_used_by_someone_else_does_not_reveal_or_reuse_their_request(person, card, e_payment):
    key = uuid.uuid4()
    confirm(person, card, [e_payment], key)
    other = PersonFactory()
    other_card = SmartCardFactory(person=other)

    with pytest.raises(ActivationRefused):
        confirm(other, other_card, [e_payment], key)


def test_the_database_forbids_a_service_active_twice_on_a_card(card, e_payment):
    row = CardServiceFactory(card=card, service=e_payment)

    with pytest.raises(IntegrityError), transaction.atomic():
        CardService.objects.create(
            card=card, service=e_payment, activation=row.activation, activated_at=timezone.now()
        )


def test_the_same_service_may_be_active_on_two_cards(e_payment):
    CardServiceFactory(service=e_payment)
    CardServiceFactory(service=e_payment)
    assert CardService.objects.filter(service=e_payment).count() == 2


def test_deactivating_ends_the_service_and_records_a_request(
    person, card, e_payment, e_documents, django_capture_on_commit_callbacks
):
    confirm(person, card, [e_payment, e_documents])

    with django_capture_on_commit_callbacks():
        request, created = activation_deactivate(
            person=person, card=card, services=[e_payment], idempotency_key=uuid.uuid4()
        )

    assert created
    assert re.fullmatch(r"DEA-\d{4}-\d{6}", request.reference)
    assert request.status == ServiceRequestStatus.COMPLETED
    assert active_codes(card) == ["electronic-documents"]
    ended = CardService.objects.get(card=card, service=e_payment)
    assert ended.deactivation == request
    assert ended.deactivated_at is not None
    assert Notification.objects.filter(person=person, template="activation_deactivated").exists()


def test_deactivating_twice_with_the_same_page_records_one_request(person, card, e_payment):
    confirm(person, card, [e_payment])
    key = uuid.uuid4()
    first, _created = activation_deactivate(
        person=person, card=card, services=[e_payment], idempotency_key=key
    )
    again, created = activation_deactivate(
        person=person, card=card, services=[e_payment], idempotency_key=key
    )
    assert (again.pk, created) == (first.pk, False)
    assert DeactivationRequest.objects.count() == 1


def test_a_service_that_is_not_active_cannot_be_deactivated(person, card, e_payment):
    with pytest.raises(ActivationRefused) as refused:
        activation_deactivate(
            person=person, card=card, services=[e_payment], idempotency_key=uuid.uuid4()
        )
    assert refused.value.code == "not_active"
    assert not DeactivationRequest.objects.exists()


def test_a_deactivated_service_can_be_activated_again(person, card, e_payment):
    confirm(person, card, [e_payment])
    activation_deactivate(
        person=person, card=card, services=[e_payment], idempotency_key=uuid.uuid4()
    )

    confirm(person, card, [e_payment])

    assert active_codes(card) == ["e-payment"]
    assert CardService.objects.filter(card=card, service=e_payment).count() == 2
