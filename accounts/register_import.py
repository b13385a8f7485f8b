"""Import the population register from CSV: all rows or none (PRODUCT.md sections 1 and 8).

A register file has one row per person and their current smart card. It is
read twice, streaming, so memory stays bounded whatever the file size (100,000
rows and more):

1. The first pass checks every row on its own (QID layout and its agreement
   with the date of birth and nationality, mobile, ISO dates, choices) and
   finds QIDs and card numbers that appear twice in the file. It keeps only
   the errors and the keys already seen, never the rows, so staff get every bad
   row and field in one report instead of fixing them one at a time.
2. Only a clean file is written, inside one transaction. Rules that depend on
   what the register already holds (a card number registered to another
   person, a second valid card of one kind) are checked there, against the
   rows as they stand inside the transaction; any failure rolls back the lot.
   On PostgreSQL the first pass stages each clean row in a spooled temporary
   file and ``accounts.register_copy`` loads it with COPY and checks and
   writes with set-based SQL. Elsewhere (the SQLite demo) a second pass
   writes in batches with ``bulk_create``/``bulk_update``.

A dry run does both passes and always rolls back, so its counts are exact.
The import gives a mobile number only to people who have none: a registered
mobile changes through ``accounts.changes`` alone.
Tablib-based importers (django-import-export) load the whole file into memory,
hence this streaming importer.
"""

import base64
import csv
import datetime
import functools
import io
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts import register_copy
from accounts.constants import CardKind, CardStatus, ChipStatus, Sex
from accounts.models import Person, SmartCard
from accounts.register_copy import CARD_COLUMNS, PERSON_COLUMNS
from accounts.validators import normalize_qatar_mobile, validate_qid

COLUMNS = (
    "qid",
    "name_ar",
    "name_en",
    "date_of_birth",
    "sex",
    "nationality",
    "mobile",
    "card_number",
    "card_kind",
    "card_issued_on",
    "card_expires_on",
    "card_status",
    "chip_status",
)
# A person and a card stand once in a register file: a second row with the
# same key is an error, reported against the line of the first.
UNIQUE_IN_FILE = {
    "qid": gettext_lazy("This Qatar ID number already appears on line %(line)d."),
    "card_number": gettext_lazy("This card number already appears on line %(line)d."),
}
BATCH_SIZE = 2000
# Staged rows stay in memory up to this size, then spill to a temporary file.
STAGING_MEMORY = 8 * 2**20
# A file of the wrong kind fails on every row; past this many errors the
# report already says what is wrong and collecting more only costs memory.
MAX_ERRORS = 100_000
MAX_VALUE_LENGTH = 200


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad field: ``line`` is the file's line number (the header is line 1)."""

    line: int
    column: str
    value: str
    message: str


@dataclass(slots=True)
class RegisterRow:
    line: int
    qid: str
    name_ar: str
    name_en: str
    date_of_birth: datetime.date
    sex: str
    nationality: str
    mobile: str
    card_number: str
    card_kind: str
    card_issued_on: datetime.date
    card_expires_on: datetime.date
    card_status: str
    chip_status: str


@dataclass
class ImportResult:
    rows: int = 0
    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    cards_created: int = 0
    cards_updated: int = 0
    cards_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        return self.ok and not self.dry_run

    def summary(self) -> str:
        return _(
            "%(rows)d rows. People: %(people_created)d created, %(people_updated)d updated, "
            "%(people_unchanged)d unchanged. Cards: %(cards_created)d created, "
            "%(cards_updated)d updated, %(cards_unchanged)d unchanged."
        ) % {
            "rows": self.rows,
            "people_created": self.people_created,
            "people_updated": self.people_updated,
            "people_unchanged": self.people_unchanged,
            "cards_created": self.cards_created,
            "cards_updated": self.cards_updated,
            "cards_unchanged": self.cards_unchanged,
        }


class _TooManyErrors(Exception):
    pass


