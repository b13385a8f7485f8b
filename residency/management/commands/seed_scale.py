"""Fill PostgreSQL with a register the size of the country, for benchmarks.

    python manage.py seed_scale --people 1000000 --requests 200000

Writes people (valid QIDs and Qatar mobiles, Arabic and Latin names), one
smart card each, e-service activation requests, chip requests, permanent
residency applications and outbox messages. Rows are generated in Python and
streamed with COPY into a temporary table, then inserted with ``ON CONFLICT
DO NOTHING``: every row has a fixed natural key (QID, card number, reference,
provider id), so a second run adds nothing and a run that was interrupted is
completed. Seeded rows keep out of the demo's way: QID serials from 50000,
card numbers from 7000000000, references dated 2025.

It lives in ``residency`` because it writes every app's tables, and nothing
imports ``residency``.
"""

# Table and column names below are constants; generated values travel by COPY.
# ruff: noqa: S608

import datetime
import io
import time
import uuid
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Person
from accounts.register_copy import PERSON_STAGED
from residency.constants import DECIDED_STATUSES


def _sql_list(values) -> str:
    """Constant strings as an SQL list, e.g. ``('approved', 'rejected')``."""
    return "(" + ", ".join(f"'{value}'" for value in sorted(values)) + ")"


NATIONALITIES = [
    ("QA", "634"),
    ("IN", "356"),
    ("PK", "586"),
    ("EG", "818"),
    ("PH", "608"),
    ("NP", "524"),
    ("BD", "050"),
    ("LK", "144"),
    ("JO", "400"),
    ("SY", "760"),
    ("GB", "826"),
    ("US", "840"),
]
YEARS = 70  # born 1940 to 2009
FIRST = [
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("علي", "Ali"),
    ("خالد", "Khalid"),
    ("حمد", "Hamad"),
    ("يوسف", "Yousef"),
    ("عبدالله", "Abdulla"),
    ("ناصر", "Nasser"),
    ("سعد", "Saad"),
    ("جاسم", "Jassim"),
    ("فاطمة", "Fatima"),
    ("مريم", "Mariam"),
    ("نورة", "Noora"),
    ("سارة", "Sara"),
    ("عائشة", "Aisha"),
    ("لطيفة", "Latifa"),
    ("هند", "Hind"),
    ("ريم", "Reem"),
    ("راجيش", "Rajesh"),
    ("ماريا", "Maria"),
]
FAMILY = [
    ("الكواري", "Al-Kuwari"),
    ("آل ثاني", "Al-Thani"),
    ("المري", "Al-Marri"),
    ("السليطي", "Al-Sulaiti"),
    ("المهندي", "Al-Mohannadi"),
    ("النعيمي", "Al-Naimi"),
    ("العمادي", "Al-Emadi"),
    ("الخليفي", "Al-Khalifi"),
    ("الدوسري", "Al-Dosari"),
    ("الهاجري", "Al-Hajri"),
    ("الأنصاري", "Al-Ansari"),
    ("ناير", "Nair"),
    ("خان", "Khan"),
    ("سانتوس", "Santos"),
    ("شارما", "Sharma"),
    ("حسين", "Hussain"),
    ("إبراهيم", "Ibrahim"),
    ("المنصوري", "Al-Mansouri"),
    ("الشمري", "Al-Shammari"),
    ("الحمادي", "Al-Hammadi"),
]
SERIAL_START = 50_000
CARD_START = 7_000_000_000
COPY_CHUNK = 2**20


