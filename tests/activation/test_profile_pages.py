"""Profile, corrections, mobile change, photo, chip request and the "My requests" page."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.constants import AccountChangeStatus, ChipStatus
from accounts.models import AccountChangeRequest
from accounts.validators import mask_mobile
from activation.constants import ReviewStatus
from activation.models import ChipRequest, CorrectionRequest, PhotoRequest
from messaging.sms import locmem_outbox
from tests.activation.factories import (
    CardServiceFactory,
    ChipRequestFactory,
    CorrectionRequestFactory,
    photo_bytes,
)
from tests.factories import PersonFactory, SmartCardFactory
from tests.helpers import session_read_queries

pytestmark = pytest.mark.django_db


def test_the_profile_shows_the_register_data_with_the_mobile_masked(signed_in, person, card):
    content = signed_in.get("/en/e-services/profile/").content.decode()
    assert person.qid in content
    assert person.name_en in content
    assert person.name_ar in content
    assert f"+974 •••• {person.mobile[-4:]}" in content
    assert person.mobile not in content
    assert card.number in content
    assert "My data is current" in content
    assert "Request a correction" in content


def test_my_data_is_current_confirms_the_data_in_one_click(signed_in, person):
    person.data_reviewed_at = None
    person.save()
    response = signed_in.post("/en/e-services/profile/")
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.data_reviewed_at is not None


def test_a_correction_request_is_recorded_for_review(signed_in, person):
    response = signed_in.post(
        "/en/e-services/profile/correction/",
        {"name_en": "Ahmed A. Al-Kuwari", "details": "Passport spelling"},
    )
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get(person=person)
    assert correction.status == ReviewStatus.SUBMITTED
    person.refresh_from_db()
    assert person.name_en != "Ahmed A. Al-Kuwari"


@pytest.mark.parametrize(
    "data",
    [
        {"details": "Only an explanation"},
        {"name_en": "x", "details": ""},
        {"date_of_birth": "31/31/2020", "details": "bad date"},
        {"nationality": "XX", "details": "bad country"},
    ],
)
def test_a_bad_correction_is_explained_and_records_nothing(signed_in, data):
    response = signed_in.post("/en/e-services/profile/correction/", data)
    assert response.status_code == 400
    assert 'class="field__errors"' in response.content.decode() or "alert" in (
        response.content.decode()
    )
    assert not CorrectionRequest.objects.exists()


def codes_sent_to(number):
    return [re.search(r"\b\d{6}\b", sms.body).group(0) for sms in locmem_outbox if sms.to == number]


def test_a_mobile_change_needs_a_code_on_the_new_and_the_old_number(
    signed_in, person, django_capture_on_commit_callbacks
):
    locmem_outbox.clear()
    old = person.mobile
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/en/e-services/profile/mobile/", {"mobile": "6612 3456"})
    [new_code] = codes_sent_to("+97466123456")

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/en/e-services/profile/mobile/code/", {"code": new_code})
    assert response["Location"] == "/en/e-services/profile/mobile/code/"
    person.refresh_from_db()
    assert person.mobile == old
    [old_code] = codes_sent_to(old)
    page = signed_in.get("/en/e-services/profile/mobile/code/").content.decode()
    assert f'We sent a 6-digit code to <bdi dir="ltr">{mask_mobile(old)}</bdi>' in page

    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/en/e-services/profile/mobile/code/", {"code": old_code})

    person.refresh_from_db()
    assert person.mobile == "+97466123456"
    assert CorrectionRequest.objects.get().status == ReviewStatus.APPROVED


def test_a_lost_old_number_sends_the_change_to_staff(
    signed_in, person, django_capture_on_commit_callbacks
):
    locmem_outbox.clear()
    old = person.mobile
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(
            "/en/e-services/profile/mobile/", {"mobile": "+97466123456", "old_number_lost": "on"}
        )
    [code] = codes_sent_to("+97466123456")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/en/e-services/profile/mobile/code/", {"code": code})

    person.refresh_from_db()
    assert person.mobile == old
    assert not CorrectionRequest.objects.exists()
    change = AccountChangeRequest.objects.get()
    assert (change.new_mobile, change.status) == ("+97466123456", AccountChangeStatus.PROPOSED)


def test_a_wrong_code_does_not_change_the_mobile(
    signed_in, person, django_capture_on_commit_callbacks
):
    locmem_outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/en/e-services/profile/mobile/", {"mobile": "66123456"})
    [code] = codes_sent_to("+97466123456")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = signed_in.post("/en/e-services/profile/mobile/code/", {"code": wrong})
    assert response.status_code == 400
    content = response.content.decode()
    assert "The code is not correct. Check the text message and try again." in content
    assert "4 tries left" in content
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("number", ["12345678", "not a number", ""])
def test_an_invalid_new_number_is_explained(signed_in, number):
    response = signed_in.post("/en/e-services/profile/mobile/", {"mobile": number})
    assert response.status_code == 400


def test_a_clear_photo_is_sent_for_review(signed_in, person, delete_private_files):
    upload = SimpleUploadedFile("me.jpg", photo_bytes((800, 800)), content_type="image/jpeg")
    response = signed_in.post("/en/e-services/profile/photo/", {"photo": upload})
    assert response.status_code == 302
    assert PhotoRequest.objects.get(person=person).status == ReviewStatus.SUBMITTED


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (photo_bytes((599, 800)), "it must be at least"),
        (b"%PDF-1.7 not a photo", "This file type is not accepted"),
        (b"\xff\xd8\xff broken jpeg", "could not be read"),
        (photo_bytes((700, 700), kind="GIF"), "This file type is not accepted"),
    ],
    ids=["too-small", "pdf", "broken-jpeg", "gif"],
)
def test_a_bad_photo_is_explained_next_to_the_field(signed_in, content, message):
    upload = SimpleUploadedFile("me.jpg", content, content_type="image/jpeg")
    response = signed_in.post("/en/e-services/profile/photo/", {"photo": upload})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PhotoRequest.objects.exists()


def test_my_photo_is_shown_only_to_me_inline_and_not_sniffed(
    client, signed_in, person, delete_private_files
):
    upload = SimpleUploadedFile("me.jpg", photo_bytes(), content_type="image/jpeg")
    signed_in.post("/en/e-services/profile/photo/", {"photo": upload})
    photo_request = PhotoRequest.objects.get()
    url = f"/en/e-services/photo-requests/{photo_request.reference}/image/"

    mine = signed_in.get(url)
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/jpeg"
    assert mine["Content-Disposition"] == "inline"
    assert mine["X-Content-Type-Options"] == "nosniff"

    signed_in.force_login(PersonFactory())
    assert signed_in.get(url).status_code == 404


def test_staff_allowed_to_view_photos_see_a_pending_photo(client, person, delete_private_files):
    client.force_login(person)
    upload = SimpleUploadedFile("me.jpg", photo_bytes(), content_type="image/jpeg")
    client.post("/en/e-services/profile/photo/", {"photo": upload})
    url = f"/en/e-services/photo-requests/{PhotoRequest.objects.get().reference}/image/"
    staff = PersonFactory(staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 404

    staff.user_permissions.add(Permission.objects.get(codename="view_photorequest"))
    assert client.get(url).status_code == 200


def test_a_chip_request_is_offered_then_recorded(signed_in, person):
    card = SmartCardFactory(person=person, chip_status=ChipStatus.INACTIVE)
    url = f"/en/e-services/cards/{card.pk}/chip/"

    assert "Request chip activation" in signed_in.get(url).content.decode()
    response = signed_in.post(url)

    assert response.status_code == 302
    chip = ChipRequest.objects.get(card=card)
    assert re.fullmatch(r"CHIP-\d{4}-\d{6}", chip.reference)
    assert chip.reference in signed_in.get(url).content.decode()
    assert signed_in.post(url).status_code == 400
    assert ChipRequest.objects.count() == 1


def test_nobody_can_request_the_chip_of_someone_elses_card(signed_in):
    other = SmartCardFactory(chip_status=ChipStatus.INACTIVE)
    assert signed_in.post(f"/en/e-services/cards/{other.pk}/chip/").status_code == 404
    assert not ChipRequest.objects.exists()


def test_my_requests_lists_every_kind_newest_first_with_history(signed_in, person):
    card = SmartCardFactory(person=person, kind="permanent_residency")
    activation = CardServiceFactory(card=card).activation
    chip = ChipRequestFactory(person=person, approved=True)
    correction = CorrectionRequestFactory(person=person)
    other = ChipRequestFactory()

    content = signed_in.get("/en/accounts/requests/").content.decode()

    positions = [content.index(r.reference) for r in (correction, chip, activation)]
    assert positions == sorted(positions)
    assert other.reference not in content
    assert "Chip activation" in content
    assert "Approved" in content
    assert "Waiting for review" in content
    assert "Completed" in content


def test_my_requests_uses_the_same_number_of_queries_for_one_or_many_requests(
    signed_in, person, django_assert_num_queries
):
    ChipRequestFactory(person=person)
    signed_in.get("/en/accounts/requests/")  # warm the session and content types
    with django_assert_num_queries(4 + session_read_queries()) as one:
        signed_in.get("/en/accounts/requests/")
    for _ in range(12):
        CorrectionRequestFactory(person=person)
    second_card = SmartCardFactory(
        person=person, kind="residence_permit", chip_status=ChipStatus.INACTIVE
    )
    ChipRequestFactory(person=person, card=second_card)
    with django_assert_num_queries(len(one.captured_queries)):
        response = signed_in.get("/en/accounts/requests/?page=2")
    assert response.status_code == 200


def test_a_page_number_out_of_range_shows_the_last_page(signed_in, person):
    ChipRequestFactory(person=person)
    assert signed_in.get("/en/accounts/requests/?page=99").status_code == 200
    assert signed_in.get("/en/accounts/requests/?page=abc").status_code == 200


def test_a_reference_inside_arabic_text_keeps_its_order(signed_in, person, delete_private_files):
    upload = SimpleUploadedFile("me.jpg", photo_bytes((800, 800)), content_type="image/jpeg")
    response = signed_in.post("/ar/e-services/profile/photo/", {"photo": upload}, follow=True)
    reference = PhotoRequest.objects.get(person=person).reference
    isolated = f'<bdi dir="ltr">{reference}</bdi>'
    html = response.content.decode()
    # The confirmation message and the waiting notice on the profile.
    assert html.count(isolated) == 2, html
    assert f"({isolated})" in html
    assert f" {reference}" not in html.replace(isolated, "")