class _Errors:
    """Collects errors up to ``MAX_ERRORS``, then stops the pass."""

    def __init__(self, result: ImportResult):
        self.items = result.errors

    def add(self, line: int, column: str, value: str, message: str) -> None:
        self.items.append(RowError(line, column, value[:MAX_VALUE_LENGTH], message))
        if len(self.items) >= MAX_ERRORS:
            self.items.append(
                RowError(line, "", "", _("Too many errors: the check stopped at this line."))
            )
            raise _TooManyErrors


def register_import(
    *, file: IO, dry_run: bool = False, actor: Person | None = None
) -> ImportResult:
    """Validate the whole register file, then write it in one transaction, or nothing.

    ``actor`` is the staff member named in the change history of every row written.
    """
    result = ImportResult(dry_run=dry_run)
    errors = _Errors(result)
    with tempfile.SpooledTemporaryFile(max_size=STAGING_MEMORY) as staged:
        stage = staged if connection.vendor == "postgresql" else None
        try:
            result.rows = _check_file(file, errors, stage)
        except _TooManyErrors:
            return result
        if result.errors:
            return result
        try:
            with transaction.atomic():
                if stage is None:
                    _write_file(file, result, errors, _History(actor))
                else:
                    _write_staged(stage, result, errors, actor)
                if result.errors or dry_run:
                    transaction.set_rollback(True)
        except _TooManyErrors:
            pass
        except IntegrityError:
            errors.add(
                0, "", "", _("The register changed while the file was imported. Nothing was saved.")
            )
    if result.errors:
        _reset_counts(result)
    return result


def _write_staged(staged: IO[bytes], result: ImportResult, errors, actor) -> None:
    if not register_copy.load_and_check(staged, errors.add):
        return
    counts = register_copy.write(actor=actor, reason=_History.reason())
    result.people_created = counts.people_created
    result.people_updated = counts.people_updated
    result.people_unchanged = result.rows - counts.people_created - counts.people_updated
    result.cards_created = counts.cards_created
    result.cards_updated = counts.cards_updated
    result.cards_unchanged = result.rows - counts.cards_created - counts.cards_updated


def import_errors_csv(result: ImportResult) -> str:
    """The error report: one line per bad field, safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "value", "message"])
    for error in result.errors:
        writer.writerow([error.line, error.column, _neutralise(error.value), error.message])
    return out.getvalue()


def _neutralise(value: str) -> str:
    """Spreadsheets run cells starting with ``=``, ``+``... as formulas (CSV injection)."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _reset_counts(result: ImportResult) -> None:
    result.people_created = result.people_updated = result.people_unchanged = 0
    result.cards_created = result.cards_updated = result.cards_unchanged = 0


@contextmanager
def _csv_lines(file: IO) -> Iterator[Iterator[list[str]]]:
    """A csv reader over the file from its start, decoding bytes as UTF-8 as it goes."""
    file.seek(0)
    if isinstance(file.read(0), bytes):
        text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
        try:
            yield csv.reader(text)
        finally:
            # Detach, or the wrapper closes the caller's file when collected.
            text.detach()
    else:
        yield csv.reader(file)


def _read_rows(file: IO, errors: _Errors) -> Iterator[tuple[int, dict[str, str] | None]]:
    """Yield ``(line, cells by column)`` per data row; ``None`` when the row is malformed."""
    with _csv_lines(file) as reader:
        try:
            header = next(reader, None)
            if header is None:
                errors.add(1, "", "", _("The file is empty."))
                return
            names = [name.strip().lstrip("\ufeff").lower() for name in header]
            if not _check_header(names, errors):
                return
            for cells in reader:
                if not cells:
                    continue
                if len(cells) != len(names):
                    errors.add(
                        reader.line_num,
                        "",
                        "",
                        _("This row has %(found)d values; the header has %(expected)d.")
                        % {"found": len(cells), "expected": len(names)},
                    )
                    yield reader.line_num, None
                    continue
                yield reader.line_num, dict(zip(names, map(str.strip, cells), strict=True))
        except UnicodeDecodeError:
            # Decoding runs a block ahead of the reader: the line is where it stopped.
            errors.add(reader.line_num + 1, "", "", _("The file is not UTF-8 encoded text."))
        except csv.Error as exc:
            errors.add(reader.line_num, "", "", _("The file is not valid CSV: %s") % exc)


