"""Permanent residency applications, documents and appointments (PRODUCT.md section 6).

An ``Application`` (``PR-YYYY-NNNNNN``) moves only along its ``TRANSITIONS``
table, applied by ``accounts.services.request_transition`` from the services
in ``residency.services``. The database guards what the services check: at
most one open application per person, one current document of each kind per
application, and never more bookings on a slot than its capacity.
"""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from accounts.fields import (
    optional_date,
    optional_datetime,
    owner_fk,
    protected_fk,
    workflow_status,
)
from accounts.models import (
    LocalisedName,
    PortalRequest,
    SmartCard,
    localised,
    private_file,
)
from accounts.transitions import status_q
from residency.constants import (
    AWAITING_DECISION,
    CLOSED_STATUSES,
    DECIDED_STATUSES,
    MAX_RESCHEDULES,
    NEVER_SUBMITTED,
    REQUIRED_RESIDENCE_YEARS,
    SUBMITTED_STATUSES,
    TRANSITIONS,
    ApplicationStatus,
    Basis,
    DocumentKind,
    FeeKind,
    PaymentStatus,
    required_documents,
)

S = ApplicationStatus


class PublicHoliday(LocalisedName):
    """A Qatari public holiday: no decision clock runs and no centre opens on it."""

    date = models.DateField(_("date"), unique=True, help_text=_("The day the offices are closed."))
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class ServiceCentre(LocalisedName):
    """An MOI service centre where permanent residency cards are collected."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)
    address_ar = models.CharField(_("address in Arabic"), max_length=250)
    address_en = models.CharField(_("address in English"), max_length=250)
    opens_at = models.TimeField(
        _("opens at"), default=datetime.time(7, 0), help_text=_("Sunday to Thursday.")
    )
    closes_at = models.TimeField(
        _("closes at"),
        default=datetime.time(14, 0),
        help_text=_("The last appointment ends at this time."),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length in minutes"), default=20, help_text=_("Length of one appointment.")
    )
    capacity_per_slot = models.PositiveSmallIntegerField(
        _("capacity per slot"),
        default=4,
        help_text=_("How many people the centre serves in one slot."),
    )
    is_active = models.BooleanField(
        _("open for appointments"),
        default=True,
        help_text=_("Applicants can choose it and appointments are booked there."),
    )

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["name_en"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")),
                name="centre_closes_after_opening",
                violation_error_message=_("A centre must close after it opens."),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5) & Q(capacity_per_slot__gte=1),
                name="centre_slot_length_and_capacity_positive",
                violation_error_message=_(
                    "Slots last at least 5 minutes and serve at least one person."
                ),
            ),
        ]

    @property
    def address(self) -> str:
        return localised(self, "address")


class AppointmentSlot(models.Model):
    """One appointment time at a centre; ``booked`` never exceeds ``capacity``."""

    centre = owner_fk(ServiceCentre, _("service centre"), related_name="slots")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), help_text=_("Copied from the centre when the slot is created.")
    )
    booked = models.PositiveSmallIntegerField(
        _("booked"), default=0, help_text=_("Appointments currently in this slot.")
    )

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["starts_at", "centre_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "starts_at"], name="one_slot_per_centre_time"
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")),
                name="slot_never_over_capacity",
                violation_error_message=_("This slot is full."),
            ),
        ]

    def __str__(self):
        return f"{self.centre} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def free(self) -> int:
        return self.capacity - self.booked


class ApplicationQuerySet(models.QuerySet):
    """The reviewers' queues, with the states read off ``TRANSITIONS``."""

    def open(self):
        return self.exclude(status_q(CLOSED_STATUSES))

    def awaiting_decision(self):
        return self.filter(status_q(AWAITING_DECISION))

    def overdue(self, today: datetime.date):
        return self.awaiting_decision().filter(decision_due_on__lt=today)

    def due_today(self, today: datetime.date):
        return self.awaiting_decision().filter(decision_due_on=today)

    def due_later(self, today: datetime.date):
        return self.awaiting_decision().filter(decision_due_on__gt=today)


