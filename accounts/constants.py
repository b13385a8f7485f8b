"""Choices shared by the people, cards and requests of every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    ENGLISH = "en", _("English")


class CardKind(models.TextChoices):
    CITIZEN_ID = "citizen_id", _("Citizen ID card")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
    PERMANENT_RESIDENCY = "permanent_residency", _("Permanent residency card")


class CardStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    LOST = "lost", _("Lost")
    CANCELLED = "cancelled", _("Cancelled")


class ChipStatus(models.TextChoices):
    INACTIVE = "inactive", _("Inactive")
    ACTIVE = "active", _("Active")
    BLOCKED = "blocked", _("Blocked")


class OTPPurpose(models.TextChoices):
    """What a one-time code confirms. A code issued for one purpose never validates another."""

    REGISTRATION = "registration", _("Online account registration")
    PASSWORD_RESET = "password_reset", _("Password reset")
    ESERVICES = "eservices", _("E-services step-up")
    MOBILE_CHANGE = "mobile_change", _("Mobile number change")
    RESIDENCY_SUBMISSION = "residency_submission", _("Residency application submission")
    PASSWORD_CHANGE = "password_change", _("Password change")
    PAYMENT = "payment", _("Fee payment")


class OTPEventKind(models.TextChoices):
    SENT = "sent", _("Code sent")
    VERIFIED = "verified", _("Code accepted")
    FAILED = "failed", _("Wrong code")
    VOIDED = "voided", _("Challenge voided after too many wrong codes")
    REFUSED = "refused", _("Code refused by the sending limits")


class AccountChangeKind(models.TextChoices):
    """What a two-person account change does (see ``accounts.changes``)."""

    MOBILE = "mobile", _("Change of the registered mobile number")
    SECOND_FACTOR_RESET = "second_factor_reset", _("Reset of the staff second-factor devices")


class AccountChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AccountRequestKind(models.TextChoices):
    """The kinds of ``accounts`` request in the person's one history of requests."""

    ACCOUNT_CHANGE = "account_change", _("Mobile number or sign-in change")
