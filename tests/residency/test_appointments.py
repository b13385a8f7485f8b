"""Booking, rescheduling, reminders and the calendar file (PRODUCT.md section 6.5)."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from accounts.models import StatusChange
from messaging.models import Notification
from residency import services
from residency.constants import ApplicationStatus
from residency.models import Appointment, AppointmentSlot
from tests.factories import PersonFactory
from tests.residency.factories import (
    ApplicationFactory,
    AppointmentSlotFactory,
    PublicHolidayFactory,
    ServiceCentreFactory,
)

pytestmark = pytest.mark.django_db
S = ApplicationStatus
QATAR = ZoneInfo("Asia/Qatar")
THURSDAY = datetime.datetime(2026, 6, 18, 10, 0, tzinfo=QATAR)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 6, day, hour, minute, tzinfo=QATAR)


@pytest.fixture
def reviewer():
    return PersonFactory(staff=True)


def approve(application, reviewer, now=THURSDAY):
    with time_machine.travel(now, tick=False):
        services.application_approve(application=application, actor=reviewer, now=now)
    application.refresh_from_db()
    return application


def test_approval_books_the_earliest_slot_at_least_one_working_day_ahead(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    assert application.status == S.APPOINTMENT_BOOKED
    appointment = application.appointment
    # Thursday's approval: Friday and Saturday are off, Sunday is the next working day.
    assert appointment.slot.starts_at == at(21, 8)
    assert appointment.slot.centre == application.preferred_centre
    assert appointment.slot.booked == 1
    assert [c.to_status for c in StatusChange.objects.filter(reference=application.reference)] == [
        S.UNDER_REVIEW,
        S.APPROVED,
        S.APPOINTMENT_BOOKED,
    ]


def test_approval_sends_one_message_with_date_time_and_place(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    (message,) = Notification.objects.filter(person=application.person)
    assert message.template == "residency_appointment_booked"
    assert "approved" in message.body
    assert "08:00" in message.body
    assert "21" in message.body
    assert "June" in message.body
    assert application.preferred_centre.name_en in message.body
    assert message.sms


def test_the_message_is_in_arabic_for_an_arabic_reader(reviewer):
    application = ApplicationFactory(submitted=True, person__preferred_language="ar")
    approve(application, reviewer)
    message = Notification.objects.get(person=application.person)
    assert application.preferred_centre.name_ar in message.body


def test_booking_skips_full_slots_and_public_holidays(reviewer):
    centre = ServiceCentreFactory()
    PublicHolidayFactory(date=datetime.date(2026, 6, 21))
    AppointmentSlotFactory(centre=centre, starts_at=at(22, 8), capacity=2, booked=2)
    application = approve(ApplicationFactory(submitted=True, preferred_centre=centre), reviewer)
    assert application.appointment.slot.starts_at == at(22, 8, 30)


def test_a_slot_is_never_booked_over_capacity(reviewer):
    centre = ServiceCentreFactory(capacity_per_slot=1)
    applications = [ApplicationFactory(submitted=True, preferred_centre=centre) for _ in range(3)]
    for application in applications:
        approve(application, reviewer)
    starts = [Appointment.objects.get(application=a).slot.starts_at for a in applications]
    assert starts == [at(21, 8), at(21, 8, 30), at(22, 8)]
    assert all(slot.booked <= slot.capacity for slot in AppointmentSlot.objects.all())


def test_the_database_refuses_a_booking_over_capacity():
    slot = AppointmentSlotFactory(capacity=1, booked=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentSlot.objects.filter(pk=slot.pk).update(booked=2)


def test_without_a_free_slot_the_application_stays_approved_and_the_person_is_told(
    reviewer, monkeypatch
):
    monkeypatch.setattr("residency.services._slot_take", lambda **kwargs: None)
    application = approve(ApplicationFactory(submitted=True), reviewer)
    assert application.status == S.APPROVED
    assert Notification.objects.get(person=application.person).template == "residency_approved"


def test_the_applicant_reschedules_twice_then_no_more(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    first = application.appointment.slot
    with time_machine.travel(THURSDAY, tick=False):
        services.slots_window_ensure(
            centre=application.preferred_centre,
            days=services.booking_days(today=THURSDAY.date())[:3],
        )
        later = AppointmentSlot.objects.filter(centre=application.preferred_centre).exclude(
            pk=first.pk
        )
        services.appointment_reschedule(
            application=application, actor=application.person, slot_id=later[0].pk, now=THURSDAY
        )
        services.appointment_reschedule(
            application=application, actor=application.person, slot_id=later[1].pk, now=THURSDAY
        )
        with pytest.raises(ValidationError) as error:
            services.appointment_reschedule(
                application=application,
                actor=application.person,
                slot_id=later[2].pk,
                now=THURSDAY,
            )
    assert error.value.code == "reschedule_limit"
    appointment = Appointment.objects.get(application=application)
    assert appointment.reschedules == 2
    assert appointment.slot == later[1]
    first.refresh_from_db()
    assert first.booked == 0
    assert (
        Notification.objects.filter(
            person=application.person, template="residency_appointment_rescheduled"
        ).count()
        == 2
    )


def test_rescheduling_to_a_full_slot_is_refused_and_changes_nothing(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    full = AppointmentSlotFactory(
        centre=application.preferred_centre, starts_at=at(23, 8), capacity=2, booked=2
    )
    with pytest.raises(ValidationError) as error:
        services.appointment_reschedule(
            application=application, actor=application.person, slot_id=full.pk, now=THURSDAY
        )
    assert error.value.code == "slot_full"
    assert Appointment.objects.get(application=application).reschedules == 0


def test_rescheduling_to_today_is_refused(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    today_slot = AppointmentSlotFactory(
        centre=application.preferred_centre, starts_at=at(18, 13), booked=0
    )
    with pytest.raises(ValidationError):
        services.appointment_reschedule(
            application=application,
            actor=application.person,
            slot_id=today_slot.pk,
            now=THURSDAY,
        )


def test_the_clerk_rebooks_a_no_show_without_using_the_applicants_changes(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    clerk = PersonFactory(staff=True)
    monday_after = datetime.datetime(2026, 6, 22, 12, 0, tzinfo=QATAR)
    appointment = services.appointment_rebook(
        application=application, actor=clerk, now=monday_after
    )
    assert appointment.slot.starts_at == at(23, 8)
    assert appointment.reschedules == 0
    change = StatusChange.objects.filter(reference=application.reference).last()
    assert change.actor == clerk
    assert "missed" in change.note


def test_reminders_go_the_day_before_once_per_appointment(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    saturday = datetime.date(2026, 6, 20)
    assert services.appointment_send_reminders(today=datetime.date(2026, 6, 19)) == 0
    assert services.appointment_send_reminders(today=saturday) == 1
    assert services.appointment_send_reminders(today=saturday) == 0
    call_command("residency_send_reminders", "--today", "2026-06-20")
    reminders = Notification.objects.filter(
        person=application.person, template="residency_appointment_reminder"
    )
    assert reminders.count() == 1
    assert "tomorrow" in reminders.get().body


def test_a_rescheduled_appointment_gets_a_new_reminder(reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    assert services.appointment_send_reminders(today=datetime.date(2026, 6, 20)) == 1
    later = AppointmentSlotFactory(
        centre=application.preferred_centre, starts_at=at(24, 8), booked=0
    )
    services.appointment_reschedule(
        application=application, actor=application.person, slot_id=later.pk, now=THURSDAY
    )
    assert services.appointment_send_reminders(today=datetime.date(2026, 6, 23)) == 1


def test_the_appointment_page_and_calendar_file(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    client.force_login(application.person)
    with translation.override("ar"):
        page = client.get(reverse("residency:appointment", args=[application.reference]))
    assert application.preferred_centre.name_ar in page.content.decode()
    with translation.override("en"):
        page = client.get(reverse("residency:appointment", args=[application.reference]))
        ics_url = reverse("residency:appointment_ics", args=[application.reference])
    content = page.content.decode()
    assert "Download calendar file" in content
    assert application.preferred_centre.name_en in content
    assert "08:00" in content
    response = client.get(ics_url)
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == at(21, 8)
    assert event.decoded("dtend") == at(21, 8, 30)
    assert application.reference in str(event["summary"])


def test_another_person_cannot_see_the_appointment(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    client.force_login(PersonFactory(resident=True))
    for name in ("appointment", "appointment_ics", "reschedule", "status"):
        assert (
            client.get(reverse(f"residency:{name}", args=[application.reference])).status_code
            == 404
        )


def _picker(client, application):
    client.force_login(application.person)
    return reverse("residency:reschedule", args=[application.reference])


def test_the_picker_lists_open_centres_with_their_next_free_day(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    other = ServiceCentreFactory(name_en="Al Rayyan Service Centre")
    ServiceCentreFactory(name_en="Closed Centre", is_active=False)
    url = _picker(client, application)
    with time_machine.travel(THURSDAY, tick=False):
        content = client.get(url).content.decode()
    assert application.preferred_centre.name_en in content
    assert f'href="?centre={other.pk}"' in content
    assert "Next free day: Sunday 21 June" in content
    assert "Closed Centre" not in content
    assert "Your current centre" in content
    assert 'type="radio"' not in content


def test_the_picker_offers_no_holiday_and_no_weekend(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    PublicHolidayFactory(date=datetime.date(2026, 6, 22))
    url = _picker(client, application)
    centre = application.preferred_centre
    with time_machine.travel(THURSDAY, tick=False):
        content = client.get(f"{url}?centre={centre.pk}").content.decode()
    assert "day=2026-06-21" in content
    assert "day=2026-06-22" not in content  # the holiday
    assert "day=2026-06-19" not in content
    assert "day=2026-06-20" not in content
    assert "day=2026-06-23" in content


def test_a_holiday_added_after_its_slots_existed_is_not_offered(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    centre = application.preferred_centre
    url = _picker(client, application)
    day_url = f"{url}?centre={centre.pk}&day=2026-06-23"
    with time_machine.travel(THURSDAY, tick=False):
        slot_id = client.get(day_url).context["form"].fields["slot"].choices[-1][0]
        PublicHolidayFactory(date=datetime.date(2026, 6, 23))
        content = client.get(f"{url}?centre={centre.pk}").content.decode()
        times = client.get(day_url).content.decode()
        refused = client.post(day_url, {"slot": slot_id})
        with pytest.raises(ValidationError):
            services.appointment_reschedule(
                application=application, actor=application.person, slot_id=slot_id
            )
    assert "day=2026-06-23" not in content
    assert 'type="radio"' not in times
    assert refused.status_code == 302
    assert refused["Location"] == url
    assert Appointment.objects.get(application=application).reschedules == 0


def test_the_picker_shows_a_days_free_times_and_moves_the_appointment(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    centre = application.preferred_centre
    url = _picker(client, application)
    with time_machine.travel(THURSDAY, tick=False):
        page = client.get(f"{url}?centre={centre.pk}&day=2026-06-23")
        slots = page.context["form"].fields["slot"].choices
        assert slots[0][1] == "08:00–08:30"
        response = client.post(f"{url}?centre={centre.pk}&day=2026-06-23", {"slot": slots[0][0]})
    assert response.status_code == 302
    appointment = Appointment.objects.get(application=application)
    assert appointment.reschedules == 1
    assert appointment.slot.starts_at == at(23, 8)


def test_the_person_may_move_to_another_centre(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    other = ServiceCentreFactory()
    old_slot = application.appointment.slot
    url = _picker(client, application)
    with time_machine.travel(THURSDAY, tick=False):
        page = client.get(f"{url}?centre={other.pk}&day=2026-06-21")
        slot_id = page.context["form"].fields["slot"].choices[1][0]
        client.post(f"{url}?centre={other.pk}&day=2026-06-21", {"slot": slot_id})
    appointment = Appointment.objects.get(application=application)
    assert appointment.slot.centre == other
    old_slot.refresh_from_db()
    assert old_slot.booked == 0


def test_one_day_of_times_not_the_whole_fortnight(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    centre = application.preferred_centre
    url = _picker(client, application)
    with time_machine.travel(THURSDAY, tick=False):
        content = client.get(f"{url}?centre={centre.pk}&day=2026-06-23").content.decode()
    per_day = (centre.closes_at.hour - centre.opens_at.hour) * 60 // centre.slot_minutes
    assert content.count('type="radio"') == per_day


def test_the_reschedule_page_rejects_nonsense_without_an_error_page(client, reviewer):
    application = approve(ApplicationFactory(submitted=True), reviewer)
    centre = application.preferred_centre
    url = _picker(client, application)
    day_url = f"{url}?centre={centre.pk}&day=2026-06-23"
    with time_machine.travel(THURSDAY, tick=False):
        assert client.post(day_url, {"slot": "not-a-number"}).status_code == 400
        assert client.post(day_url, {"slot": "999999"}).status_code == 400
        assert client.get(f"{url}?centre=abc&day=nonsense").status_code == 200
        assert client.get(f"{url}?centre={centre.pk}&day=2030-01-01").status_code == 200
        assert client.post(url, {"slot": "1"}).status_code == 302
