"""Two tabs, a double click, a back-button replay: racing on two real database connections.

Each thread has its own connection and transaction, so the card row lock in
``activation_confirm`` is what serialises them, as it does between two app
processes in production.
"""

import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from activation.models import ActivationRequest, CardService
from activation.services import ActivationRefused, activation_confirm
from tests.factories import EServiceFactory, PersonFactory, SmartCardFactory
from tests.helpers import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite locks the whole file: only PostgreSQL (CI) has the row locks this tests.
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


@pytest.fixture
def ready():
    # Earlier transactional tests may have flushed and recreated content types.
    ContentType.objects.clear_cache()
    person = PersonFactory()
    person.photo.name = "2026/01/approved.jpg"
    person.save()
    card = SmartCardFactory(person=person)
    services = [
        EServiceFactory(code="e-payment", minimum_age=18),
        EServiceFactory(code="electronic-documents", needs_photo=True),
    ]
    return person, card, services


def confirm_call(person, card, services, key):
    return lambda: activation_confirm(
        person=person, card=card, services=services, idempotency_key=key
    )


def test_two_tabs_confirming_at_once_create_exactly_one_request(ready):
    person, card, services = ready

    outcomes = race([confirm_call(person, card, services, uuid.uuid4()) for _ in range(2)])

    created = [o for o in outcomes if isinstance(o, tuple)]
    refused = [o for o in outcomes if isinstance(o, ActivationRefused)]
    assert len(created) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "already_active"
    assert ActivationRequest.objects.count() == 1
    assert CardService.objects.filter(card=card).count() == 2


def test_a_double_submit_racing_itself_creates_one_request_and_both_see_it(ready):
    person, card, services = ready
    key = uuid.uuid4()

    outcomes = race([confirm_call(person, card, services, key) for _ in range(4)])

    assert all(isinstance(o, tuple) for o in outcomes), outcomes
    assert sorted(created for _request, created in outcomes) == [False, False, False, True]
    assert len({request.reference for request, _created in outcomes}) == 1
    assert ActivationRequest.objects.count() == 1
    assert CardService.objects.filter(card=card).count() == 2