def person_key(n: int) -> tuple[str, str, datetime.date, str]:
    """QID, nationality, date of birth and mobile of seeded person ``n`` (unique per n)."""
    year = 1940 + n % YEARS
    nationality, code = NATIONALITIES[(n // YEARS) % len(NATIONALITIES)]
    serial = SERIAL_START + n // (YEARS * len(NATIONALITIES))
    century = "3" if year >= 2000 else "2"
    qid = f"{century}{year % 100:02d}{code}{serial:05d}"
    born = datetime.date(year, 1 + n % 12, 1 + n % 28)
    mobile = f"+974{'3567'[n % 4]}{n % 10_000_000:07d}"
    return qid, nationality, born, mobile


class _Stream(io.RawIOBase):
    """A file-like object over generated COPY lines, for ``copy_expert``."""

    def __init__(self, lines):
        self._lines = lines
        self._buffer = b""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            chunk = "".join(line for _, line in zip(range(2000), self._lines, strict=False))
            if not chunk:
                break
            self._buffer += chunk.encode()
        size = len(self._buffer) if size < 0 else size
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data


class Command(BaseCommand):
    help = "Fill PostgreSQL with a national-scale register (COPY; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=1_000_000)
        parser.add_argument("--requests", type=int, default=200_000)

    def handle(self, *args, people, requests, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it loads rows with COPY).")
        if requests > people:
            raise CommandError("--requests cannot exceed --people.")
        self.now = timezone.now()
        self.people = people
        started = time.monotonic()
        self._step("people", self._people, people)
        self._step("smart cards", self._cards, people)
        self._step("activation requests", self._activations, requests)
        self._step("chip requests", self._chip_requests, requests // 10)
        self._step("residency applications", self._applications, min(requests // 10, people))
        self._step("outbox messages", self._outbox, requests)
        with connection.cursor() as cursor:
            for table in (
                "accounts_person",
                "accounts_smartcard",
                "activation_activationrequest",
                "activation_chiprequest",
                "residency_application",
                "accounts_notification",
            ):
                cursor.execute(f"ANALYZE {table}")
        self.stdout.write(f"Done in {time.monotonic() - started:.0f} s.")

    def _step(self, label, method, count):
        """One table per transaction: an interrupted run keeps the finished tables."""
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            # Check foreign keys as rows go in, so indexes can be rebuilt in
            # the same transaction (no pending deferred checks).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            added = method(count)
        self.stdout.write(
            f"{label}: {added:,} added of {count:,} ({time.monotonic() - started:.1f} s)"
        )

    def _load(self, table: str, columns: list[str], staged: list[tuple[str, str]], lines, insert):
        """COPY ``lines`` into a temporary table, then run ``insert`` (SQL reading ``stage``)."""
        with connection.cursor() as cursor, _secondary_indexes_rebuilt(cursor, table):
            cursor.execute("DROP TABLE IF EXISTS stage")
            cursor.execute(
                "CREATE TEMPORARY TABLE stage ("
                + ", ".join(f"{name} {kind}" for name, kind in staged)
                + ") ON COMMIT DROP"
            )
            cursor.copy_expert("COPY stage FROM STDIN", _Stream(lines))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) {insert} ON CONFLICT DO NOTHING"
            )
            return cursor.rowcount

    def _people(self, count):
        now = self.now.isoformat()

        def lines():
            for n in range(count):
                qid, nationality, born, mobile = person_key(n)
                first_ar, first_en = FIRST[n % len(FIRST)]
                father_ar, father_en = FIRST[(n // 7) % len(FIRST)]
                family_ar, family_en = FAMILY[(n // 3) % len(FAMILY)]
                resident = "\\N" if nationality == "QA" else f"{born.year + 20}-01-01"
                registered = now if n % 3 == 0 else "\\N"
                yield (
                    f"{qid}\t{first_ar} {father_ar} {family_ar}\t"
                    f"{first_en} {father_en} {family_en}\t{born.isoformat()}\t"
                    f"{'MF'[n % 2]}\t{nationality}\t{mobile}\t{resident}\t{registered}\t"
                    f"{'ar' if n % 4 else 'en'}\n"
                )

        return self._load(
            "accounts_person",
            [
                "password",
                "last_login",
                "is_superuser",
                "qid",
                *Person.REGISTER_FIELDS,
                "resident_since",
                "email",
                "preferred_language",
                "photo",
                "data_verified",
                "data_reviewed_at",
                "registered_at",
                "is_staff",
                "is_active",
                "created_at",
                "session_generation",
            ],
            [
                ("qid", "text"),
                *PERSON_STAGED,
                ("resident_since", "date"),
                ("registered_at", "timestamptz"),
                ("preferred_language", "text"),
            ],
            lines(),
            f"""SELECT '!', NULL, false, qid, name_ar, name_en, date_of_birth, sex,
                nationality, mobile, resident_since, '', preferred_language, '', true,
                NULL, registered_at, false, true, '{now}'::timestamptz, 0 FROM stage""",
        )

    def _cards(self, count):
        def lines():
            for n in range(count):
                qid, nationality, _, _ = person_key(n)
                kind = "citizen_id" if nationality == "QA" else "residence_permit"
                issued = datetime.date(2021 + n % 5, 1 + n % 12, 1 + n % 28)
                status = "expired" if n % 17 == 0 else "valid"
                chip = "active" if n % 3 else "inactive"
                yield (
                    f"{qid}\t{CARD_START + n}\t{kind}\t{issued.isoformat()}\t"
                    f"{issued.replace(year=issued.year + 5).isoformat()}\t{status}\t{chip}\n"
                )

        return self._load(
            "accounts_smartcard",
            ["person_id", "number", "kind", "issued_on", "expires_on", "status", "chip_status"],
            [
                ("qid", "text"),
                ("number", "text"),
                ("kind", "text"),
                ("issued_on", "date"),
                ("expires_on", "date"),
                ("status", "text"),
                ("chip_status", "text"),
            ],
            lines(),
            """SELECT p.id, s.number, s.kind, s.issued_on, s.expires_on, s.status, s.chip_status
               FROM stage s JOIN accounts_person p ON p.qid = s.qid""",
        )

    def _request_lines(self, count, prefix, stride, extra):
        """Requests spread over the register: request ``i`` is person ``i * stride``."""
        start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        for i in range(count):
            created = start + datetime.timedelta(minutes=2 * i)
            yield (
                f"{prefix}-2025-{i + 1:06d}\t{CARD_START + i * stride}\t"
                f"{created.isoformat()}\t{extra(i)}\n"
            )

    def _activations(self, count):
        return self._load(
            "activation_activationrequest",
            ["reference", "person_id", "created_at", "updated_at", "status", "card_id"]
            + ["idempotency_key"],
            [("reference", "text"), ("card", "text"), ("created_at", "timestamptz")]
            + [("status", "text"), ("idempotency_key", "uuid")],
            self._request_lines(
                count,
                "ACT",
                self._stride(count),
                lambda i: (
                    f"{'submitted' if i % 20 == 0 else 'completed'}\t"
                    f"{uuid.UUID(int=(0x5EED << 64) | i)}"
                ),
            ),
            """SELECT s.reference, c.person_id, s.created_at, s.created_at, s.status, c.id,
                      s.idempotency_key
               FROM stage s JOIN accounts_smartcard c ON c.number = s.card""",
        )

    def _chip_requests(self, count):
        return self._load(
            "activation_chiprequest",
            ["reference", "person_id", "created_at", "updated_at", "status", "card_id"],
            [("reference", "text"), ("card", "text"), ("created_at", "timestamptz")]
            + [("status", "text")],
            self._request_lines(
                count,
                "CHIP",
                self._stride(count),
                lambda i: "submitted" if i % 10 == 0 else ("approved" if i % 3 else "rejected"),
            ),
            """SELECT s.reference, c.person_id, s.created_at, s.created_at, s.status, c.id
               FROM stage s JOIN accounts_smartcard c ON c.number = s.card""",
        )

    def _applications(self, count):
        statuses = ["submitted", "under_review", "approved", "rejected", "card_issued", "withdrawn"]
        today = timezone.localdate()

        def extra(i):
            due = today + datetime.timedelta(days=i % 90 - 30)
            return f"{statuses[i % len(statuses)]}\t{due.isoformat()}"

        stride = self._stride(count)
        return self._load(
            "residency_application",
            ["reference", "person_id", "created_at", "updated_at", "status", "basis"]
            + ["days_abroad", "employer", "occupation", "declared_at", "submitted_at"]
            + ["clock_started_on", "decision_due_on", "decided_at"],
            [("reference", "text"), ("card", "text"), ("created_at", "timestamptz")]
            + [("status", "text"), ("decision_due_on", "date")],
            self._request_lines(count, "PR", stride, extra),
            f"""SELECT s.reference, c.person_id, s.created_at, s.created_at, s.status,
                      'residence_born_abroad', '{{}}'::jsonb, 'Seeded employer', 'Engineer',
                      s.created_at, s.created_at, s.decision_due_on - 7, s.decision_due_on,
                      CASE WHEN s.status IN {_sql_list(DECIDED_STATUSES)} THEN s.created_at END
               FROM stage s JOIN accounts_smartcard c ON c.number = s.card""",
        )

    def _outbox(self, count):
        def extra(i):
            status = "queued" if i % 50 == 0 else ("failed" if i % 97 == 0 else "delivered")
            return f"{status}\tseed-{i}"

        return self._load(
            "accounts_notification",
            ["person_id", "template", "language", "subject", "body", "sms", "number", "email"]
            + ["status", "attempts", "provider_id", "last_error", "created_at"],
            [("reference", "text"), ("card", "text"), ("created_at", "timestamptz")]
            + [("status", "text"), ("provider_id", "text")],
            self._request_lines(count, "MSG", self._stride(count), extra),
            """SELECT p.id, 'activation_confirmed', p.preferred_language,
                      'E-services activated', 'Your e-services are active.', true, p.mobile, '',
                      s.status, 1, s.provider_id, '', s.created_at
               FROM stage s JOIN accounts_smartcard c ON c.number = s.card
               JOIN accounts_person p ON p.id = c.person_id
               WHERE NOT EXISTS (
                   SELECT 1 FROM accounts_notification o WHERE o.provider_id = s.provider_id
               )""",
        )

    def _stride(self, count: int) -> int:
        """Spread ``count`` requests evenly over the seeded people."""
        return max(1, self.people // max(count, 1))


@contextmanager
def _secondary_indexes_rebuilt(cursor, table: str):
    """Drop the table's plain indexes (trigram, mobile...) during a bulk insert and
    build them again after: building an index once is far cheaper than a
    million index insertions. Unique and primary key indexes stay: they decide
    ON CONFLICT."""
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = to_regclass(%s) AND NOT x.indisunique AND NOT x.indisprimary""",
        [table],
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, definition in indexes:
        cursor.execute(definition)
