"""The shared model of people, smart cards and requests (PRODUCT.md section 1).

``activation`` and ``residency`` build on these; this module imports neither.
"""

import datetime
import secrets
import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_otp.models import Device
from simple_history.models import HistoricalRecords

from accounts.constants import (
    AccountChangeKind,
    AccountChangeStatus,
    CardKind,
    CardStatus,
    ChipStatus,
    Language,
    OTPEventKind,
    OTPPurpose,
    Sex,
)
from accounts.durations import full_years_between
from accounts.fields import (
    mobile_number,
    optional_date,
    optional_datetime,
    owner_fk,
    protected_fk,
)
from accounts.managers import PersonManager
from accounts.passwords import normalize_password
from accounts.validators import (
    is_ascii_digits,
    mask_mobile,
    qid_birth_year,
    qid_is_citizen,
    qid_nationality_code,
    qid_validator,
)


def localised(obj, field: str) -> str:
    """``obj.<field>_en`` in English, otherwise ``obj.<field>_ar`` (English when that is empty)."""
    suffix = "en" if translation.get_language() == Language.ENGLISH else "ar"
    return getattr(obj, f"{field}_{suffix}") or getattr(obj, f"{field}_en")


class LocalisedName(models.Model):
    """A row named in Arabic and in English, shown in the reader's language.

    The subclass declares ``name_ar`` and ``name_en`` itself, so they keep
    their place (and their length) among its own fields.
    """

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


def private_storage():
    """Storage outside the static and media URL spaces; files are only streamed
    by views that check the owner or a staff permission."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def random_upload_name(instance, filename: str) -> str:
    """Store uploads under random names: the citizen's file name never reaches disk."""
    suffix = PurePath(filename).suffix.lower()[:5]
    today = timezone.now()
    return f"{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def private_file(verbose_name, *, help_text="", **kwargs) -> models.FileField:
    """An upload kept in the private storage under a random name."""
    return models.FileField(
        verbose_name,
        storage=private_storage,
        upload_to=random_upload_name,
        help_text=help_text,
        **kwargs,
    )


