"""One history of every request a person made, whatever app handles it (PRODUCT.md 11).

``accounts`` knows no domain app. Each app registers its kinds of request in
its ``AppConfig.ready()``: a kind, its label, the status choices and a
function returning the person's rows as ``(reference, kind, status,
created_at)``. The page is one UNION of those rows, so it costs the same few
queries however many requests the person has.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import CharField, QuerySet, Value

from accounts.models import Person, StatusChange

HISTORY_PAGE_SIZE = 10


@dataclass(frozen=True)
class HistorySource:
    kind: str
    label: str
    statuses: type
    rows: Callable[[Person], QuerySet]
    # The status changes of a row are those recorded under its reference; a
    # kind that shares its reference with another (an appointment and its
    # application) keeps only the changes to these statuses.
    only_changes_to: frozenset[str] | None = None


_SOURCES: dict[str, HistorySource] = {}


def history_source_register(source: HistorySource) -> None:
    _SOURCES[source.kind] = source


def history_sources() -> list[HistorySource]:
    return list(_SOURCES.values())


def request_rows(model, kind: str) -> Callable[[Person], QuerySet]:
    """The usual source: a ``PortalRequest`` model's own reference, status and date."""

    @functools.cache
    def every_row() -> QuerySet:
        # Built once per process: each request only adds its person to a copy.
        return (
            model.objects.order_by()
            .annotate(request_kind=Value(kind, output_field=CharField()))
            .values_list("reference", "request_kind", "status", "created_at")
        )

    def rows(person: Person) -> QuerySet:
        return every_row().filter(person=person)

    return rows


def status_label(kind: str, status: str) -> str:
    return dict(_SOURCES[kind].statuses.choices).get(status, status)


def status_choices(kinds: list[str] | None = None) -> list[tuple[str, str]]:
    """Every status a filter can offer, each once, in the order the kinds list them."""
    seen = {}
    for source in history_sources():
        if kinds and source.kind not in kinds:
            continue
        for value, label in source.statuses.choices:
            seen.setdefault(value, label)
    return list(seen.items())


@dataclass(frozen=True)
class HistoryLine:
    created_at: datetime.datetime
    to_label: str
    note: str


@dataclass
class HistoryRow:
    reference: str
    kind: str
    status: str
    created_at: datetime.datetime
    changes: list[HistoryLine] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return _SOURCES[self.kind].label

    @property
    def status_label(self) -> str:
        return status_label(self.kind, self.status)


def request_history_page(
    *, person: Person, page_number=1, kind: str = "", status: str = ""
) -> tuple[Page, list[HistoryRow]]:
    """One page of the person's requests, newest first, with each one's status history.

    Three queries whatever the page size: the count, the page (one UNION of
    every kind's rows) and the status changes of the page's references.
    """
    sources = [source for source in history_sources() if not kind or source.kind == kind]
    if not sources:
        sources = history_sources()
    parts = [source.rows(person) for source in sources]
    if status:
        parts = [part.filter(status=status) for part in parts]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    union = union.order_by("-created_at", "-reference")
    page = Paginator(union, HISTORY_PAGE_SIZE).get_page(page_number)
    # No rows: the page's query would only be built to be found empty.
    rows = [HistoryRow(*values) for values in page.object_list] if page.paginator.count else []
    by_reference: dict[str, list[HistoryRow]] = {}
    for row in rows:
        by_reference.setdefault(row.reference, []).append(row)
    changes = StatusChange.objects.filter(reference__in=by_reference).order_by("created_at", "pk")
    for change in changes:
        for row in by_reference[change.reference]:
            only = _SOURCES[row.kind].only_changes_to
            if only is not None and change.to_status not in only:
                continue
            label = status_label(row.kind, change.to_status)
            row.changes.append(HistoryLine(change.created_at, label, change.note))
    return page, rows