def _check_header(names: list[str], errors: _Errors) -> bool:
    before = len(errors.items)
    for name in COLUMNS:
        if name not in names:
            errors.add(1, name, "", _("This column is missing from the header."))
    for position, name in enumerate(names):
        if name not in COLUMNS:
            errors.add(1, name, name, _("This column is not part of the register format."))
        elif name in names[:position]:
            errors.add(1, name, name, _("This column appears twice in the header."))
    return len(errors.items) == before


def _check_file(file: IO, errors: _Errors, staged: IO[bytes] | None = None) -> int:
    """First pass: every row's own rules and duplicates; keeps no rows in memory.

    With ``staged``, each clean row is written there for ``register_copy``.
    """
    rows = 0
    today = timezone.localdate()
    first_lines: dict[str, dict[str, int]] = {column: {} for column in UNIQUE_IN_FILE}
    passwords = _unusable_passwords()
    pending: list[bytes] = []
    for line, cells in _read_rows(file, errors):
        rows += 1
        if cells is None:
            continue
        row = _parse_row(line, cells, errors, today)
        if row is None:
            continue
        for column, message in UNIQUE_IN_FILE.items():
            first = first_lines[column].setdefault(getattr(row, column), line)
            if first != line:
                errors.add(line, column, cells[column], message % {"line": first})
        if staged is not None and not errors.items:
            pending.append(_staged_line(row, next(passwords)))
            if len(pending) == BATCH_SIZE:
                staged.write(b"".join(pending))
                pending.clear()
    if staged is not None and not errors.items:
        staged.write(b"".join(pending))
    return rows


def _staged_line(row: RegisterRow, password: str) -> bytes:
    """The row in ``register_copy.STAGED`` order, COPY text format. Only free text
    (names, card number) can hold tabs or backslashes; the rest was validated."""
    text = register_copy.copy_text
    return (
        f"{row.line}\t{row.qid}\t{text(row.name_ar)}\t{text(row.name_en)}\t"
        f"{row.date_of_birth.isoformat()}\t{row.sex}\t{row.nationality}\t{row.mobile}\t"
        f"{text(row.card_number)}\t{row.card_kind}\t{row.card_issued_on.isoformat()}\t"
        f"{row.card_expires_on.isoformat()}\t{row.card_status}\t{row.chip_status}\t"
        f"{password}\n"
    ).encode()


