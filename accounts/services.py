"""Writes shared by every app: request references and status transitions."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PortalRequest, ReferenceSequence, StatusChange
from accounts.security_log import security_event


class InvalidTransition(ValidationError):
    """A request was asked to move along an edge its transition table does not have."""


@transaction.atomic
def reference_next(*, prefix: str) -> str:
    """Return the next reference for ``prefix`` this year, e.g. ``ACT-2026-000124``.

    The counter row is locked, so two processes never hand out the same number.
    """
    year = timezone.localdate().year
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(prefix=prefix, year=year)], ignore_conflicts=True
    )
    sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{sequence.last_number:06d}"


def _record(request: PortalRequest, *, from_status: str, actor, note: str) -> StatusChange:
    if actor is not None and actor.is_staff and actor.pk != request.person_id:
        security_event(
            None,
            "staff.decision",
            person=actor,
            subject_person_id=request.person_id,
            object=request._meta.label,
            object_id=request.pk,
            from_status=from_status,
            to_status=request.status,
        )
    return StatusChange.objects.create(
        content_type=ContentType.objects.get_for_model(request),
        object_id=request.pk,
        reference=request.reference,
        from_status=from_status,
        to_status=request.status,
        actor=actor,
        note=note,
    )


@transaction.atomic
def request_create(request: PortalRequest, *, actor=None, note: str = "") -> PortalRequest:
    """Give an unsaved request its reference and initial status, save it and
    record the first history line."""
    request.reference = reference_next(prefix=type(request).REFERENCE_PREFIX)
    request.status = type(request).INITIAL_STATUS
    request.save()
    _record(request, from_status="", actor=actor, note=note)
    return request


@transaction.atomic
def request_transition(
    request: PortalRequest, *, to: str, actor=None, note: str = "", update_fields=()
) -> PortalRequest:
    """Move ``request`` to ``to`` if its transition table allows it.

    The row is re-read under a lock first, so two staff members deciding at
    once serialise: the second sees the first one's status and is refused.
    Raises ``InvalidTransition`` and changes nothing when the move is not allowed.
    """
    model = type(request)
    current = model.objects.select_for_update().only("status").get(pk=request.pk).status
    if to not in model.TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("This request is %(status)s and can no longer be changed that way."),
            code="invalid_transition",
            params={"status": dict(model._meta.get_field("status").choices).get(current, current)},
        )
    request.status = to
    request.save(update_fields=["status", "updated_at", *update_fields])
    _record(request, from_status=current, actor=actor, note=note)
    return request


@transaction.atomic
def request_event(request: PortalRequest, *, actor=None, note: str = "") -> StatusChange:
    """Record something that happened to ``request`` without moving it (an appointment
    moved to another time): a history line from its status to the same status.

    The caller holds the row lock and has checked the state; the transition
    table is not consulted, because nothing moves.
    """
    request.save(update_fields=["updated_at"])
    return _record(request, from_status=request.status, actor=actor, note=note)
