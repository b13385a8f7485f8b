"""Admin lists and searches that stay fast on a register the size of the country.

Django admin counts every list in full (``SELECT COUNT(*)``) and searches
with ``icontains`` on every search field joined by ``OR``: on millions of
rows both read the whole table. Here:

- ``EstimatedCountPaginator`` takes the planner's row estimate for an
  unfiltered list of a big table, and counts exactly when a filter or search
  narrows the list (those counts use indexes);
- ``IndexedSearchMixin`` sends each kind of search term to the one lookup an
  index serves: an 11-digit QID and a request reference match exactly (the
  unique indexes), other digits match as a prefix of the QID (its
  ``varchar_pattern_ops`` index), and anything else is part of a name, matched
  with ``icontains`` that the trigram indexes of migration
  ``accounts.0009_name_search_indexes`` serve on PostgreSQL.
"""

import re

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.utils.functional import cached_property

from accounts.validators import normalize_qid

# Below this many rows an exact count is cheap and the estimate would show.
ESTIMATE_FROM = 50_000
_REFERENCE = re.compile(r"^[A-Za-z]{2,4}-\d{4}-\d{1,6}$")


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.distinct:
            estimate = _estimated_rows(queryset.db, queryset.model._meta.db_table)
            if estimate >= ESTIMATE_FROM:
                return estimate
        return super().count


def _estimated_rows(alias: str, table: str) -> int:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return max(int(row[0]), 0) if row and row[0] is not None else 0


class IndexedSearchMixin:
    """For a ``ModelAdmin``: QID, reference and name searches that use indexes.

    ``qid_field`` is ``"qid"`` or ``"person__qid"``; ``reference_field`` the
    request reference (or ``None``); ``number_fields`` other unique numbers
    (a card number) matched exactly when the term is digits; ``name_fields``
    are matched by part and ``exact_fields`` (a provider id) exactly, for any
    other term. Every field named must be indexed for its lookup.
    """

    show_full_result_count = False
    paginator = EstimatedCountPaginator
    qid_field = "person__qid"
    reference_field: str | None = None
    number_fields: tuple[str, ...] = ()
    name_fields: tuple[str, ...] = ("person__name_en", "person__name_ar")
    exact_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        return queryset.filter(self.search_condition(term)), False

    def search_condition(self, term: str) -> Q:
        digits = normalize_qid(term)
        if digits.isdigit():
            if len(digits) == 11:
                condition = Q(**{self.qid_field: digits})
            else:
                condition = Q(**{f"{self.qid_field}__startswith": digits})
            for field in self.number_fields:
                condition |= Q(**{field: digits})
            return condition
        if self.reference_field and _REFERENCE.match(term):
            return Q(**{self.reference_field: term.upper()})
        condition = Q(pk__in=[])
        for field in self.name_fields:
            condition |= Q(**{f"{field}__icontains": term})
        for field in self.exact_fields:
            condition |= Q(**{field: term})
        return condition