class Application(PortalRequest):
    """An application for a permanent residency card (``PR-YYYY-NNNNNN``)."""

    REFERENCE_PREFIX = "PR"
    INITIAL_STATUS = S.DRAFT
    TRANSITIONS = TRANSITIONS

    objects = ApplicationQuerySet.as_manager()

    status = workflow_status(
        ApplicationStatus.choices,
        max_length=24,
        help_text=_("Changed only by the application's workflow, never edited by hand."),
    )
    basis = models.CharField(
        _("basis"),
        max_length=32,
        choices=Basis.choices,
        blank=True,
        help_text=_("The ground of Law No. 10 of 2018 the application relies on."),
    )
    days_abroad = models.JSONField(
        _("days outside Qatar per year"),
        default=dict,
        blank=True,
        help_text=_("Declared by the applicant for each year of the residence period."),
    )
    employer = models.CharField(
        _("employer or sponsor"),
        max_length=200,
        blank=True,
        help_text=_("Who employs or supports the applicant."),
    )
    occupation = models.CharField(
        _("occupation"), max_length=120, blank=True, help_text=_("The applicant's job title.")
    )
    monthly_income = models.DecimalField(
        _("monthly income (QAR)"),
        max_digits=10,
        decimal_places=0,
        validators=[
            MinValueValidator(1, message=_("Enter a monthly income above zero, in Qatari riyals."))
        ],
        null=True,
        blank=True,
        help_text=_("Gross monthly income in Qatari riyals."),
    )
    preferred_centre = protected_fk(
        ServiceCentre,
        _("preferred service centre"),
        null=True,
        blank=True,
        help_text=_("Where the applicant wants to collect the card."),
    )
    declared_at = optional_datetime(
        _("declaration made at"), help_text=_("When the applicant confirmed the declaration.")
    )
    submitted_at = optional_datetime(
        _("submitted at"),
        help_text=_("First submission; the decision clock restarts on resubmission."),
    )
    clock_started_on = optional_date(
        _("decision clock started on"),
        help_text=_("The day of the latest submission or resubmission."),
    )
    decision_due_on = optional_date(
        _("decision due on"),
        help_text=_("Five working days after the latest submission or resubmission."),
        db_index=True,
    )
    decided_at = optional_datetime(
        _("decided at"), help_text=_("When a reviewer approved or rejected the application.")
    )

    class Meta(PortalRequest.Meta):
        verbose_name = _("permanent residency application")
        verbose_name_plural = _("permanent residency applications")
        permissions = [
            ("review_application", _("Can review permanent residency applications")),
            ("record_collection", _("Can record the collection of permanent residency cards")),
        ]
        # The states come from ``TRANSITIONS`` (residency.constants).
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~status_q(CLOSED_STATUSES),
                name="one_open_residency_application_per_person",
                violation_error_message=_("This person already has an open application."),
            ),
            models.CheckConstraint(
                condition=Q(
                    declared_at__isnull=True,
                    submitted_at__isnull=True,
                    clock_started_on__isnull=True,
                    decision_due_on__isnull=True,
                )
                | Q(
                    declared_at__isnull=False,
                    submitted_at__isnull=False,
                    clock_started_on__isnull=False,
                    decision_due_on__isnull=False,
                    decision_due_on__gte=F("clock_started_on"),
                ),
                name="application_submission_dates_together",
            ),
            models.CheckConstraint(
                condition=~status_q(NEVER_SUBMITTED) | Q(submitted_at__isnull=True),
                name="application_draft_not_submitted",
            ),
            models.CheckConstraint(
                condition=~status_q(SUBMITTED_STATUSES) | Q(submitted_at__isnull=False),
                name="application_submitted_has_dates",
            ),
            models.CheckConstraint(
                condition=status_q(DECIDED_STATUSES) & Q(decided_at__isnull=False)
                | ~status_q(DECIDED_STATUSES) & Q(decided_at__isnull=True),
                name="application_decided_at_when_decided",
            ),
            models.CheckConstraint(
                condition=status_q(S.values), name="application_status_in_workflow"
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__isnull=True) | Q(monthly_income__gt=0),
                name="application_income_positive",
                violation_error_message=_("Enter a monthly income above zero, in Qatari riyals."),
            ),
        ]
        # The reviewers' list is ordered by due date (residency.admin); the queue
        # (awaiting a decision, by due date) has its own small index.
        indexes = [
            *PortalRequest.Meta.indexes,
            models.Index(fields=["decision_due_on", "id"], name="application_due"),
            models.Index(
                fields=["decision_due_on", "id"],
                condition=status_q(AWAITING_DECISION),
                name="application_awaiting_due",
            ),
        ]

    @property
    def needs_residence_history(self) -> bool:
        return self.basis in REQUIRED_RESIDENCE_YEARS

    @property
    def required_document_kinds(self) -> tuple[str, ...]:
        return required_documents(self.basis)

    def days_abroad_lines(self) -> list[str]:
        """The declared days outside Qatar, newest year first: "2025: 12 days"."""
        return [
            ngettext("%(year)s: %(days)s day", "%(year)s: %(days)s days", days)
            % {"year": year, "days": days}
            for year, days in sorted(self.days_abroad.items(), reverse=True)
        ]


