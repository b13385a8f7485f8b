"""The field declarations the models of every app share, made in one place.

Three rules hold for every model: a moment or a day that has not happened yet
is empty (NULL), never a stand-in value; a row that records point at (a
person, a card, a request) cannot be deleted while they do (``PROTECT``); and
a request's ``status`` moves only through its ``TRANSITIONS`` table, so no
form or admin page edits it. The functions return plain Django fields, so
migrations see exactly what they would see written out in full.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def optional_datetime(verbose_name=None, help_text="", **kwargs) -> models.DateTimeField:
    """A moment that may not have happened yet: empty until it does."""
    return models.DateTimeField(verbose_name, null=True, blank=True, help_text=help_text, **kwargs)


def optional_date(verbose_name=None, help_text="", **kwargs) -> models.DateField:
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


def workflow_status(choices, *, max_length: int, help_text) -> models.CharField:
    """A request's status: moved only along its ``TRANSITIONS``, never edited by hand."""
    return models.CharField(
        _("status"), max_length=max_length, choices=choices, editable=False, help_text=help_text
    )
