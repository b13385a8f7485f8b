"""The seed flow's pages: step-up per card, catalogue, review, confirm, deactivate."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from accounts.constants import ChipStatus, OTPPurpose
from activation.models import ActivationRequest, CardService, DeactivationRequest
from tests.activation.factories import CardServiceFactory
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory
from tests.helpers import grant_stepup

pytestmark = pytest.mark.django_db


def catalogue_url(card):
    return f"/en/e-services/cards/{card.pk}/"


def review_url(card, *codes):
    query = "&".join(f"services={code}" for code in codes)
    return f"/en/e-services/cards/{card.pk}/review/?{query}"


def token_from(response):
    return re.search(r'name="token" value="([0-9a-f-]{36})"', response.content.decode()).group(1)


def test_the_overview_needs_sign_in(client):
    response = client.get("/en/e-services/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/")


def test_the_overview_lists_only_my_cards_with_the_way_in(signed_in, card):
    other = SmartCardFactory()
    response = signed_in.get("/en/e-services/")
    content = response.content.decode()
    assert card.number in content
    assert other.number not in content
    assert "Activate e-services" in content
    assert catalogue_url(card) in content


def test_the_overview_offers_a_chip_request_when_the_chip_is_inactive(signed_in, person):
    card = SmartCardFactory(person=person, chip_status=ChipStatus.INACTIVE)
    content = signed_in.get("/en/e-services/").content.decode()
    assert "Request chip activation" in content
    assert f"/en/e-services/cards/{card.pk}/chip/" in content


def test_the_catalogue_asks_for_a_code_bound_to_this_card(signed_in, card):
    response = signed_in.get(catalogue_url(card))

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("accounts:stepup")
    query = parse_qs(location.query)
    assert query["purpose"] == [OTPPurpose.ESERVICES]
    assert query["scope"] == [f"card:{card.pk}"]
    assert query["next"] == [catalogue_url(card)]


def test_a_code_confirmed_for_one_card_does_not_unlock_another(signed_in, person, card):
    second = SmartCardFactory(person=person, kind="permanent_residency")
    grant_stepup(signed_in, purpose=OTPPurpose.ESERVICES, scope=f"card:{card.pk}")

    assert signed_in.get(catalogue_url(card)).status_code == 200
    assert signed_in.get(catalogue_url(second)).status_code == 302


def test_a_code_for_another_purpose_does_not_unlock_the_catalogue(signed_in, card):
    grant_stepup(signed_in, purpose=OTPPurpose.MOBILE_CHANGE, scope=f"card:{card.pk}")
    assert signed_in.get(catalogue_url(card)).status_code == 302


def test_the_step_up_lasts_ten_minutes(signed_in, card):
    with time_machine.travel("2026-05-01 10:00 +03:00", tick=False) as clock:
        grant_stepup(signed_in, purpose=OTPPurpose.ESERVICES, scope=f"card:{card.pk}")
        clock.shift(10 * 60)
        assert signed_in.get(catalogue_url(card)).status_code == 200
        clock.shift(1)
        assert signed_in.get(catalogue_url(card)).status_code == 302


def test_someone_elses_card_is_not_found_even_with_a_step_up(signed_in):
    other = SmartCardFactory()
    grant_stepup(signed_in, purpose=OTPPurpose.ESERVICES, scope=f"card:{other.pk}")
    assert signed_in.get(catalogue_url(other)).status_code == 404
    assert signed_in.get(review_url(other, "e-payment")).status_code == 404


def test_the_catalogue_shows_active_available_and_not_eligible_services(
    stepped_up, card, e_payment, e_documents
):
    CardServiceFactory(card=card, service=e_documents)
    traffic = EServiceFactory(code="photo-only", name_en="Photo only", needs_photo=True)
    card.person.photo.name = ""
    card.person.save()

    content = stepped_up.get(catalogue_url(card)).content.decode()

    assert 'id="service-e-payment"' in content  # a checkbox: available
    assert 'id="service-electronic-documents"' not in content  # active: no checkbox
    assert f"/en/e-services/cards/{card.pk}/deactivate/electronic-documents/" in content
    assert f'id="service-{traffic.code}"' not in content
    assert "This service needs an approved personal photo." in content
    assert "/en/e-services/profile/photo/" in content


def test_a_minor_sees_e_payment_as_not_eligible_because_of_age(client, e_payment):
    minor = PersonFactory(minor=True)
    card = SmartCardFactory(person=minor)
    client.force_login(minor)
    grant_stepup(client, purpose=OTPPurpose.ESERVICES, scope=f"card:{card.pk}")

    content = client.get(catalogue_url(card)).content.decode()

    assert 'id="service-e-payment"' not in content
    assert "Not eligible" in content
    assert "This service is available from age 18." in content


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Select at least one service."),
        ({"services": ["no-such-service"]}, "A selected service is not in the catalogue."),
        ({"services": ["e-payment", "<script>"]}, "A selected service is not in the catalogue."),
    ],
    ids=["nothing", "unknown-service", "tampered"],
)
def test_a_bad_selection_is_explained_next_to_the_services(
    stepped_up, card, e_payment, posted, message
):
    response = stepped_up.post(catalogue_url(card), posted)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ActivationRequest.objects.exists()


def test_selecting_an_ineligible_service_is_refused(stepped_up, card, e_documents):
    card.person.photo.name = ""
    card.person.save()
    response = stepped_up.post(catalogue_url(card), {"services": ["electronic-documents"]})
    assert response.status_code == 400
    assert "You cannot activate" in response.content.decode()


def test_selecting_goes_to_the_review_page(stepped_up, card, e_payment, e_documents):
    response = stepped_up.post(
        catalogue_url(card), {"services": ["e-payment", "electronic-documents"]}
    )
    assert response.status_code == 302
    assert response["Location"] == review_url(card, "e-payment", "electronic-documents")


def test_confirming_shows_the_reference_and_activates_the_services(
    stepped_up, card, e_payment, e_documents, django_capture_on_commit_callbacks
):
    review = stepped_up.get(review_url(card, "e-payment", "electronic-documents"))
    assert review.status_code == 200
    assert review["Cache-Control"].startswith("max-age=0")

    with django_capture_on_commit_callbacks(execute=True):
        response = stepped_up.post(
            review_url(card),
            {"services": ["e-payment", "electronic-documents"], "token": token_from(review)},
            follow=True,
        )

    request = ActivationRequest.objects.get()
    assert response.redirect_chain[-1][0] == f"/en/e-services/requests/{request.reference}/"
    content = response.content.decode()
    assert request.reference in content
    assert "E-payment" in content
    assert "Electronic documents" in content
    assert CardService.objects.filter(card=card).count() == 2


def test_submitting_the_review_page_twice_makes_one_request(stepped_up, card, e_payment):
    review = stepped_up.get(review_url(card, "e-payment"))
    data = {"services": ["e-payment"], "token": token_from(review)}

    first = stepped_up.post(review_url(card), data)
    second = stepped_up.post(review_url(card), data)

    assert first["Location"] == second["Location"]
    assert ActivationRequest.objects.count() == 1


def test_the_back_button_to_the_review_page_after_confirming_sends_back_to_the_catalogue(
    stepped_up, card, e_payment
):
    review = stepped_up.get(review_url(card, "e-payment"))
    stepped_up.post(review_url(card), {"services": ["e-payment"], "token": token_from(review)})

    again = stepped_up.get(review_url(card, "e-payment"), follow=True)

    assert "Already active on this card" in again.content.decode()
    assert ActivationRequest.objects.count() == 1


def test_two_tabs_confirming_one_after_the_other_make_one_request(stepped_up, card, e_payment):
    tab_one = token_from(stepped_up.get(review_url(card, "e-payment")))
    tab_two = token_from(stepped_up.get(review_url(card, "e-payment")))

    stepped_up.post(review_url(card), {"services": ["e-payment"], "token": tab_one})
    response = stepped_up.post(review_url(card), {"services": ["e-payment"], "token": tab_two})

    assert response.status_code == 400
    assert "Already active on this card" in response.content.decode()
    assert ActivationRequest.objects.count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"services": ["e-payment"], "token": "not-a-uuid"},
        {"services": ["e-payment"]},
        {"services": ["999"], "token": "6f1c3c1e-3c50-4a55-9a8e-7f1f53c7b0a1"},
    ],
    ids=["bad-token", "no-token", "unknown-service"],
)
def test_a_tampered_confirmation_changes_nothing(stepped_up, card, e_payment, data):
    response = stepped_up.post(review_url(card), data)
    assert response.status_code == 400
    assert not ActivationRequest.objects.exists()


def test_the_confirmation_page_of_someone_elses_request_is_not_found(signed_in, e_payment):
    other = CardServiceFactory(service=e_payment)
    response = signed_in.get(f"/en/e-services/requests/{other.activation.reference}/")
    assert response.status_code == 404


def test_deactivating_needs_a_code_and_records_a_request(stepped_up, card, e_payment):
    CardServiceFactory(card=card, service=e_payment)
    url = f"/en/e-services/cards/{card.pk}/deactivate/e-payment/"

    page = stepped_up.get(url)
    assert page.status_code == 200
    response = stepped_up.post(url, {"services": ["e-payment"], "token": token_from(page)})

    request = DeactivationRequest.objects.get()
    assert response["Location"] == f"/en/e-services/requests/{request.reference}/"
    assert not CardService.objects.filter(card=card, deactivated_at__isnull=True).exists()


def test_deactivation_without_a_code_goes_to_the_code_page(signed_in, card, e_payment):
    CardServiceFactory(card=card, service=e_payment)
    response = signed_in.get(f"/en/e-services/cards/{card.pk}/deactivate/e-payment/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:stepup"))


def test_deactivating_a_service_that_is_not_active_is_not_found(stepped_up, card, e_payment):
    response = stepped_up.get(f"/en/e-services/cards/{card.pk}/deactivate/e-payment/")
    assert response.status_code == 404


def test_the_pages_work_in_arabic(stepped_up, card, e_payment):
    response = stepped_up.get(f"/ar/e-services/cards/{card.pk}/")
    assert response.status_code == 200
    assert 'dir="rtl"' in response.content.decode()
