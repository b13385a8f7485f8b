"""Reads of the permanent residency workflow: drafts, status pages, queue, free slots."""

import datetime
import functools
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, Min, Q, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Person, StatusChange
from residency.constants import (
    CLOSED_STATUSES,
    ApplicationStatus,
    AppointmentState,
    Step,
)
from residency.eligibility import declaration_years
from residency.models import (
    Application,
    Appointment,
    AppointmentSlot,
    Document,
    ServiceCentre,
)
from residency.workdays import day_bounds

S = ApplicationStatus
# Notes on these moves are written for the applicant to read.
REVIEWER_MESSAGE_STATUSES = (S.MORE_INFO_REQUESTED, S.REJECTED, S.APPROVED)


def application_steps(application: Application | None) -> list[str]:
    """The form's pages for this application; the residence page only for residence bases."""
    steps = list(Step.values)
    if application is None or not application.needs_residence_history:
        steps.remove(Step.RESIDENCE)
    return steps


def application_missing_steps(
    application: Application, *, today: datetime.date | None = None
) -> list[str]:
    """The pages whose answers the draft still lacks, in form order."""
    today = today or timezone.localdate()
    current = documents_current(application)
    done = {
        Step.PERSONAL: True,
        Step.BASIS: bool(application.basis),
        Step.RESIDENCE: all(
            str(year) in application.days_abroad
            for year in declaration_years(basis=application.basis, today=today)
        ),
        Step.EMPLOYMENT: bool(application.employer and application.occupation)
        and application.monthly_income is not None,
        Step.CENTRE: application.preferred_centre_id is not None,
        Step.DOCUMENTS: bool(application.basis)
        and all(kind in current for kind in application.required_document_kinds),
        Step.REVIEW: True,
        Step.DECLARATION: application.declared_at is not None,
    }
    return [step for step in application_steps(application) if not done[step]]


def application_next_step(application: Application) -> str:
    """Where a returning applicant resumes: the first unanswered page, else the review."""
    missing = [step for step in application_missing_steps(application) if step != Step.DECLARATION]
    return missing[0] if missing else Step.REVIEW


def application_open_for(*, person: Person) -> Application | None:
    return (
        Application.objects.filter(person=person).open().select_related("preferred_centre").first()
    )


def application_open_among(applications: list[Application]) -> Application | None:
    """The open one of a person's ``applications``, without a query (a person has at most one)."""
    return next((a for a in applications if a.status not in CLOSED_STATUSES), None)


def application_draft_for(*, person: Person) -> Application | None:
    return (
        Application.objects.filter(person=person, status=S.DRAFT)
        .select_related("preferred_centre", "person")
        .first()
    )


def applications_for(*, person: Person) -> QuerySet[Application]:
    return Application.objects.filter(person=person).order_by("-created_at", "-pk")


def application_get(*, reference: str) -> Application | None:
    """An application by reference; whom it is shown to is ``residency.policies``' call."""
    return (
        Application.objects.select_related("preferred_centre", "person")
        .filter(reference=reference)
        .first()
    )


def application_timeline(application: Application) -> list[StatusChange]:
    """Every recorded move, oldest first, each with ``to_label`` for display."""
    changes = list(
        StatusChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Application),
            object_id=application.pk,
        ).order_by("created_at", "pk")
    )
    labels = dict(ApplicationStatus.choices)
    for change in changes:
        change.to_label = labels.get(change.to_status, change.to_status)
    return changes


def reviewer_messages(timeline: list[StatusChange]) -> list[StatusChange]:
    return [
        change
        for change in timeline
        if change.to_status in REVIEWER_MESSAGE_STATUSES and change.note
    ]


def documents_current(application: Application) -> dict[str, Document]:
    if application.pk is None:
        return {}
    return {
        document.kind: document
        for document in Document.objects.filter(application=application, is_current=True)
    }


def documents_all(application: Application) -> list[Document]:
    """Every version, newest first within each kind."""
    return list(Document.objects.filter(application=application).order_by("kind", "-version"))


def document_get(*, document_id: int) -> Document | None:
    """A document with its application; who may see it is ``residency.policies``' call."""
    return Document.objects.select_related("application").filter(pk=document_id).first()


def appointment_of(application: Application) -> Appointment | None:
    return (
        Appointment.objects.filter(application=application).select_related("slot__centre").first()
    )


def slots_free(
    *, centre_id: int, days: list[datetime.date], exclude_slot_id: int | None = None
) -> list[AppointmentSlot]:
    """Free slots at a centre on ``days``, earliest first."""
    return list(
        AppointmentSlot.objects.filter(
            _days_q(days),
            centre_id=centre_id,
            booked__lt=F("capacity"),
        )
        .exclude(pk=exclude_slot_id)
        .select_related("centre")
        .order_by("starts_at")
    )


def appointment_history_rows(person: Person) -> QuerySet:
    """The person's appointments as "My requests" rows, dated by the appointment time."""
    return _appointment_history_every_row().filter(application__person=person)


@functools.cache
def _appointment_history_every_row() -> QuerySet:
    # Built once per process: each request only adds its person to a copy.
    return (
        Appointment.objects.order_by()
        .annotate(
            reference=F("application__reference"),
            kind=Value("appointment", output_field=CharField()),
            status=Case(
                When(collected_at__isnull=False, then=Value(AppointmentState.COLLECTED)),
                default=Value(AppointmentState.BOOKED),
                output_field=CharField(),
            ),
            at=F("slot__starts_at"),
        )
        .values_list("reference", "kind", "status", "at")
    )


def _days_q(days: list[datetime.date]) -> Q:
    """Half-open ranges of whole local days, so the index on ``starts_at`` is used."""
    query = Q(pk__in=[])
    for day in days:
        start, end = day_bounds(day)
        query |= Q(starts_at__gte=start, starts_at__lt=end)
    return query


@dataclass(frozen=True)
class CentreAvailability:
    centre: ServiceCentre
    next_free: datetime.datetime | None


def centres_next_free(*, days: list[datetime.date]) -> list[CentreAvailability]:
    """Every open service centre with its earliest free time on ``days`` (two queries)."""
    centres = list(ServiceCentre.objects.filter(is_active=True).order_by("name_en"))
    first_free = dict(
        AppointmentSlot.objects.filter(_days_q(days), centre__in=centres, booked__lt=F("capacity"))
        .values("centre")
        .annotate(first=Min("starts_at"))
        .values_list("centre", "first")
    )
    return [CentreAvailability(centre, first_free.get(centre.pk)) for centre in centres]


def centre_free_days(*, centre_id: int, days: list[datetime.date]) -> list[tuple]:
    """The days of ``days`` with a free time at the centre, each with how many are free."""
    counts = Counter(
        timezone.localdate(starts_at)
        for starts_at in AppointmentSlot.objects.filter(
            _days_q(days), centre_id=centre_id, booked__lt=F("capacity")
        ).values_list("starts_at", flat=True)
    )
    return [(day, counts[day]) for day in days if counts[day]]
