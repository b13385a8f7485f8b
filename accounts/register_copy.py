"""The register import's write step on PostgreSQL: COPY and set-based SQL.

``accounts.register_import`` checks every row in Python (rules that need
Python: QID layout, mobile numbers, dates, choices, duplicates in the file)
and stages each clean row in COPY text format in a spooled temporary file.
This module loads the staged rows into a temporary table with one COPY and
then, inside the caller's transaction:

1. checks the rules that depend on what the register already holds, in two
   queries over the whole file (a card number registered to another person,
   a second valid card of one kind), and stops at any error;
2. updates the people and cards whose values changed and inserts the new
   ones, each as one statement that also writes the change history
   (django-simple-history's tables, as ``bulk_*_with_history`` would).

Row by row ORM writes ran at about 1,200 rows a second; this is several times
faster and its memory does not grow with the file (see bench/README.md).
"""

# Identifiers in the SQL below come from model metadata and constants, never
# from the file; every value from the file travels by COPY or as a parameter.
# ruff: noqa: S608

from typing import IO

from django.db import connection
from django.db.models import DateField
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import CardStatus
from accounts.models import Person, SmartCard

STAGING = "register_import_staging"
# The register's columns about a person, with their COPY types; each feeds the
# Person field of its name.
PERSON_STAGED = tuple(
    (name, "date" if isinstance(Person._meta.get_field(name), DateField) else "text")
    for name in Person.REGISTER_FIELDS
)
# Staged columns, in COPY order; the names of the Person and SmartCard fields
# they feed are in PERSON_COLUMNS and CARD_COLUMNS.
STAGED = (
    ("line", "integer"),
    ("qid", "varchar(11)"),
    *PERSON_STAGED,
    ("card_number", "text"),
    ("card_kind", "text"),
    ("card_issued_on", "date"),
    ("card_expires_on", "date"),
    ("card_status", "text"),
    ("chip_status", "text"),
    ("password", "text"),
)
PERSON_COLUMNS = {name: name for name in Person.REGISTER_FIELDS}
CARD_COLUMNS = {
    "kind": "card_kind",
    "issued_on": "card_issued_on",
    "expires_on": "card_expires_on",
    "status": "card_status",
    "chip_status": "chip_status",
}
# A registered mobile changes through accounts.changes alone: the import only
# fills an empty one.
KEPT = {(Person, "mobile"): "CASE WHEN t.mobile <> '' THEN t.mobile ELSE s.mobile END"}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A value escaped for COPY text format."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


class Counts:
    def __init__(self):
        self.people_created = self.people_updated = 0
        self.cards_created = self.cards_updated = 0


def load_and_check(staged: IO[bytes], add_error) -> bool:
    """COPY the staged rows into a temporary table; report register conflicts.

    Returns whether the file may be written. Runs inside the caller's transaction.
    """
    staged.seek(0)
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGED)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGING} ({columns}) ON COMMIT DROP")
        cursor.copy_expert(f"COPY {STAGING} FROM STDIN", staged)
        cursor.execute(f"CREATE INDEX ON {STAGING} (card_number)")
        cursor.execute(f"CREATE INDEX ON {STAGING} (qid)")
        cursor.execute(f"ANALYZE {STAGING}")
        ok = True
        cursor.execute(
            f"""SELECT s.line, s.card_number FROM {STAGING} s
                JOIN accounts_smartcard c ON c.number = s.card_number
                JOIN accounts_person p ON p.id = c.person_id
                WHERE p.qid <> s.qid ORDER BY s.line"""
        )
        for line, number in cursor.fetchall():
            ok = False
            add_error(
                line, "card_number", number, _("This card number is registered to another person.")
            )
        cursor.execute(
            f"""SELECT s.line, s.card_status, c.number FROM {STAGING} s
                JOIN accounts_person p ON p.qid = s.qid
                JOIN accounts_smartcard c ON c.person_id = p.id
                WHERE s.card_status = %s AND c.status = %s AND c.kind = s.card_kind
                  AND NOT EXISTS (SELECT 1 FROM {STAGING} o WHERE o.card_number = c.number)
                ORDER BY s.line""",
            [CardStatus.VALID, CardStatus.VALID],
        )
        for line, status, number in cursor.fetchall():
            ok = False
            add_error(
                line,
                "card_status",
                status,
                _("This person already has another valid card of this kind (%(number)s).")
                % {"number": number},
            )
    return ok


