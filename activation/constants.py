"""Choices of the activation app: request states, eligibility rules and decisions.

Each request model has its own small state table (``TRANSITIONS`` on the
model); the names of the states live here so forms, admin and templates share
one spelling and one translation.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import transitions


class ServiceRequestStatus(models.TextChoices):
    """Activation and deactivation requests: recorded, then completed in the same transaction."""

    SUBMITTED = "submitted", _("Submitted")
    COMPLETED = "completed", _("Completed")


class ReviewStatus(models.TextChoices):
    """Requests staff decide: chip activation, data correction, personal photo."""

    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# The state tables (``TRANSITIONS`` on the models) and what is read off them.
SERVICE_REQUEST_TRANSITIONS = {ServiceRequestStatus.SUBMITTED: {ServiceRequestStatus.COMPLETED}}
REVIEW_TRANSITIONS = {ReviewStatus.SUBMITTED: {ReviewStatus.APPROVED, ReviewStatus.REJECTED}}
# Staff have still to approve or reject.
AWAITING_REVIEW = transitions.sources(REVIEW_TRANSITIONS, ReviewStatus.APPROVED)


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class RequestKind(models.TextChoices):
    """The kinds of request listed on the "My requests" page."""

    ACTIVATION = "activation", _("E-services activation")
    DEACTIVATION = "deactivation", _("E-service deactivation")
    CHIP = "chip", _("Chip activation")
    CORRECTION = "correction", _("Data correction")
    PHOTO = "photo", _("Personal photo")


class Rule(models.TextChoices):
    """The eligibility rules of PRODUCT.md section 2, in the order the ministry lists them.

    The values are stable codes: tests, templates and support scripts name a
    rule by its code, never by its translated reason.
    """

    VALID_CARD = "valid_card", _("Valid smart ID card")
    CHIP_ACTIVE = "chip_active", _("Active card chip")
    DATA_VERIFIED = "data_verified", _("Personal data verified")
    MOBILE_LINKED = "mobile_linked", _("Mobile number linked")
    DATA_REVIEWED = "data_reviewed", _("Data confirmed within 12 months")
    MINIMUM_AGE = "minimum_age", _("Minimum age")
    PHOTO_APPROVED = "photo_approved", _("Approved personal photo")


class ServiceState(models.TextChoices):
    """How a service appears in the catalogue for one card."""

    ACTIVE = "active", _("Active")
    AVAILABLE = "available", _("Available")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
