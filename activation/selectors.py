"""Reads of the e-service catalogue."""

from activation.models import EService


def eservice_list_offered():
    return list(EService.objects.filter(is_active=True))
