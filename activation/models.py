"""E-services that can be activated on a smart ID card (PRODUCT.md sections 1 and 2)."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class EService(models.Model):
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

    class Meta:
        verbose_name = _("e-service")
        verbose_name_plural = _("e-services")
        ordering = ["position", "code"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if translation.get_language() == "en" else self.name_ar

    @property
    def description(self) -> str:
        return self.description_en if translation.get_language() == "en" else self.description_ar
