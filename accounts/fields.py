"""Field declarations the models of every app share.

They carry rules that hold across the portal: a moment or a day that has not
happened yet is empty (NULL); a row that records point at (a person, a card,
a request) cannot be deleted while they do (``PROTECT``), and a row that only
belongs to another is deleted with it (``CASCADE``); a request's ``status``
moves only along its ``TRANSITIONS`` table, so no form or admin page edits
it; a mobile number has one length and one validator everywhere. The
functions return plain Django fields, so migrations see exactly what they
would see written out in full.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.validators import mobile_validator


def optional_datetime(verbose_name=None, *, help_text="", **kwargs) -> models.DateTimeField:
    """A moment that may not have happened yet: empty until it does."""
    return models.DateTimeField(verbose_name, null=True, blank=True, help_text=help_text, **kwargs)


def optional_date(verbose_name=None, *, help_text="", **kwargs) -> models.DateField:
    """A day that may not be known yet: empty until it is."""
    return models.DateField(verbose_name, null=True, blank=True, help_text=help_text, **kwargs)


def protected_fk(to, verbose_name, *, related_name="+", **kwargs) -> models.ForeignKey:
    """A reference that keeps its target: the row cannot be deleted while this points at it.

    Without a ``related_name`` the target gets no reverse accessor.
    """
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )


def owner_fk(to, verbose_name, *, related_name, **kwargs) -> models.ForeignKey:
    """A reference to the row this one belongs to: deleting the owner deletes this row."""
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=verbose_name,
        **kwargs,
    )


def mobile_number(verbose_name, *, help_text="", **kwargs) -> models.CharField:
    """A Qatar mobile number in international form, e.g. +97455123456."""
    return models.CharField(
        verbose_name, max_length=12, validators=[mobile_validator], help_text=help_text, **kwargs
    )


def workflow_status(choices, *, max_length: int, help_text) -> models.CharField:
    """A request's status: moved only along its ``TRANSITIONS``, never edited by hand."""
    return models.CharField(
        _("status"), max_length=max_length, choices=choices, editable=False, help_text=help_text
    )