def _parse_row(
    line: int, cells: dict[str, str], errors: _Errors, today: datetime.date
) -> RegisterRow | None:
    """The row's values in stored form, or ``None`` after recording each bad field."""
    before = len(errors.items)

    def fail(column: str, message: str) -> None:
        errors.add(line, column, cells[column], message)

    name_ar = _text(cells, "name_ar", Person, fail)
    name_en = _text(cells, "name_en", Person, fail)
    date_of_birth = _date(cells, "date_of_birth", fail)
    if date_of_birth and date_of_birth > today:
        fail("date_of_birth", _("The date of birth is in the future."))
    nationality, numeric_code = _country(cells["nationality"])
    if not nationality:
        fail("nationality", _("Enter an ISO 3166 two-letter country code, e.g. QA."))
    qid = ""
    try:
        qid = validate_qid(cells["qid"], date_of_birth)
    except ValidationError as exc:
        fail("qid", exc.messages[0])
    if qid and nationality and qid[3:6] != numeric_code:
        fail("nationality", _("The nationality does not match the Qatar ID number."))
    sex = _choice(cells, "sex", Sex, fail)
    mobile = ""
    if cells["mobile"]:
        try:
            mobile = normalize_qatar_mobile(cells["mobile"])
        except ValidationError as exc:
            fail("mobile", exc.messages[0])
    card_number = _text(cells, "card_number", SmartCard, fail, model_field="number")
    card_kind = _choice(cells, "card_kind", CardKind, fail)
    issued_on = _date(cells, "card_issued_on", fail)
    expires_on = _date(cells, "card_expires_on", fail)
    if issued_on and expires_on and expires_on <= issued_on:
        fail("card_expires_on", _("A card must expire after it was issued."))
    card_status = _choice(cells, "card_status", CardStatus, fail)
    chip_status = _choice(cells, "chip_status", ChipStatus, fail)
    if len(errors.items) != before:
        return None
    return RegisterRow(
        line=line,
        qid=qid,
        name_ar=name_ar,
        name_en=name_en,
        date_of_birth=date_of_birth,
        sex=sex,
        nationality=nationality,
        mobile=mobile,
        card_number=card_number,
        card_kind=card_kind,
        card_issued_on=issued_on,
        card_expires_on=expires_on,
        card_status=card_status,
        chip_status=chip_status,
    )


@functools.lru_cache(maxsize=512)
def _country(code: str) -> tuple[str, str | None]:
    """``(alpha-2, padded numeric code)`` for an ISO alpha-2 code, ``("", None)`` if unknown."""
    alpha2 = countries.alpha2(code) if len(code) == 2 and code.isalpha() else ""
    return alpha2, countries.numeric(alpha2, padded=True) if alpha2 else None