class Document(models.Model):
    """One version of a document attached to an application.

    A replacement adds a version and keeps the earlier ones, so a reviewer can
    see what was sent before a request for more information.
    """

    application = owner_fk(Application, _("application"), related_name="documents")
    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(
        _("version"), help_text=_("1 for the first upload, then one more for each replacement.")
    )
    is_current = models.BooleanField(
        _("current"), default=True, help_text=_("The latest version of this document.")
    )
    file = private_file(
        _("file"), help_text=_("Checked and cleaned on upload; stored outside every public URL.")
    )
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = protected_fk(settings.AUTH_USER_MODEL, _("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application_id", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "version"], name="one_document_version_per_kind"
            ),
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(is_current=True),
                name="one_current_document_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.get_kind_display()} v{self.version}"

    @property
    def download_name(self) -> str:
        extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
        suffix = extension.get(self.content_type, "")
        return f"{self.application.reference}-{self.kind}-v{self.version}{suffix}"


class Appointment(models.Model):
    """The card collection appointment of an approved application."""

    application = models.OneToOneField(
        Application,
        on_delete=models.CASCADE,
        related_name="appointment",
        verbose_name=_("application"),
    )
    slot = protected_fk(AppointmentSlot, _("slot"), related_name="appointments")
    reschedules = models.PositiveSmallIntegerField(
        _("reschedules by the applicant"),
        default=0,
        help_text=_("The applicant may reschedule twice."),
    )
    reminder_sent_for = optional_datetime(
        _("reminder sent for"),
        help_text=_("The start time of the slot the last reminder was about."),
    )
    collected_at = optional_datetime(
        _("card collected at"), help_text=_("Recorded by the service-centre clerk.")
    )

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(reschedules__lte=MAX_RESCHEDULES),
                name="appointment_reschedules_within_limit",
                violation_error_message=_("The applicant may reschedule twice."),
            ),
        ]

    def __str__(self):
        return f"{self.application} {self.slot}"


class Fee(models.Model):
    """One amount of one fee, in force from a day until a newer row takes over.

    The schedule is the history: a row that has taken effect is never edited
    or deleted (the admin refuses it); a new amount is a new row with a later
    ``effective_from``. The fee in force on a day is the newest row that took
    effect on or before it (``residency.payments.fee_in_force``).
    """

    kind = models.CharField(_("fee"), max_length=16, choices=FeeKind.choices)
    amount = models.DecimalField(
        _("amount (QAR)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(1)],
        help_text=_("In Qatari riyals."),
    )
    effective_from = models.DateField(
        _("effective from"), help_text=_("The first day this amount is charged.")
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)
    created_by = protected_fk(
        settings.AUTH_USER_MODEL, _("added by"), null=True, blank=True, editable=False
    )

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "effective_from"],
                name="one_fee_amount_per_kind_and_day",
                violation_error_message=_("This fee already has an amount from that day."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="fee_amount_positive",
                violation_error_message=_("A fee is a positive amount."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} ({self.effective_from:%Y-%m-%d})"

    def has_taken_effect(self, today: datetime.date | None = None) -> bool:
        return self.pk is not None and self.effective_from <= (today or timezone.localdate())


class Payment(PortalRequest):
    """A simulated e-payment of one fee of one application (receipt ``RCT-YYYY-NNNNNN``).

    A fee is charged at most once: the idempotency key of the payment form
    makes a retried request find its first payment, and the partial unique
    constraint refuses a second paid row for the same application and fee,
    whichever tab or process sends it.
    """

    REFERENCE_PREFIX = "RCT"
    INITIAL_STATUS = PaymentStatus.PAID
    TRANSITIONS = {PaymentStatus.PAID: {PaymentStatus.REFUNDED}}

    status = workflow_status(
        PaymentStatus.choices,
        max_length=16,
        help_text=_("Changed only by a payment or a refund, never edited by hand."),
    )
    application = protected_fk(Application, _("application"), related_name="payments")
    kind = models.CharField(_("paid for"), max_length=16, choices=FeeKind.choices)
    fee = protected_fk(
        Fee,
        _("fee schedule row"),
        related_name="payments",
        help_text=_("The amount in force on the day of payment."),
    )
    amount = models.DecimalField(_("amount (QAR)"), max_digits=10, decimal_places=2)
    card = protected_fk(
        SmartCard,
        _("paid with card"),
        help_text=_("The smart card whose e-payment service was used."),
    )
    idempotency_key = models.UUIDField(
        _("idempotency key"),
        unique=True,
        editable=False,
        help_text=_("Sent with the payment form; a retried form finds its first payment."),
    )
    refunded_at = optional_datetime(_("refunded at"), editable=False)
    refund_reason = models.CharField(_("refund reason"), max_length=300, blank=True)

    class Meta(PortalRequest.Meta):
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [("refund_payment", _("Can refund unused fees of withdrawn applications"))]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(status=PaymentStatus.PAID),
                name="one_paid_fee_per_application_and_kind",
                violation_error_message=_("This fee is already paid."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(status=PaymentStatus.PAID, refunded_at__isnull=True)
                | Q(status=PaymentStatus.REFUNDED, refunded_at__isnull=False),
                name="payment_refunded_has_time",
            ),
        ]
