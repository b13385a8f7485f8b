"""Reads for the accounts pages."""

from accounts.models import Person


def person_get(*, pk: int) -> Person:
    return Person.objects.get(pk=pk)