def _unusable_password() -> str:
    """What ``make_password(None)`` returns, at a fraction of the cost for 100,000 rows:
    the random part keeps each person's session hash distinct until they register."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _unusable_passwords(per_draw: int = 1000) -> Iterator[str]:
    """The same passwords one after another, with one draw of random bytes per
    ``per_draw`` passwords instead of one per row."""
    while True:
        # 30 bytes encode to exactly 40 characters, no padding: slice i is bytes 30i..30i+29.
        block = base64.urlsafe_b64encode(os.urandom(30 * per_draw)).decode()
        for start in range(0, len(block), 40):
            yield UNUSABLE_PASSWORD_PREFIX + block[start : start + 40]


def _text(cells, column, model, fail, *, model_field=None) -> str:
    value = cells[column]
    limit = _max_length(model, model_field or column)
    if not value:
        fail(column, _("This field is required."))
    elif len(value) > limit:
        fail(column, _("Enter at most %(limit)d characters.") % {"limit": limit})
    return value


def _date(cells, column, fail) -> datetime.date | None:
    value = cells[column]
    if _ISO_DATE.match(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    fail(column, _("Enter a date as yyyy-mm-dd, e.g. 1985-06-15."))
    return None


def _choice(cells, column, choices, fail) -> str:
    value = cells[column]
    if value not in _values(choices):
        fail(column, _("Enter one of: %(choices)s.") % {"choices": ", ".join(_values(choices))})
    return value


@functools.cache
def _values(choices) -> tuple[str, ...]:
    return tuple(choices.values)


@functools.cache
def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass(frozen=True)
class _History:
    """Who and why for the change history: bulk writes send no model signals."""

    actor: Person | None

    def create(self, model, objs: list) -> None:
        bulk_create_with_history(
            objs, model, default_user=self.actor, default_change_reason=self.reason()
        )

    def update(self, model, objs: list, fields) -> None:
        bulk_update_with_history(
            objs, model, fields, default_user=self.actor, default_change_reason=self.reason()
        )

    @staticmethod
    def reason() -> str:
        return _("Population register import")


def _write_file(file: IO, result: ImportResult, errors: _Errors, history: _History) -> None:
    """Second pass: upsert people by QID and cards by number, batch by batch."""
    batch: list[RegisterRow] = []
    today = timezone.localdate()
    for line, cells in _read_rows(file, errors):
        row = _parse_row(line, cells, errors, today) if cells is not None else None
        if row is None:
            # The file changed since the first pass; the errors say where.
            continue
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            _write_batch(batch, result, errors, history)
            batch = []
    if batch:
        _write_batch(batch, result, errors, history)


def _write_batch(batch: list[RegisterRow], result: ImportResult, errors, history) -> None:
    # Whole rows: the history copies every tracked field of the people updated.
    people_by_qid = {p.qid: p for p in Person.objects.filter(qid__in=[row.qid for row in batch])}
    cards_by_number = {
        card.number: card
        for card in SmartCard.objects.filter(number__in=[row.card_number for row in batch])
    }
    _check_against_register(batch, people_by_qid, cards_by_number, errors)
    if result.errors:
        # Nothing will be kept; only look for more errors in the rest of the file.
        return

    new_people, changed_people = [], []
    for row in batch:
        person = people_by_qid.get(row.qid)
        values = {name: getattr(row, column) for name, column in PERSON_COLUMNS.items()}
        if person is not None and person.mobile:
            # The number that receives codes changes only through a two-person
            # account change request (accounts.changes), never by a file upload.
            values["mobile"] = person.mobile
        if person is None:
            person = Person(qid=row.qid, password=_unusable_password(), **values)
            people_by_qid[row.qid] = person
            new_people.append(person)
        elif _assign(person, values):
            changed_people.append(person)
    history.create(Person, new_people)
    history.update(Person, changed_people, Person.REGISTER_FIELDS)
    result.people_created += len(new_people)
    result.people_updated += len(changed_people)
    result.people_unchanged += len(batch) - len(new_people) - len(changed_people)

    new_cards, changed_cards = [], []
    for row in batch:
        card = cards_by_number.get(row.card_number)
        values = {name: getattr(row, column) for name, column in CARD_COLUMNS.items()}
        if card is None:
            new_cards.append(
                SmartCard(person=people_by_qid[row.qid], number=row.card_number, **values)
            )
        elif _assign(card, values):
            changed_cards.append(card)
    history.update(SmartCard, changed_cards, tuple(CARD_COLUMNS))
    history.create(SmartCard, new_cards)
    result.cards_created += len(new_cards)
    result.cards_updated += len(changed_cards)
    result.cards_unchanged += len(batch) - len(new_cards) - len(changed_cards)


def _check_against_register(batch, people_by_qid, cards_by_number, errors: _Errors) -> None:
    """Rules that need the register as it stands: a card belongs to one person,
    and a person has at most one valid card of each kind."""
    person_ids = {person.pk: qid for qid, person in people_by_qid.items()}
    for row in batch:
        card = cards_by_number.get(row.card_number)
        if card is not None and person_ids.get(card.person_id) != row.qid:
            errors.add(
                row.line,
                "card_number",
                row.card_number,
                _("This card number is registered to another person."),
            )
    other_valid_cards = (
        SmartCard.objects.filter(person_id__in=person_ids, status=CardStatus.VALID)
        .exclude(number__in=[row.card_number for row in batch])
        .values_list("person_id", "kind", "number")
    )
    valid_kinds = {(person_ids[pid], kind): number for pid, kind, number in other_valid_cards}
    for row in batch:
        if row.card_status != CardStatus.VALID:
            continue
        number = valid_kinds.get((row.qid, row.card_kind))
        if number is not None:
            errors.add(
                row.line,
                "card_status",
                row.card_status,
                _("This person already has another valid card of this kind (%(number)s).")
                % {"number": number},
            )


def _assign(instance, values: dict) -> bool:
    """Set the values on the instance; return whether any changed."""
    changed = False
    for name, value in values.items():
        current = getattr(instance, name)
        if name == "nationality":
            current = current.code
        if current != value:
            setattr(instance, name, value)
            changed = True
    return changed
