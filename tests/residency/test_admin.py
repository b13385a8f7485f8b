"""The back office: the reviewers' queue and decisions, the clerks' collection desk."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from accounts.constants import CardKind, CardStatus
from accounts.models import SmartCard
from messaging.models import Notification
from residency.constants import ApplicationStatus
from residency.models import PublicHoliday
from tests.factories import PersonFactory, SmartCardFactory
from tests.residency.factories import ApplicationFactory

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def admin_url(name, *args):
    with translation.override("en"):
        return reverse(f"admin:residency_application_{name}", args=args)


def staff_in(group_name):
    person = PersonFactory(staff=True)
    person.groups.add(Group.objects.get(name=group_name))
    return person


@pytest.fixture
def reviewer(client):
    person = staff_in("Residency reviewer")
    client.force_login(person)
    return person


@pytest.fixture
def clerk(client):
    person = staff_in("Service-centre clerk")
    client.force_login(person)
    return person


def test_the_queue_lists_the_most_urgent_first(client, reviewer, django_assert_max_num_queries):
    later = ApplicationFactory(submitted=True)
    overdue = ApplicationFactory(overdue=True)
    with django_assert_max_num_queries(12):
        response = client.get(admin_url("changelist"))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows[:2] == [overdue, later]


@pytest.mark.parametrize(("due", "expected"), [("overdue", ["overdue"]), ("later", ["later"])])
def test_the_queue_filters_due_and_overdue(client, reviewer, due, expected):
    made = {
        "overdue": ApplicationFactory(overdue=True),
        "later": ApplicationFactory(submitted=True),
        "decided": ApplicationFactory(rejected=True, decision_due_on=timezone.localdate()),
    }
    response = client.get(admin_url("changelist"), {"due": due})
    assert list(response.context["cl"].result_list) == [made[name] for name in expected]


def test_the_status_cannot_be_edited_in_admin(client, reviewer):
    application = ApplicationFactory(submitted=True)
    page = client.get(admin_url("change", application.pk))
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    client.post(admin_url("change", application.pk), {"status": S.APPROVED})
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_reviewer_approves_through_the_service(client, reviewer):
    application = ApplicationFactory(submitted=True, documents=True)
    page = client.get(admin_url("decide", application.pk))
    assert page.status_code == 200
    assert "/residency/documents/" in page.content.decode()
    response = client.post(admin_url("decide", application.pk), {"decision": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED
    assert application.history.filter(to_status=S.APPROVED, actor=reviewer).exists()


def test_a_rejection_needs_a_reason(client, reviewer):
    application = ApplicationFactory(submitted=True)
    response = client.post(admin_url("decide", application.pk), {"decision": "reject"})
    assert response.status_code == 200
    assert "message" in response.context["form"].errors
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_late_second_decision_is_told_it_lost(client, reviewer):
    application = ApplicationFactory(rejected=True)
    response = client.post(
        admin_url("decide", application.pk), {"decision": "approve"}, follow=True
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "not recorded" in text
    assert "Rejected" in text
    application.refresh_from_db()
    assert application.status == S.REJECTED


def test_staff_without_the_reviewer_permission_cannot_decide(client):
    client.force_login(PersonFactory(staff=True))
    application = ApplicationFactory(submitted=True)
    assert client.post(
        admin_url("decide", application.pk), {"decision": "approve"}
    ).status_code in (
        302,
        403,
    )
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_clerk_cannot_decide(client, clerk):
    application = ApplicationFactory(submitted=True)
    response = client.post(admin_url("decide", application.pk), {"decision": "approve"})
    assert response.status_code == 403


def test_the_clerk_records_collection_and_the_card_is_issued(client, clerk):
    application = ApplicationFactory(appointment_booked=True, card_fee_paid=True)
    response = client.post(admin_url("collect", application.pk), {"card_number": "PR0012345"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.CARD_ISSUED
    card = SmartCard.objects.get(number="PR0012345")
    assert card.person == application.person
    assert card.kind == CardKind.PERMANENT_RESIDENCY
    assert card.status == CardStatus.VALID
    assert card.issued_on == timezone.localdate()
    assert application.appointment.__class__.objects.get(pk=application.appointment.pk).collected_at
    assert Notification.objects.filter(
        person=application.person, template="residency_card_issued"
    ).exists()


def test_collection_refuses_a_duplicate_card_number(client, clerk):
    SmartCardFactory(number="PR0099999")
    application = ApplicationFactory(appointment_booked=True, card_fee_paid=True)
    response = client.post(admin_url("collect", application.pk), {"card_number": "PR0099999"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED


def test_one_valid_permanent_residency_card_per_person(client, clerk):
    application = ApplicationFactory(appointment_booked=True, card_fee_paid=True)
    SmartCardFactory(person=application.person, kind=CardKind.PERMANENT_RESIDENCY)
    response = client.post(admin_url("collect", application.pk), {"card_number": "PR0000001"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == S.APPOINTMENT_BOOKED
    assert not SmartCard.objects.filter(number="PR0000001").exists()


def test_the_clerk_rebooks_a_no_show(client, clerk):
    application = ApplicationFactory(appointment_booked=True)
    old_slot = application.appointment.slot
    response = client.post(admin_url("rebook", application.pk))
    assert response.status_code == 302
    application.appointment.refresh_from_db()
    assert application.appointment.slot != old_slot
    assert application.appointment.slot.starts_at.date() > timezone.localdate()


def test_a_reviewer_cannot_record_collection(client, reviewer):
    application = ApplicationFactory(appointment_booked=True)
    assert (
        client.post(admin_url("collect", application.pk), {"card_number": "X1"}).status_code == 403
    )


def test_start_review_action(client, reviewer):
    application = ApplicationFactory(submitted=True)
    client.post(
        admin_url("changelist"),
        {"action": "start_review", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_holidays_are_imported_from_the_qatar_calendar():

    call_command("residency_import_holidays", "2026")
    national_day = PublicHoliday.objects.get(date=datetime.date(2026, 12, 18))
    assert national_day.name_en == "Qatar National Day"
    assert national_day.name_ar == "اليوم الوطني لقطر"
    national_day.name_en = "National Day (edited)"
    national_day.save()
    call_command("residency_import_holidays", "2026")
    national_day.refresh_from_db()
    assert national_day.name_en == "National Day (edited)"


def test_the_reviewer_sees_income_in_riyals_and_days_abroad_as_a_table(client, reviewer):
    application = ApplicationFactory(
        submitted=True, monthly_income=18500, days_abroad={"2024": 21, "2025": 3}
    )
    html = client.get(admin_url("change", application.pk)).content.decode()
    assert "QAR 18,500" in html
    assert '<table class="days-abroad">' in html
    assert "<th scope='row'>2025</th><td>3</td>" in html
    assert '{"2024"' not in html
    assert "&quot;2024&quot;" not in html


def test_the_queue_has_few_columns_and_times_in_qatar_time(client, reviewer):
    application = ApplicationFactory(submitted=True)
    application.submitted_at = datetime.datetime(2026, 3, 1, 6, 30, tzinfo=datetime.UTC)
    application.save(update_fields=["submitted_at"])
    response = client.get(admin_url("changelist"))
    assert len(response.context["cl"].list_display) <= 5
    page = client.get(admin_url("change", application.pk)).content.decode()
    assert "1 March 2026, 09:30" in page
