"""Create the demo population: one person per state the flows need.

The people, QIDs and sign-ins are fixed (``seed_demo.toml``), so the README,
QA scripts and the browser tests can name them; dates that must stay
"current" (card expiry, data review) are computed from today. Re-running
updates the same rows.

In simulation mode ``--reset-limits`` also gives the demo people a fresh
start: no sign-in lock, no one-time-code sending limit (5 codes an hour per
person, 10 a day per number), no wrong-code count.
"""

import datetime
import io
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts import lockout, roles, second_factor
from accounts.constants import CardKind, CardStatus, ChipStatus, Language, Sex
from accounts.models import OTPEvent, Person, SmartCard, SMSDevice

# Where the demo is used from: the sign-in and identity counts of these addresses are reset too.
LOCAL_ADDRESSES = ["127.0.0.1", "::1"]
DEMO_PASSWORD = "Lantern-Orchid-Velvet-73"  # noqa: S105 - public demo sign-in, printed and documented
POPULATION_FILE = Path(__file__).with_name("seed_demo.toml")


@dataclass
class DemoPerson:
    qid: str
    state: str
    name_en: str
    name_ar: str
    date_of_birth: datetime.date
    nationality: str
    mobile: str
    sex: str = Sex.MALE
    registered: bool = True
    data_verified: bool = True
    # Only people with an online account confirm their data.
    reviewed_days_ago: int = 30
    photo: bool = True
    card_kind: str = CardKind.CITIZEN_ID
    card_status: str = CardStatus.VALID
    chip_status: str = ChipStatus.ACTIVE
    card_expired: bool = False
    language: str = Language.ARABIC
    staff_group: str | None = None
    resident_since: datetime.date | None = None

    def __post_init__(self):
        # The file holds stored values: a misspelt one fails here, not in a flow.
        self.sex = Sex(self.sex)
        self.card_kind = CardKind(self.card_kind)
        self.card_status = CardStatus(self.card_status)
        self.chip_status = ChipStatus(self.chip_status)
        self.language = Language(self.language)
        if self.staff_group is not None and self.staff_group not in roles.ROLES:
            raise ValueError(f"{self.qid}: unknown staff group {self.staff_group!r}")


def _population() -> list[DemoPerson]:
    with POPULATION_FILE.open("rb") as file:
        return [DemoPerson(**row) for row in tomllib.load(file)["person"]]


POPULATION = _population()


def demo_photo_bytes(seed: int) -> bytes:
    """A plain, clearly synthetic 600x600 portrait placeholder."""
    image = Image.new("RGB", (600, 600), (225, 230, 235))
    draw = ImageDraw.Draw(image)
    tone = (150 + seed * 7 % 60, 120, 100)
    draw.ellipse((200, 110, 400, 330), fill=tone)
    draw.rectangle((150, 360, 450, 600), fill=(60, 70, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create or refresh the deterministic demo population and print the sign-ins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-limits",
            action="store_true",
            help="Simulation only: lift the demo people's sign-in locks and one-time-code limits.",
        )

    @transaction.atomic
    def handle(self, *args, reset_limits=False, **options):
        if reset_limits and not settings.SIMULATION_MODE:
            raise CommandError("--reset-limits works only with SIMULATION_MODE=true.")
        today = timezone.localdate()
        now = timezone.now()
        roles.roles_sync()
        rows = []
        for index, demo in enumerate(POPULATION, start=1):
            person = self._person(demo, now)
            card = self._card(person, demo, index, today)
            state = demo.state
            if not demo.registered:
                state += f"; card expires {card.expires_on.isoformat()}"
            if demo.staff_group and settings.SIMULATION_MODE:
                second_factor.demo_device_ensure(person=person)
            rows.append((demo.qid, DEMO_PASSWORD if demo.registered else "—", state))
        if reset_limits:
            self._reset_limits()
        self.stdout.write(self.style.SUCCESS("Demo population ready. Sign in with:"))
        for qid, password, state in rows:
            self.stdout.write(f"  {qid}  {password:<18} {state}")
        self.stdout.write("Staff sign in at /en/admin/ with the staff QIDs above.")
        if settings.SIMULATION_MODE:
            self.stdout.write(
                "Their authenticator code: python manage.py demo_totp QID "
                "(for example demo_totp 28063400100)."
            )

    def _reset_limits(self) -> None:
        qids = [demo.qid for demo in POPULATION]
        people = Person.objects.filter(qid__in=qids)
        mobiles = [demo.mobile for demo in POPULATION]
        OTPEvent.objects.filter(person__in=people).delete()
        OTPEvent.objects.filter(number__in=mobiles).delete()
        SMSDevice.objects.filter(user__in=people).update(failures=0, requested_at=None)
        lockout.limits_reset(qids=qids, addresses=LOCAL_ADDRESSES)
        self.stdout.write("Sign-in locks and one-time-code limits of the demo people reset.")

    def _person(self, demo: DemoPerson, now) -> Person:
        defaults = {
            "name_en": demo.name_en,
            "name_ar": demo.name_ar,
            "date_of_birth": demo.date_of_birth,
            "nationality": demo.nationality,
            "sex": demo.sex,
            "mobile": demo.mobile,
            "preferred_language": demo.language,
            "data_verified": demo.data_verified,
            "data_reviewed_at": now - datetime.timedelta(days=demo.reviewed_days_ago)
            if demo.registered
            else None,
            "is_staff": demo.staff_group is not None,
            "is_superuser": demo.staff_group == roles.ADMINISTRATOR,
            "registered_at": now if demo.registered else None,
            "resident_since": demo.resident_since,
        }
        person, _created = Person.objects.update_or_create(qid=demo.qid, defaults=defaults)
        if demo.registered:
            person.set_password(DEMO_PASSWORD)
        else:
            person.set_unusable_password()
        if demo.photo and not person.photo:
            person.photo.save(
                f"{demo.qid}.jpg", ContentFile(demo_photo_bytes(int(demo.qid[-2:]))), save=False
            )
        elif not demo.photo and person.photo:
            person.photo.delete(save=False)
        person.save()
        if demo.staff_group:
            person.groups.set([Group.objects.get(name=demo.staff_group)])
        return person

    def _card(
        self, person: Person, demo: DemoPerson, index: int, today: datetime.date
    ) -> SmartCard:
        month_start = today.replace(day=1)
        if demo.card_expired:
            issued = month_start.replace(year=today.year - 6)
            expires = today - datetime.timedelta(days=40)
        else:
            issued = month_start.replace(year=today.year - 2)
            expires = month_start.replace(year=today.year + 3)
        card, _created = SmartCard.objects.update_or_create(
            number=f"{28000000 + index:09d}",
            defaults={
                "person": person,
                "kind": demo.card_kind,
                "issued_on": issued,
                "expires_on": expires,
                "status": demo.card_status,
                "chip_status": demo.chip_status,
            },
        )
        return card