class Person(AbstractBaseUser, PermissionsMixin):
    """A row of the population register; also the portal account once registered."""

    qid = models.CharField(
        _("Qatar ID number"),
        max_length=11,
        unique=True,
        validators=[qid_validator],
        help_text=_("11 digits, as printed on the smart ID card."),
    )
    name_ar = models.CharField(_("name in Arabic"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.MALE)
    nationality = CountryField(_("nationality"))
    mobile = mobile_number(
        _("registered mobile"),
        help_text=_("Qatar mobile number in international form, e.g. +97455123456."),
        blank=True,
    )
    resident_since = optional_date(
        _("legal resident since"),
        help_text=_("Residents only: start of the current uninterrupted legal residence."),
    )
    email = models.EmailField(_("email address"), blank=True)
    email_verified_at = optional_datetime(
        _("email verified at"),
        help_text=_("Set when the person opened the link sent to the address; messages go there."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ARABIC
    )
    photo = private_file(
        _("approved personal photo"),
        help_text=_("Set only when staff approve a photo the person uploaded."),
        blank=True,
    )
    data_verified = models.BooleanField(
        _("data verified"),
        default=False,
        help_text=_("The register data was checked by the authorities."),
    )
    data_reviewed_at = optional_datetime(
        _("data confirmed current at"),
        help_text=_("When the person last confirmed that their data is current."),
    )
    registered_at = optional_datetime(
        _("online account created at"), help_text=_("Empty while the person has no online account.")
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Can sign in to the back office.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added to the register at"), default=timezone.now)
    session_generation = models.PositiveIntegerField(
        _("session generation"),
        default=0,
        editable=False,
        help_text=_("Raised to end every signed-in session of this person at once."),
    )
    mobile_changed_at = optional_datetime(
        _("mobile number last changed at"),
        help_text=_("Password reset is refused for a while after a mobile change."),
        editable=False,
    )

    objects = PersonManager()
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "session_generation"],
        verbose_name=_("historical person"),
    )

    USERNAME_FIELD = "qid"
    REQUIRED_FIELDS = ["name_ar", "name_en", "date_of_birth", "nationality"]
    # What the population register holds about a person: the fields its import writes.
    REGISTER_FIELDS = ("name_ar", "name_en", "date_of_birth", "sex", "nationality", "mobile")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["qid"]
        permissions = [
            (
                "support_account",
                _("Can unlock accounts, resend registration codes and end sessions"),
            ),
            ("import_register", _("Can import the population register")),
        ]
        # Staff find people by mobile number in admin; names are found through
        # trigram indexes, which only PostgreSQL has (migration 0008).
        indexes = [models.Index(fields=["mobile"], name="person_mobile")]

    def __str__(self):
        return f"{self.qid} {self.display_name}"

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._loaded_is_active = person.__dict__.get("is_active")
        return person

    def save(self, *args, **kwargs):
        # Deactivating ends every session for good: re-activating the account
        # later must not bring old cookies back to life.
        if getattr(self, "_loaded_is_active", None) and not self.is_active:
            self.session_generation += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "session_generation"}
        super().save(*args, **kwargs)
        self._loaded_is_active = self.is_active

    def clean(self):
        super().clean()
        errors = {}
        if self.qid and len(self.qid) == 11 and is_ascii_digits(self.qid):
            if self.date_of_birth and qid_birth_year(self.qid) != self.date_of_birth.year:
                errors["date_of_birth"] = _("The date of birth does not match the Qatar ID number.")
            if self.nationality and str(self.nationality.numeric_padded) != qid_nationality_code(
                self.qid
            ):
                errors["nationality"] = _("The nationality does not match the Qatar ID number.")
        if errors:
            raise ValidationError(errors)

    @property
    def display_name(self) -> str:
        return localised(self, "name")

    def set_password(self, raw_password):
        if raw_password is not None:
            raw_password = normalize_password(raw_password)
        super().set_password(raw_password)

    def check_password(self, raw_password):
        return super().check_password(normalize_password(raw_password or ""))

    def _get_session_auth_hash(self, secret=None):
        """Sessions die when the password changes or the person signs out everywhere."""
        return salted_hmac(
            "accounts.Person.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name

    @property
    def is_citizen(self) -> bool:
        return qid_is_citizen(self.qid)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def has_online_account(self) -> bool:
        return self.registered_at is not None

    def age_on(self, day: datetime.date) -> int:
        return full_years_between(self.date_of_birth, day)


class SmartCard(models.Model):
    """A physical smart ID card. At most one valid card of each kind per person."""

    person = protected_fk(Person, _("person"), related_name="cards")
    number = models.CharField(_("card number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=CardKind.choices)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    status = models.CharField(
        _("status"), max_length=12, choices=CardStatus.choices, default=CardStatus.VALID
    )
    chip_status = models.CharField(
        _("chip status"), max_length=12, choices=ChipStatus.choices, default=ChipStatus.INACTIVE
    )
    history = HistoricalRecords(verbose_name=_("historical smart card"))

    class Meta:
        verbose_name = _("smart card")
        verbose_name_plural = _("smart cards")
        # ``person_id``, not ``person``: ordering by the relation would join people.
        ordering = ["person_id", "kind", "-expires_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status="valid"),
                name="one_valid_card_per_kind",
                violation_error_message=_("This person already has a valid card of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")),
                name="card_expires_after_issue",
                violation_error_message=_("A card must expire after it was issued."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == CardStatus.VALID and self.expires_on >= day


class ReferenceSequence(models.Model):
    """Per-prefix, per-year counter behind human references such as ``ACT-2026-000123``."""

    prefix = models.CharField(_("prefix"), max_length=8)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference sequence")
        verbose_name_plural = _("reference sequences")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="one_sequence_per_prefix_year")
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last_number}"


class StatusChange(models.Model):
    """One line of a request's history: who moved it, when, from where to where, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    request = GenericForeignKey("content_type", "object_id")
    reference = models.CharField(_("reference"), max_length=20, db_index=True)
    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = protected_fk(
        settings.AUTH_USER_MODEL,
        _("by"),
        null=True,
        blank=True,
        help_text=_("Empty when the system made the change."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.reference}: {self.from_status or '-'} → {self.to_status}"


class PortalRequest(models.Model):
    """Base of every request staff or the system must process.

    Subclasses set ``REFERENCE_PREFIX``, a ``status`` field with their choices,
    ``INITIAL_STATUS`` and ``TRANSITIONS`` (``{from: {to, ...}}``): the one table
    of allowed moves, applied by ``accounts.services.request_transition`` and
    nowhere else.
    """

    REFERENCE_PREFIX = ""
    INITIAL_STATUS = ""
    TRANSITIONS: dict[str, set[str]] = {}

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    person = protected_fk(settings.AUTH_USER_MODEL, _("person"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = GenericRelation(StatusChange)
    # Every change to the row (who, when, which fields), beside the status history.
    audit_trail = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]
        # The admin lists, newest first, read this index instead of sorting the table.
        indexes = [models.Index(fields=["-created_at", "-id"], name="%(class)s_recent")]

    def __str__(self):
        return self.reference


class AccountChangeRequest(PortalRequest):
    """A change to what sign-in and codes depend on, made by two people (maker-checker).

    One person proposes it with a reason (a staff member, or the person
    themselves when the old number is lost); a different staff member holding
    ``accounts.approve_mobile_change`` approves or rejects it
    (``ACR-YYYY-NNNNNN``). Nobody decides their own proposal or a change to
    their own account: the database refuses it as well.
    """

    REFERENCE_PREFIX = "ACR"
    INITIAL_STATUS = AccountChangeStatus.PROPOSED
    TRANSITIONS = {
        AccountChangeStatus.PROPOSED: {AccountChangeStatus.APPROVED, AccountChangeStatus.REJECTED}
    }

    kind = models.CharField(_("change"), max_length=24, choices=AccountChangeKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=AccountChangeStatus.choices,
        default=AccountChangeStatus.PROPOSED,
        editable=False,
    )
    new_mobile = mobile_number(
        _("new mobile number"), help_text=_("Only for a change of the mobile number."), blank=True
    )
    reason = models.CharField(
        _("reason"),
        max_length=300,
        help_text=_("Why the change is needed and how the person's identity was checked."),
    )
    proposed_by = protected_fk(settings.AUTH_USER_MODEL, _("proposed by"))
    decided_by = protected_fk(settings.AUTH_USER_MODEL, _("decided by"), null=True, blank=True)

    class Meta(PortalRequest.Meta):
        verbose_name = _("account change request")
        verbose_name_plural = _("account change requests")
        permissions = [
            (
                "approve_mobile_change",
                _(
                    "Can approve or reject mobile number changes and second-factor "
                    "resets proposed by someone else"
                ),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("proposed_by")),
                name="account_change_checker_is_not_maker",
                violation_error_message=_("Nobody decides their own proposal."),
            ),
            models.CheckConstraint(
                condition=~Q(decided_by=models.F("person")),
                name="account_change_checker_is_not_subject",
                violation_error_message=_("Nobody decides a change to their own account."),
            ),
            models.CheckConstraint(
                condition=Q(kind=AccountChangeKind.MOBILE, new_mobile__gt="")
                | Q(kind=AccountChangeKind.SECOND_FACTOR_RESET, new_mobile=""),
                name="account_change_mobile_only_for_mobile_kind",
            ),
            models.CheckConstraint(
                condition=Q(status=AccountChangeStatus.PROPOSED, decided_by__isnull=True)
                | (~Q(status=AccountChangeStatus.PROPOSED) & Q(decided_by__isnull=False)),
                name="account_change_decided_by_when_decided",
            ),
            models.UniqueConstraint(
                fields=["person", "kind"],
                condition=Q(status=AccountChangeStatus.PROPOSED),
                name="one_open_account_change_per_kind",
                violation_error_message=_("A request of this kind is already waiting."),
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status == AccountChangeStatus.PROPOSED

    @property
    def masked_new_mobile(self) -> str:
        return mask_mobile(self.new_mobile)


class SMSDevice(Device):
    """Delivers one-time codes by SMS for one purpose to one number (django-otp device).

    Only a keyed hash of the newest code is stored, so the code exists in
    plain text nowhere but the SMS body. The failure count belongs to the
    person and purpose: asking for a new code keeps it; five wrong codes void
    the challenge, and only then does a new code start a fresh count.
    """

    purpose = models.CharField(_("purpose"), max_length=32, choices=OTPPurpose.choices)
    number = mobile_number(_("mobile number"))
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    valid_until = optional_datetime(_("code valid until"))
    requested_at = optional_datetime(_("last code requested at"))
    failures = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    # Delivery of the newest code: a random value from which the delivery task
    # derives the code (so a retried delivery texts the same code under the same
    # idempotency key), and when the provider was called and answered.
    delivery_nonce = models.CharField(max_length=32, blank=True, editable=False)
    delivery_started_at = optional_datetime(editable=False)
    delivered_at = optional_datetime(_("code sent at"))

    class Meta(Device.Meta):
        verbose_name = _("SMS code device")
        verbose_name_plural = _("SMS code devices")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "number"], name="one_sms_device_per_purpose_and_number"
            )
        ]

    # django-otp's device contract. Every limit is decided by the one code
    # policy (``accounts.otp.code_policy``); the services in ``accounts.otp``
    # lock the row and record the events.

    def token_hash_for(self, code: str) -> str:
        """The keyed hash stored for a code: bound to this device, purpose and number."""
        return salted_hmac(
            "accounts.otp", f"{self.pk}:{self.purpose}:{self.number}:{code}", algorithm="sha256"
        ).hexdigest()

    def verify_is_allowed(self):
        return _code_policy().verify_is_allowed(
            failures=self.failures, valid_until=self.valid_until if self.token_hash else None
        )

    def generate_is_allowed(self):
        policy = _code_policy()
        now = policy._now()
        sent = {}
        for reason, limit, window in policy.sending_limits():
            events = OTPEvent.objects.filter(kind=OTPEventKind.SENT, created_at__gte=now - window)
            if reason == "person_limit":
                events = events.filter(person_id=self.user_id)
            else:
                events = events.filter(number=self.number)
            sent[reason] = list(
                events.order_by("-created_at").values_list("created_at", flat=True)[:limit]
            )
        return policy.generate_is_allowed(last_sent_at=self.requested_at, sent=sent)

    def generate_challenge(self):
        """Start a new challenge; the delivery task makes the code and texts it.

        The caller holds the person's row lock and has asked
        ``generate_is_allowed()``. The previous code dies here.
        """
        policy = _code_policy()
        self.failures = policy.failures_for_new_code(self.failures)
        self.token_hash = ""
        self.valid_until = None
        self.requested_at = policy._now()
        self.delivery_nonce = secrets.token_hex(16)
        self.delivery_started_at = None
        self.delivered_at = None
        self.save(
            update_fields=[
                "token_hash",
                "valid_until",
                "requested_at",
                "failures",
                "delivery_nonce",
                "delivery_started_at",
                "delivered_at",
            ]
        )
        return None

    def verify_token(self, token) -> bool:
        """Check a code against the newest challenge; the caller locks the row.

        A right code is spent; a wrong one counts, and the last allowed wrong
        code voids the challenge.
        """
        if not self.verify_is_allowed()[0]:
            return False
        token = str(token or "")
        if len(token) == _code_policy().digits and constant_time_compare(
            self.token_hash_for(token), self.token_hash
        ):
            self.token_hash = ""
            self.valid_until = None
            self.failures = 0
            self.save(update_fields=["token_hash", "valid_until", "failures"])
            return True
        self.failures += 1
        if _code_policy().is_void(self.failures):
            self.token_hash = ""
            self.valid_until = None
        self.save(update_fields=["failures", "token_hash", "valid_until"])
        return False

    def challenge_open(self) -> bool:
        """Whether a code was sent that can still be used (or is still being texted)."""
        policy = _code_policy()
        if self.token_hash:
            return self.valid_until is not None and policy._now() <= self.valid_until
        return bool(
            self.delivery_nonce
            and self.delivery_started_at is None
            and self.requested_at
            and policy._now() <= policy.valid_until(self.requested_at)
        )


def _code_policy():
    # ``accounts.otp`` builds on these models, so it is imported when first used.
    from accounts.otp import code_policy  # noqa: PLC0415 - accounts.otp imports these models

    return code_policy


class OTPEvent(models.Model):
    """What happened to one-time codes (never the codes): for limits, support and audit."""

    person = owner_fk(Person, _("person"), related_name="otp_events")
    purpose = models.CharField(_("purpose"), max_length=32, choices=OTPPurpose.choices)
    number = models.CharField(_("mobile number"), max_length=12)
    kind = models.CharField(_("event"), max_length=16, choices=OTPEventKind.choices)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("one-time code event")
        verbose_name_plural = _("one-time code events")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "kind", "created_at"]),
            models.Index(fields=["number", "kind", "created_at"]),
        ]

    def __str__(self):
        return f"{self.person_id} {self.purpose} {self.kind}"


class PersonDataAccess(models.Model):
    """A staff member opened a person's record or document (PRODUCT.md section 2, rule 8).

    The person sees the office (the staff member's group) and the time, never
    the staff member's name.
    """

    staff = protected_fk(Person, _("staff member"))
    person = owner_fk(Person, _("person whose data was viewed"), related_name="data_accesses")
    office = models.CharField(_("office"), max_length=80)
    what = models.CharField(_("what was viewed"), max_length=120)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("personal data view")
        verbose_name_plural = _("personal data views")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["person", "-at"])]

    def __str__(self):
        return f"{self.office}: {self.what} ({self.at:%Y-%m-%d %H:%M})"


class StaffAction(models.Model):
    """An account-support action taken by staff, for audit."""

    staff = protected_fk(Person, _("staff member"))
    person = owner_fk(Person, _("person"), related_name="staff_actions")
    action = models.CharField(_("action"), max_length=40)
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff action")
        verbose_name_plural = _("staff actions")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.action} {self.person_id}"


class IdentityFlow(models.Model):
    """One registration or password-reset attempt, as typed, for one browser session.

    The page only stores what was typed here and queues the look-up, so the
    work before the answer is the same for every input. The worker fills
    ``person`` when the details match; the code page checks codes only
    through this row, so a code is bound to the session that asked for it and
    to a matching card expiry date. Rows are deleted after an hour.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(_("purpose"), max_length=32, choices=OTPPurpose.choices)
    qid = models.CharField(_("Qatar ID number"), max_length=11)
    card_expiry = models.DateField(_("card expiry date"))
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("registration or reset attempt")
        verbose_name_plural = _("registration and reset attempts")

    def __str__(self):
        return str(self.id)


class PersonSession(models.Model):
    """One signed-in browser of a person, so they can see and end it (PRODUCT.md section 3).

    The session itself lives in Django's session table; this row names it for
    the person: when and from where it started and which browser it is. The
    session store keeps ``session_key`` current when the key rotates.
    """

    person = owner_fk(Person, _("person"), related_name="sessions")
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["person", "-created_at"])]

    def __str__(self):
        return f"{self.person_id} {self.created_at:%Y-%m-%d %H:%M}"
