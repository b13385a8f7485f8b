"""Create the demo population: one person per state the flows need.

The people, QIDs and sign-ins are fixed, so the README, QA scripts and the
browser tests can name them; dates that must stay "current" (card expiry, data
review) are computed from today. Re-running updates the same rows.

In simulation mode ``--reset-limits`` also gives the demo people a fresh
start: no sign-in lock, no one-time-code sending limit (5 codes an hour per
person, 10 a day per number), no wrong-code count.
"""

import datetime
import io
from dataclasses import dataclass

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
    reviewed_days_ago: int | None = 30
    photo: bool = True
    card_kind: str = CardKind.CITIZEN_ID
    card_status: str = CardStatus.VALID
    chip_status: str = ChipStatus.ACTIVE
    card_expired: bool = False
    language: str = Language.ARABIC
    staff_group: str | None = None
    resident_since: datetime.date | None = None


POPULATION = [
    DemoPerson(
        "28563400001",
        "Citizen ready to activate e-services",
        "Ahmed Ali Al-Kuwari",
        "أحمد علي الكواري",
        datetime.date(1985, 3, 14),
        "QA",
        "+97455100001",
    ),
    DemoPerson(
        "29063400002",
        "Chip inactive",
        "Mariam Hassan Al-Thani",
        "مريم حسن آل ثاني",
        datetime.date(1990, 7, 2),
        "QA",
        "+97455100002",
        sex=Sex.FEMALE,
        chip_status=ChipStatus.INACTIVE,
    ),
    DemoPerson(
        "29263400003",
        "Data not verified by the authorities",
        "Khalid Saad Al-Marri",
        "خالد سعد المري",
        datetime.date(1992, 11, 20),
        "QA",
        "+97455100003",
        data_verified=False,
    ),
    DemoPerson(
        "31263400004",
        "Minor (under 18)",
        "Yousef Ahmed Al-Kuwari",
        "يوسف أحمد الكواري",
        datetime.date(2012, 5, 10),
        "QA",
        "+97455100004",
    ),
    DemoPerson(
        "28863400005",
        "Expired card",
        "Fatima Nasser Al-Sulaiti",
        "فاطمة ناصر السليطي",
        datetime.date(1988, 1, 9),
        "QA",
        "+97455100005",
        sex=Sex.FEMALE,
        card_status=CardStatus.EXPIRED,
        card_expired=True,
    ),
    DemoPerson(
        "29563400006",
        "No approved photo",
        "Noora Abdulla Al-Mohannadi",
        "نورة عبدالله المهندي",
        datetime.date(1995, 9, 30),
        "QA",
        "+97455100006",
        sex=Sex.FEMALE,
        photo=False,
    ),
    DemoPerson(
        "29363400007",
        "Data not confirmed for over 12 months",
        "Hamad Jassim Al-Naimi",
        "حمد جاسم النعيمي",
        datetime.date(1993, 4, 17),
        "QA",
        "+97455100007",
        reviewed_days_ago=400,
    ),
    DemoPerson(
        "29163400009",
        "Citizen without an online account (register online)",
        "Sara Mohammed Al-Emadi",
        "سارة محمد العمادي",
        datetime.date(1991, 12, 5),
        "QA",
        "+97455100009",
        sex=Sex.FEMALE,
        registered=False,
        reviewed_days_ago=None,
    ),
    DemoPerson(
        "27535600008",
        "Resident eligible for permanent residency (22 years in Qatar)",
        "Rajesh Kumar Nair",
        "راجيش كومار ناير",
        datetime.date(1975, 8, 22),
        "IN",
        "+97433100008",
        card_kind=CardKind.RESIDENCE_PERMIT,
        language=Language.ENGLISH,
        resident_since=datetime.date(2004, 2, 1),
    ),
    DemoPerson(
        "29058600010",
        "Resident not yet eligible for permanent residency (5 years in Qatar)",
        "Ayesha Tariq Khan",
        "عائشة طارق خان",
        datetime.date(1990, 2, 14),
        "PK",
        "+97466100010",
        sex=Sex.FEMALE,
        card_kind=CardKind.RESIDENCE_PERMIT,
        language=Language.ENGLISH,
        resident_since=datetime.date(2021, 9, 1),
    ),
    DemoPerson(
        "27960800011",
        "Resident with a submitted permanent residency application (reviewer demo)",
        "Maria Cruz Santos",
        "ماريا كروز سانتوس",
        datetime.date(1979, 4, 3),
        "PH",
        "+97455100011",
        sex=Sex.FEMALE,
        card_kind=CardKind.RESIDENCE_PERMIT,
        language=Language.ENGLISH,
        resident_since=datetime.date(2001, 6, 1),
    ),
    DemoPerson(
        "28063400100",
        "Staff: administrator",
        "Abdulrahman Al-Khalifa",
        "عبدالرحمن الخليفة",
        datetime.date(1980, 6, 1),
        "QA",
        "+97477100100",
        staff_group=roles.ADMINISTRATOR,
    ),
    DemoPerson(
        "28163400101",
        "Staff: residency reviewer",
        "Latifa Al-Dosari",
        "لطيفة الدوسري",
        datetime.date(1981, 3, 3),
        "QA",
        "+97477100101",
        sex=Sex.FEMALE,
        staff_group=roles.REVIEWER,
    ),
    DemoPerson(
        "28263400102",
        "Staff: service-centre clerk",
        "Mohammed Al-Hajri",
        "محمد الهاجري",
        datetime.date(1982, 10, 12),
        "QA",
        "+97477100102",
        staff_group=roles.CLERK,
    ),
    DemoPerson(
        "28363400103",
        "Staff: support agent",
        "Aisha Al-Ansari",
        "عائشة الأنصاري",
        datetime.date(1983, 8, 8),
        "QA",
        "+97477100103",
        sex=Sex.FEMALE,
        staff_group=roles.SUPPORT,
    ),
]


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
            "data_reviewed_at": None
            if demo.reviewed_days_ago is None
            else now - datetime.timedelta(days=demo.reviewed_days_ago),
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