def write(*, actor: Person | None, reason: str) -> Counts:
    """Upsert people by QID and cards by number from the staged rows, with history."""
    counts = Counts()
    now = timezone.now()
    history = (now, reason, actor.pk if actor else None)
    with connection.cursor() as cursor:
        counts.people_updated = _update(cursor, Person, "qid", "qid", PERSON_COLUMNS, history)
        counts.people_created = _insert_people(cursor, now, history)
        # Changed cards first: a card that stops being valid makes room for a new valid one.
        counts.cards_updated = _update(
            cursor, SmartCard, "number", "card_number", CARD_COLUMNS, history
        )
        counts.cards_created = _insert_cards(cursor, history)
    return counts


def _history_insert(model, history_type: str, source: str) -> tuple[str, list]:
    """``INSERT INTO`` the model's history table ``SELECT`` from ``source`` (a CTE of rows)."""
    historical = model.history.model
    columns, values = [], []
    tracked = {field.column for field in model._meta.concrete_fields}
    for field in historical._meta.concrete_fields:
        if field.column == "history_id":
            continue
        columns.append(field.column)
        if field.column in tracked:
            values.append(f"{source}.{field.column}")
        elif field.column in {"history_date", "history_change_reason"}:
            values.append("%s")
        elif field.column == "history_type":
            values.append(f"'{history_type}'")
        elif field.column == "history_user_id":
            values.append("%s")
        else:
            raise LookupError(f"No value for {historical.__name__}.{field.column}")
    statement = (
        f"INSERT INTO {historical._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )
    return statement, columns


def _history_params(columns, history) -> list:
    date, reason, user = history
    by_column = {"history_date": date, "history_change_reason": reason, "history_user_id": user}
    return [by_column[c] for c in columns if c in by_column]


def _update(cursor, model, key, staged_key, columns: dict[str, str], history) -> int:
    table = model._meta.db_table
    values = {field: KEPT.get((model, field), f"s.{staged}") for field, staged in columns.items()}
    assignments = ", ".join(f"{field} = {value}" for field, value in values.items())
    current = ", ".join(f"t.{field}" for field in columns)
    incoming = ", ".join(values.values())
    insert, history_columns = _history_insert(model, "~", "changed")
    cursor.execute(
        f"""WITH changed AS (
                UPDATE {table} t SET {assignments} FROM {STAGING} s
                WHERE t.{key} = s.{staged_key} AND ({current}) IS DISTINCT FROM ({incoming})
                RETURNING t.*
            ) {insert}""",
        _history_params(history_columns, history),
    )
    return cursor.rowcount


def _defaults(model, given: set[str], now) -> dict[str, object]:
    """Column values for the fields the file does not set, from the model's defaults."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        default = now if field.default is timezone.now else field.get_default()
        values[field.column] = field.get_db_prep_save(default, connection)
    return values


def _insert_people(cursor, now, history) -> int:
    given = {"qid", "password", *PERSON_COLUMNS}
    defaults = _defaults(Person, given, now)
    columns = ["qid", "password", *PERSON_COLUMNS, *defaults]
    selected = ["s.qid", "s.password", *(f"s.{c}" for c in PERSON_COLUMNS.values())]
    selected += ["%s"] * len(defaults)
    insert, history_columns = _history_insert(Person, "+", "created")
    cursor.execute(
        f"""WITH created AS (
                INSERT INTO {Person._meta.db_table} ({", ".join(columns)})
                SELECT {", ".join(selected)} FROM {STAGING} s
                WHERE NOT EXISTS (SELECT 1 FROM {Person._meta.db_table} p WHERE p.qid = s.qid)
                ORDER BY s.line
                RETURNING *
            ) {insert}""",
        [*defaults.values(), *_history_params(history_columns, history)],
    )
    return cursor.rowcount


def _insert_cards(cursor, history) -> int:
    table = SmartCard._meta.db_table
    columns = ["person_id", "number", *CARD_COLUMNS]
    selected = ["p.id", "s.card_number", *(f"s.{c}" for c in CARD_COLUMNS.values())]
    insert, history_columns = _history_insert(SmartCard, "+", "created")
    cursor.execute(
        f"""WITH created AS (
                INSERT INTO {table} ({", ".join(columns)})
                SELECT {", ".join(selected)} FROM {STAGING} s
                JOIN {Person._meta.db_table} p ON p.qid = s.qid
                WHERE NOT EXISTS (SELECT 1 FROM {table} c WHERE c.number = s.card_number)
                ORDER BY s.line
                RETURNING *
            ) {insert}""",
        _history_params(history_columns, history),
    )
    return cursor.rowcount
