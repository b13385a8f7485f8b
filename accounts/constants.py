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
