"""Forget the cached catalogue when an administrator changes it.

Forgotten at once and again after the commit: a page rendered between the
two could otherwise put the old rows back into the cache.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from activation.models import EService
from activation.selectors import eservice_catalogue_forget


@receiver(post_save, sender=EService)
@receiver(post_delete, sender=EService)
def eservice_changed(sender, **kwargs):
    eservice_catalogue_forget()
    transaction.on_commit(eservice_catalogue_forget, robust=True)
