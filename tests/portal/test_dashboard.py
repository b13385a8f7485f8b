"""The signed-in dashboard and the one history of every kind of request."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import SmartCard
from messaging.models import Notification
from tests.activation.factories import (
    CardServiceFactory,
    ChipRequestFactory,
    CorrectionRequestFactory,
)
from tests.factories import PersonFactory
from tests.residency.factories import ApplicationFactory, ResidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(db):
    return ResidentFactory(preferred_language="en", data_reviewed_at=timezone.now())


@pytest.fixture
def client_of(client):
    def sign_in(person):
        client.force_login(person)
        return client

    return sign_in


def test_signing_in_leads_to_the_dashboard_not_the_public_home(client, resident):
    resident.set_password("a long enough passphrase 42")
    resident.registered_at = timezone.now()
    resident.save()
    response = client.post(
        "/en/accounts/sign-in/",
        {"username": resident.qid, "password": "a long enough passphrase 42"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/my/"


def test_the_dashboard_is_for_signed_in_people_only(client):
    response = client.get("/en/my/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/")


def test_the_dashboard_shows_the_open_application_with_its_decision_date(client_of, resident):
    application = ApplicationFactory(person=resident, submitted=True)
    content = client_of(resident).get("/en/my/").content.decode()
    assert application.reference in content
    due = application.decision_due_on
    assert f"by {due.day} {due:%B %Y}" in content
    assert "Needs your action" in content


def test_the_dashboard_asks_for_documents_the_reviewer_requested(client_of, resident):
    application = ApplicationFactory(person=resident, more_info_requested=True)
    content = client_of(resident).get("/en/my/").content.decode()
    assert "The reviewer asked you for more information." in content
    assert f"/en/residency/applications/{application.reference}/more-information/" in content


def test_the_dashboard_asks_to_finish_a_draft_and_to_confirm_old_data(client_of, resident):
    resident.data_reviewed_at = timezone.now() - datetime.timedelta(days=400)
    resident.save()
    ApplicationFactory(person=resident)
    content = client_of(resident).get("/en/my/").content.decode()
    assert "Your permanent residency application is not submitted yet." in content
    assert "You have not confirmed your personal data in the last 12 months." in content


def test_the_dashboard_warns_of_a_card_about_to_expire(client_of, resident):
    SmartCard.objects.filter(person=resident).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    content = client_of(resident).get("/en/my/").content.decode()
    assert "Your Residence permit expires on" in content


def test_nothing_to_do_says_so(client_of, resident):
    content = client_of(resident).get("/en/my/").content.decode()
    assert "Nothing needs your action at the moment." in content
    assert "You have no open requests." in content
    assert "You have no appointment booked." in content


def test_the_dashboard_shows_the_next_appointment_with_place_and_time(client_of, resident):
    application = ApplicationFactory(person=resident, appointment_booked=True)
    slot = application.appointment.slot
    slot.starts_at = timezone.now() + datetime.timedelta(days=3)
    slot.save()
    content = client_of(resident).get("/en/my/").content.decode()
    assert application.preferred_centre.name_en in content
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") in content


def test_the_dashboard_shows_active_services_per_card_and_newest_messages(client_of, resident):
    card = SmartCard.objects.get(person=resident)
    row = CardServiceFactory(card=card)
    for number in range(5):
        Notification.objects.create(
            person=resident, template="t", language="en", subject=f"Message {number}", body="b"
        )
    content = client_of(resident).get("/en/my/").content.decode()
    assert row.service.name_en in content
    assert card.number in content
    assert "Message 4" in content
    assert "Message 2" in content
    assert "Message 1" not in content


def test_the_dashboard_is_not_someone_elses(client_of, resident):
    other = ApplicationFactory(submitted=True)
    content = client_of(resident).get("/en/my/").content.decode()
    assert other.reference not in content


def _fill(person, count):
    card = SmartCard.objects.get(person=person)
    for _ in range(count):
        CardServiceFactory(card=card)
        ChipRequestFactory(person=person, card=card, approved=True)
        CorrectionRequestFactory(person=person)
        Notification.objects.create(
            person=person, template="t", language="en", subject="s", body="b"
        )


def test_the_dashboard_costs_the_same_queries_with_many_rows(
    client_of, resident, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_of(resident)
    ApplicationFactory(person=resident, appointment_booked=True)
    _fill(resident, 1)
    client.get("/en/my/")
    with django_assert_max_num_queries(30) as few:
        client.get("/en/my/")
    _fill(resident, 15)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/en/my/")
    assert response.status_code == 200


# --- One history ---------------------------------------------------------


def test_my_requests_lists_residency_applications_and_appointments_too(client_of, resident):
    chip = ChipRequestFactory(person=resident)
    application = ApplicationFactory(person=resident, appointment_booked=True)
    content = client_of(resident).get("/en/accounts/requests/").content.decode()
    assert chip.reference in content
    assert "Permanent residency application" in content
    assert "Card collection appointment" in content
    assert content.count(application.reference) == 2


def test_my_requests_filters_by_kind_and_status(client_of, resident):
    approved = ChipRequestFactory(person=resident, approved=True)
    chip = ChipRequestFactory(person=resident, card=approved.card)
    correction = CorrectionRequestFactory(person=resident)
    application = ApplicationFactory(person=resident, submitted=True)
    client = client_of(resident)

    content = client.get("/en/accounts/requests/?kind=chip").content.decode()
    assert chip.reference in content
    assert approved.reference in content
    assert correction.reference not in content
    assert application.reference not in content

    content = client.get("/en/accounts/requests/?kind=chip&status=approved").content.decode()
    assert approved.reference in content
    assert chip.reference not in content

    content = client.get("/en/accounts/requests/?kind=residency").content.decode()
    assert application.reference in content
    assert chip.reference not in content


def test_an_unknown_filter_shows_everything_rather_than_an_error(client_of, resident):
    chip = ChipRequestFactory(person=resident)
    response = client_of(resident).get("/en/accounts/requests/?kind=nope&status=%E2%80%AEx")
    assert response.status_code == 200
    assert chip.reference in response.content.decode()


def test_a_filter_that_matches_nothing_says_so(client_of, resident):
    ChipRequestFactory(person=resident)
    content = client_of(resident).get("/en/accounts/requests/?kind=photo").content.decode()
    assert "No request matches these filters." in content


def test_pages_keep_the_filter(client_of, resident):
    for _ in range(11):
        CorrectionRequestFactory(person=resident)
    content = client_of(resident).get("/en/accounts/requests/?kind=correction").content.decode()
    assert 'href="?kind=correction&amp;page=2"' in content


def test_my_requests_costs_the_same_queries_with_every_kind_and_many_rows(
    client_of, resident, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_of(resident)
    ApplicationFactory(person=resident, appointment_booked=True)
    _fill(resident, 1)
    client.get("/en/accounts/requests/")
    with django_assert_max_num_queries(30) as few:
        client.get("/en/accounts/requests/")
    _fill(resident, 15)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/en/accounts/requests/?page=2")
    assert response.status_code == 200


def test_the_old_address_of_my_requests_still_leads_there(client_of):
    client = client_of(PersonFactory())
    response = client.get("/en/e-services/requests/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/requests/?page=2"
