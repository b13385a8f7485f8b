"""What a request's transition table says beyond its edges.

Each request model has one ``TRANSITIONS`` table (``{from: {to, ...}}``).
The status sets that pages, admin filters, querysets and check constraints
need (which states are closed, from which a request may be withdrawn, which
come after a submission) are read off that table here, so changing an edge
changes every one of them at once.
"""

from collections.abc import Iterable, Mapping

from django.db.models import Q

Table = Mapping[str, Iterable[str]]


def open_statuses(table: Table) -> frozenset[str]:
    """The states a request can still leave."""
    return frozenset(status for status, targets in table.items() if targets)


def closed_statuses(table: Table, statuses: Iterable[str]) -> frozenset[str]:
    """The states of ``statuses`` with no way out: the request is finished."""
    return frozenset(statuses) - open_statuses(table)


def sources(table: Table, *targets: str) -> frozenset[str]:
    """The states with a transition to any of ``targets``."""
    wanted = set(targets)
    return frozenset(status for status, moves in table.items() if wanted & set(moves))


def reachable(table: Table, starts: Iterable[str], *, avoiding: Iterable[str] = ()) -> frozenset:
    """``starts`` and every state reachable from them without entering ``avoiding``."""
    blocked = set(avoiding)
    seen = set(starts) - blocked
    pending = list(seen)
    while pending:
        for target in table.get(pending.pop(), ()):
            if target not in seen and target not in blocked:
                seen.add(target)
                pending.append(target)
    return frozenset(seen)


def status_q(statuses: Iterable[str], *, field: str = "status") -> Q:
    """A filter on ``statuses`` in a stable order (a single state is a plain equality),
    so queries, partial indexes and constraints built from one set spell it the same."""
    values = tuple(sorted(statuses))
    if len(values) == 1:
        return Q(**{field: values[0]})
    return Q(**{f"{field}__in": values})
