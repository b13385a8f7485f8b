"""Requests staff decide: chip activation, data correction, personal photo; and data review."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.changes import AccountChangeRefused, account_change_decide
from accounts.constants import AccountChangeStatus, ChipStatus
from accounts.models import AccountChangeRequest, Person, StatusChange
from accounts.services import InvalidTransition
from accounts.uploads import IMAGE_KINDS, upload_clean
from activation.constants import Decision, ReviewStatus, Rule
from activation.models import ChipRequest, CorrectionRequest, PhotoRequest
from activation.services import (
    ActivationRefused,
    chip_request_create,
    chip_request_decide,
    correction_request_create,
    correction_request_decide,
    mobile_change_record,
    person_data_confirm,
    photo_request_create,
    photo_request_decide,
)
from messaging.models import Notification
from tests.activation.factories import ChipRequestFactory, photo_bytes
from tests.factories import PersonFactory, SmartCardFactory
from tests.helpers import eligibility_codes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return PersonFactory(staff=True)


@pytest.fixture
def chip_card(person):
    return SmartCardFactory(person=person, chip_status=ChipStatus.INACTIVE)


# --- Chip activation --------------------------------------------------------


def test_a_chip_request_gets_a_chip_reference_and_waits_for_review(person, chip_card):
    request = chip_request_create(person=person, card=chip_card)

    assert re.fullmatch(r"CHIP-\d{4}-\d{6}", request.reference)
    assert request.status == ReviewStatus.SUBMITTED
    chip_card.refresh_from_db()
    assert chip_card.chip_status == ChipStatus.INACTIVE


def test_only_one_chip_request_per_card_can_be_open(person, chip_card):
    chip_request_create(person=person, card=chip_card)
    with pytest.raises(ActivationRefused) as refused:
        chip_request_create(person=person, card=chip_card)
    assert refused.value.code == "already_requested"
    assert ChipRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("card_values", "code"),
    [
        ({"chip_status": ChipStatus.ACTIVE}, "chip_not_inactive"),
        ({"chip_status": ChipStatus.BLOCKED}, "chip_not_inactive"),
        ({"chip_status": ChipStatus.INACTIVE, "expired": True}, "card_not_valid"),
    ],
)
def test_a_chip_request_needs_a_valid_card_with_an_inactive_chip(person, card_values, code):
    card = SmartCardFactory(person=person, **card_values)
    with pytest.raises(ActivationRefused) as refused:
        chip_request_create(person=person, card=card)
    assert refused.value.code == code


def test_nobody_can_request_the_chip_of_someone_elses_card(person):
    with pytest.raises(ActivationRefused):
        chip_request_create(person=person, card=SmartCardFactory(chip_status=ChipStatus.INACTIVE))


def test_approving_a_chip_request_activates_the_chip_and_tells_the_person(
    person, chip_card, staff, django_capture_on_commit_callbacks
):
    request = chip_request_create(person=person, card=chip_card)

    with django_capture_on_commit_callbacks():
        chip_request_decide(chip_request=request, decision=Decision.APPROVE, actor=staff)

    chip_card.refresh_from_db()
    assert chip_card.chip_status == ChipStatus.ACTIVE
    assert request.status == ReviewStatus.APPROVED
    last = StatusChange.objects.filter(reference=request.reference).last()
    assert (last.from_status, last.to_status, last.actor) == ("submitted", "approved", staff)
    assert Notification.objects.filter(person=person, template="activation_chip_approved").exists()


def test_rejecting_needs_a_reason_that_reaches_the_person(person, chip_card, staff):
    request = chip_request_create(person=person, card=chip_card)

    with pytest.raises(ActivationRefused):
        chip_request_decide(chip_request=request, decision=Decision.REJECT, actor=staff, note=" ")
    chip_request_decide(
        chip_request=request, decision=Decision.REJECT, actor=staff, note="Card reported lost"
    )

    chip_card.refresh_from_db()
    assert chip_card.chip_status == ChipStatus.INACTIVE
    message = Notification.objects.get(person=person, template="activation_chip_rejected")
    assert "Card reported lost" in message.body


def test_a_decided_chip_request_cannot_be_decided_again(staff):
    request = ChipRequestFactory(approved=True)
    with pytest.raises(InvalidTransition):
        chip_request_decide(chip_request=request, decision=Decision.REJECT, actor=staff, note="x")


# --- Data review and corrections --------------------------------------------


def test_my_data_is_current_sets_the_review_time_and_satisfies_rule_five(person, e_payment, card):
    person.data_reviewed_at = timezone.now() - datetime.timedelta(days=400)
    person.save()
    assert Rule.DATA_REVIEWED in eligibility_codes(person=person, card=card, service=e_payment)

    with time_machine.travel("2026-06-01 09:00 +03:00", tick=False):
        person_data_confirm(person=person)
        assert person.data_reviewed_at == timezone.now()
        assert eligibility_codes(person=person, card=card, service=e_payment) == []


def test_a_correction_goes_to_review_and_leaves_the_register_unchanged(person):
    old_name = person.name_en
    request = correction_request_create(
        person=person, name_en="Ahmed A. Al-Kuwari", details="Passport spelling"
    )

    assert re.fullmatch(r"COR-\d{4}-\d{6}", request.reference)
    assert request.status == ReviewStatus.SUBMITTED
    person.refresh_from_db()
    assert person.name_en == old_name


def test_a_correction_without_any_change_is_refused(person):
    with pytest.raises(ActivationRefused):
        correction_request_create(person=person, details="Nothing really")
    assert not CorrectionRequest.objects.exists()


def test_an_approved_correction_updates_the_register_and_marks_it_verified(staff):
    person = PersonFactory(unverified=True)
    request = correction_request_create(person=person, name_en="New Name", details="Passport")

    correction_request_decide(correction=request, decision=Decision.APPROVE, actor=staff)

    person.refresh_from_db()
    assert person.name_en == "New Name"
    assert person.data_verified


def test_a_rejected_correction_changes_nothing(person, staff):
    request = correction_request_create(person=person, name_en="New Name", details="x")
    correction_request_decide(
        correction=request, decision=Decision.REJECT, actor=staff, note="No document attached"
    )
    person.refresh_from_db()
    assert person.name_en != "New Name"


def test_a_mobile_change_confirmed_on_both_numbers_applies_at_once(person):
    old = person.mobile
    request = mobile_change_record(
        person=person, new_mobile="+97466123456", old_mobile_confirmed=True
    )

    person.refresh_from_db()
    assert person.mobile == "+97466123456"
    assert request.status == ReviewStatus.APPROVED
    assert request.old_mobile_confirmed
    assert StatusChange.objects.filter(reference=request.reference).last().actor is None
    assert old != person.mobile


def test_a_mobile_change_with_the_old_number_lost_waits_for_a_staff_approver(person, staff):
    old = person.mobile
    request = mobile_change_record(
        person=person, new_mobile="+97466123456", old_mobile_confirmed=False
    )

    person.refresh_from_db()
    assert person.mobile == old
    assert isinstance(request, AccountChangeRequest)
    assert (request.status, request.proposed_by) == (AccountChangeStatus.PROPOSED, person)

    with pytest.raises(AccountChangeRefused):
        account_change_decide(change=request, approve=True, actor=staff)
    staff.user_permissions.add(Permission.objects.get(codename="approve_mobile_change"))
    staff = Person.objects.get(pk=staff.pk)
    account_change_decide(change=request, approve=True, actor=staff)
    person.refresh_from_db()
    assert person.mobile == "+97466123456"


def test_a_correction_carrying_a_mobile_is_never_approved_as_a_correction(person, staff):
    request = correction_request_create(person=person, name_en="New Name", details="x")
    CorrectionRequest.objects.filter(pk=request.pk).update(mobile="+97466123456")
    request.refresh_from_db()
    with pytest.raises(ActivationRefused):
        correction_request_decide(correction=request, decision=Decision.APPROVE, actor=staff)
    person.refresh_from_db()
    assert person.mobile != "+97466123456"


# --- Personal photo ----------------------------------------------------------


def clean_photo(size=(600, 600)):
    uploaded = SimpleUploadedFile("me.jpg", photo_bytes(size), content_type="image/jpeg")
    return upload_clean(uploaded, kinds=IMAGE_KINDS, min_side=600)


def test_a_photo_waits_for_review_under_a_random_private_name(person, delete_private_files):
    request = photo_request_create(person=person, upload=clean_photo())

    assert re.fullmatch(r"PHO-\d{4}-\d{6}", request.reference)
    assert request.status == ReviewStatus.SUBMITTED
    assert "me" not in request.photo.name
    assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}\.jpg", request.photo.name)
    assert (request.width, request.height) == (600, 600)


def test_only_one_photo_can_wait_for_review(person, delete_private_files):
    photo_request_create(person=person, upload=clean_photo())
    with pytest.raises(ActivationRefused):
        photo_request_create(person=person, upload=clean_photo())
    assert PhotoRequest.objects.count() == 1


def test_an_approved_photo_becomes_the_persons_photo_and_satisfies_rule_seven(
    e_documents, staff, delete_private_files
):
    person = PersonFactory()
    card = SmartCardFactory(person=person)
    assert Rule.PHOTO_APPROVED in eligibility_codes(person=person, card=card, service=e_documents)
    request = photo_request_create(person=person, upload=clean_photo())

    photo_request_decide(photo_request=request, decision=Decision.APPROVE, actor=staff)

    person.refresh_from_db()
    assert person.photo
    assert person.photo.name != request.photo.name
    with person.photo.open("rb") as approved:
        assert approved.read() == request.photo.open("rb").read()
    assert eligibility_codes(person=person, card=card, service=e_documents) == []


def test_a_rejected_photo_is_not_used(staff, delete_private_files):
    person = PersonFactory()
    request = photo_request_create(person=person, upload=clean_photo())
    photo_request_decide(
        photo_request=request, decision=Decision.REJECT, actor=staff, note="Face not visible"
    )
    person.refresh_from_db()
    assert not person.photo
    assert Notification.objects.filter(person=person, template="activation_photo_rejected").exists()


def test_the_notification_body_is_plain_text_not_html_escaped(person, chip_card, staff):
    request = chip_request_create(person=person, card=chip_card)
    chip_request_decide(
        chip_request=request, decision=Decision.REJECT, actor=staff, note="Card isn't yours & lost"
    )
    message = Notification.objects.get(person=person, template="activation_chip_rejected")
    assert "Card isn't yours & lost" in message.body
