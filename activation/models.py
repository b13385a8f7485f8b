"""E-services on the smart ID card and the requests around them (PRODUCT.md sections 1, 2, 5).

Every citizen action is a ``PortalRequest`` with a human reference and a
status history. The requests that staff decide (chip activation, data
correction, personal photo) carry a custom ``decide_*`` permission; only
the service functions in ``activation.services`` move their status.

The database guards the invariants the services check: a service is active
at most once on a card, a card has at most one open chip request, a person at
most one open photo request, and an idempotency key creates one request only.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from accounts.fields import (
    mobile_number,
    optional_date,
    optional_datetime,
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
from accounts.validators import mask_mobile
from activation.constants import (
    AWAITING_REVIEW,
    REVIEW_TRANSITIONS,
    SERVICE_REQUEST_TRANSITIONS,
    ReviewStatus,
    ServiceRequestStatus,
)


class EService(LocalisedName):
    """An entry of the e-service catalogue; staff edit it in admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ar = models.CharField(_("name in Arabic"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)
    description_ar = models.TextField(_("description in Arabic"), blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(
        _("minimum age"), default=0, help_text=_("Age in years the person must have reached.")
    )
    needs_photo = models.BooleanField(
        _("needs an approved photo"),
        default=False,
        help_text=_("The person must have an approved personal photo on file."),
    )
    is_active = models.BooleanField(
        _("offered"), default=True, help_text=_("Shown in the catalogue and can be activated.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("e-service")
        verbose_name_plural = _("e-services")
        ordering = ["position", "code"]

    @property
    def description(self) -> str:
        return localised(self, "description")


def _status_field(choices):
    return workflow_status(
        choices,
        max_length=16,
        help_text=_("Changed only by the request's workflow, never edited by hand."),
    )


class CardServiceRequest(PortalRequest):
    """What activation and deactivation share: a card, the services, an idempotency key.

    The key is generated when the review page is shown. Submitting the same
    page twice (double click, back button, retry) finds the request the key
    already made instead of making another.
    """

    INITIAL_STATUS = ServiceRequestStatus.SUBMITTED
    TRANSITIONS = SERVICE_REQUEST_TRANSITIONS

    status = _status_field(ServiceRequestStatus.choices)
    card = protected_fk(
        SmartCard, _("smart card"), help_text=_("The card the services are changed on.")
    )
    services = models.ManyToManyField(
        EService,
        related_name="+",
        verbose_name=_("e-services"),
        help_text=_("The services the person selected."),
    )
    idempotency_key = models.UUIDField(
        _("idempotency key"),
        unique=True,
        editable=False,
        help_text=_(
            "Generated with the review page; the same page submitted twice is one request."
        ),
    )

    class Meta(PortalRequest.Meta):
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=status_q(ServiceRequestStatus.values),
                name="%(class)s_status_in_workflow",
            )
        ]


class ActivationRequest(CardServiceRequest):
    """The person activated e-services on a card (``ACT-YYYY-NNNNNN``)."""

    REFERENCE_PREFIX = "ACT"

    class Meta(CardServiceRequest.Meta):
        verbose_name = _("activation request")
        verbose_name_plural = _("activation requests")


class DeactivationRequest(CardServiceRequest):
    """The person deactivated e-services on a card (``DEA-YYYY-NNNNNN``)."""

    REFERENCE_PREFIX = "DEA"

    class Meta(CardServiceRequest.Meta):
        verbose_name = _("deactivation request")
        verbose_name_plural = _("deactivation requests")


class CardService(models.Model):
    """One e-service active on one card, from its activation until its deactivation.

    Rows are never deleted: a deactivated row stays as the record of when the
    service was on. The partial unique constraint is the last line of defence
    against two tabs activating the same service at once.
    """

    card = protected_fk(SmartCard, _("smart card"), related_name="eservices")
    service = protected_fk(EService, _("e-service"), related_name="card_services")
    activation = protected_fk(
        ActivationRequest,
        _("activation request"),
        related_name="card_services",
        help_text=_("The request that turned the service on."),
    )
    activated_at = models.DateTimeField(_("activated at"))
    deactivation = protected_fk(
        DeactivationRequest,
        _("deactivation request"),
        related_name="card_services",
        null=True,
        blank=True,
        help_text=_("Empty while the service is active."),
    )
    deactivated_at = optional_datetime(
        _("deactivated at"), help_text=_("Empty while the service is active.")
    )

    audit_trail = HistoricalRecords()

    class Meta:
        verbose_name = _("e-service on a card")
        verbose_name_plural = _("e-services on cards")
        # Ordered by columns of this table only: ordering by a related row's
        # field would join it into every query. Pages order by position in
        # their selectors.
        ordering = ["card_id", "-activated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "service"],
                condition=Q(deactivated_at__isnull=True),
                name="one_active_service_per_card",
                violation_error_message=_("This service is already active on this card."),
            ),
            models.CheckConstraint(
                condition=Q(deactivated_at__isnull=True, deactivation__isnull=True)
                | Q(deactivated_at__isnull=False, deactivation__isnull=False),
                name="deactivation_has_request_and_time",
            ),
        ]

    def __str__(self):
        return f"{self.card} · {self.service}"

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class ReviewedRequestQuerySet(models.QuerySet):
    def awaiting_decision(self):
        """The staff's queue: requests nobody has approved or rejected yet."""
        return self.filter(status_q(AWAITING_REVIEW))


class ReviewedRequest(PortalRequest):
    """A request staff approve or reject; the reason goes into the status history note."""

    INITIAL_STATUS = ReviewStatus.SUBMITTED
    TRANSITIONS = REVIEW_TRANSITIONS

    status = _status_field(ReviewStatus.choices)

    objects = ReviewedRequestQuerySet.as_manager()

    class Meta(PortalRequest.Meta):
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=status_q(ReviewStatus.values), name="%(class)s_status_in_workflow"
            )
        ]
        # The staff's queue, newest first, reads only the requests still waiting.
        indexes = [
            *PortalRequest.Meta.indexes,
            models.Index(
                fields=["-created_at", "-id"],
                condition=status_q(AWAITING_REVIEW),
                name="%(class)s_waiting",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in AWAITING_REVIEW


class ChipRequest(ReviewedRequest):
    """Activate the electronic chip of a card (``CHIP-YYYY-NNNNNN``); staff decide."""

    REFERENCE_PREFIX = "CHIP"

    card = protected_fk(
        SmartCard,
        _("smart card"),
        related_name="chip_requests",
        help_text=_("The card whose chip should be activated."),
    )

    class Meta(ReviewedRequest.Meta):
        verbose_name = _("chip activation request")
        verbose_name_plural = _("chip activation requests")
        permissions = [("decide_chiprequest", _("Can approve or reject chip activation requests"))]
        constraints = [
            *ReviewedRequest.Meta.constraints,
            models.UniqueConstraint(
                fields=["card"],
                condition=status_q(AWAITING_REVIEW),
                name="one_open_chip_request_per_card",
                violation_error_message=_("A chip activation request for this card is open."),
            ),
        ]


class CorrectionRequest(ReviewedRequest):
    """A change to register data the person asked for (``COR-YYYY-NNNNNN``).

    Nothing reaches the register until staff approve, except a mobile change
    confirmed by codes sent to both the old and the new number.
    """

    REFERENCE_PREFIX = "COR"

    name_ar = models.CharField(
        _("name in Arabic"), max_length=200, blank=True, help_text=_("Empty when unchanged.")
    )
    name_en = models.CharField(
        _("name in English"), max_length=200, blank=True, help_text=_("Empty when unchanged.")
    )
    date_of_birth = optional_date(_("date of birth"), help_text=_("Empty when unchanged."))
    nationality = CountryField(_("nationality"), blank=True, help_text=_("Empty when unchanged."))
    mobile = mobile_number(
        _("new mobile number"),
        help_text=_("Confirmed with a code sent to this number. Empty when unchanged."),
        blank=True,
    )
    old_mobile_confirmed = models.BooleanField(
        _("old number confirmed"),
        default=False,
        help_text=_("A code sent to the old number was entered; otherwise staff check identity."),
    )
    details = models.TextField(
        _("explanation"),
        blank=True,
        help_text=_("What is wrong and which document shows the right data."),
    )

    class Meta(ReviewedRequest.Meta):
        verbose_name = _("data correction request")
        verbose_name_plural = _("data correction requests")
        permissions = [
            ("decide_correctionrequest", _("Can approve or reject data correction requests"))
        ]
        constraints = [
            *ReviewedRequest.Meta.constraints,
            models.CheckConstraint(
                condition=Q(old_mobile_confirmed=False) | Q(mobile__gt=""),
                name="correction_old_number_confirmed_only_for_mobile",
            ),
        ]

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile)

    @property
    def changes(self) -> dict[str, object]:
        """The register fields this request would change, with their new values."""
        fields = ("name_ar", "name_en", "date_of_birth", "nationality", "mobile")
        return {name: getattr(self, name) for name in fields if getattr(self, name)}


class PhotoRequest(ReviewedRequest):
    """A personal photo waiting for staff review (``PHO-YYYY-NNNNNN``).

    The file was checked and re-encoded by ``accounts.uploads.upload_clean``;
    it is stored under a random name outside every URL space.
    """

    REFERENCE_PREFIX = "PHO"

    photo = private_file(
        _("photo"),
        help_text=_("JPEG or PNG, at least 600×600 pixels, re-encoded without metadata."),
    )
    width = models.PositiveIntegerField(_("width in pixels"))
    height = models.PositiveIntegerField(_("height in pixels"))

    class Meta(ReviewedRequest.Meta):
        verbose_name = _("personal photo request")
        verbose_name_plural = _("personal photo requests")
        permissions = [("decide_photorequest", _("Can approve or reject personal photos"))]
        constraints = [
            *ReviewedRequest.Meta.constraints,
            models.UniqueConstraint(
                fields=["person"],
                condition=status_q(AWAITING_REVIEW),
                name="one_open_photo_request_per_person",
                violation_error_message=_("A photo of this person is waiting for review."),
            ),
        ]
