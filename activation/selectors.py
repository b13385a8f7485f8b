"""Reads of the activation app: the catalogue per card, the cards and the profile.

Every selector that takes a ``person`` only returns that person's rows, which
is how the pages keep rule 8 (confidentiality) without re-checking it each time.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.db.models import QuerySet

from accounts.audit import data_access_list
from accounts.constants import AccountChangeStatus
from accounts.models import AccountChangeRequest, Person, SmartCard
from accounts.rules import Failure
from activation.constants import ServiceState
from activation.eligibility import eligibility_failures
from activation.models import (
    ActivationRequest,
    CardService,
    ChipRequest,
    CorrectionRequest,
    DeactivationRequest,
    EService,
    PhotoRequest,
)
from moi_portal import shared_pages

# The catalogue is the same for everyone and changes only when an
# administrator edits it (activation.signals forgets it then), so every page
# reads it from the shared cache. The timeouts bound what a write that sends
# no signal (a data migration, a queryset update) could leave behind: an hour
# for the catalogue, as long again for the home page's service list drawn
# from it, and five minutes more for the whole home page (moi_portal.shared_pages).
CATALOGUE_CACHE_KEY = "activation:eservices-offered"
CATALOGUE_CACHE_SECONDS = 60 * 60
# templates/home.html caches its rendered service list per language.
HOME_SERVICES_FRAGMENT = "home_services"


def eservice_list_offered() -> list[EService]:
    services = caches["copies"].get(CATALOGUE_CACHE_KEY)
    if services is None:
        services = list(EService.objects.filter(is_active=True))
        caches["copies"].set(CATALOGUE_CACHE_KEY, services, CATALOGUE_CACHE_SECONDS)
    return services


def eservice_catalogue_forget() -> None:
    """Drop the cached catalogue and the home page's service list in every language."""
    caches["copies"].delete_many(
        [
            CATALOGUE_CACHE_KEY,
            *shared_pages.keys("home"),
            *(
                make_template_fragment_key(HOME_SERVICES_FRAGMENT, [code])
                for code, _ in settings.LANGUAGES
            ),
        ]
    )


def card_queryset_for_person(person: Person) -> QuerySet[SmartCard]:
    return SmartCard.objects.filter(person=person)


def card_list_for_person(person: Person) -> list[SmartCard]:
    return list(card_queryset_for_person(person).order_by("status", "kind", "-expires_on"))


def card_service_active_list(card: SmartCard) -> list[CardService]:
    return list(
        CardService.objects.filter(card=card, deactivated_at__isnull=True)
        .select_related("service")
        .order_by("service__position", "service__code")
    )


def card_service_active_get(*, card: SmartCard, code: str) -> CardService | None:
    return (
        CardService.objects.filter(card=card, service__code=code, deactivated_at__isnull=True)
        .select_related("service")
        .first()
    )


@dataclass
class CatalogueEntry:
    service: EService
    state: str
    failures: list[Failure] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.state == ServiceState.ACTIVE

    @property
    def is_available(self) -> bool:
        return self.state == ServiceState.AVAILABLE

    @property
    def state_label(self) -> str:
        return ServiceState(self.state).label


def catalogue_for_card(
    *,
    person: Person,
    card: SmartCard,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> list[CatalogueEntry]:
    """Each offered service with its state on ``card``: active, available or not eligible."""
    active_ids = {row.service_id for row in card_service_active_list(card)}
    entries = []
    for service in eservice_list_offered():
        if service.pk in active_ids:
            entries.append(CatalogueEntry(service, ServiceState.ACTIVE))
            continue
        failures = eligibility_failures(
            person=person, card=card, service=service, today=today, now=now
        )
        state = ServiceState.NOT_ELIGIBLE if failures else ServiceState.AVAILABLE
        entries.append(CatalogueEntry(service, state, failures))
    return entries


def chip_request_open_for_card(card: SmartCard) -> ChipRequest | None:
    return ChipRequest.objects.awaiting_decision().filter(card=card).first()


@dataclass
class CardOverview:
    card: SmartCard
    open_chip_request: ChipRequest | None


def card_overview_list(person: Person) -> list[CardOverview]:
    """The person's cards, each with its open chip request if any (two queries)."""
    cards = card_list_for_person(person)
    open_requests = ChipRequest.objects.awaiting_decision().filter(card__in=cards)
    by_card = {request.card_id: request for request in open_requests}
    return [CardOverview(card, by_card.get(card.pk)) for card in cards]


def profile_context(person: Person) -> dict:
    """What the profile page shows: register data, cards and open requests."""
    return {
        "person": person,
        "cards": card_list_for_person(person),
        "open_photo_request": photo_request_open_for_person(person),
        "open_corrections": [
            *CorrectionRequest.objects.awaiting_decision().filter(person=person),
            *AccountChangeRequest.objects.filter(
                person=person, status=AccountChangeStatus.PROPOSED
            ),
        ],
        "data_accesses": data_access_list(person=person),
    }


def photo_request_open_for_person(person: Person) -> PhotoRequest | None:
    return PhotoRequest.objects.awaiting_decision().filter(person=person).first()


def photo_request_get(*, reference: str) -> PhotoRequest | None:
    """A photo request by reference; who may see it is ``activation.policies``' call."""
    return PhotoRequest.objects.filter(reference=reference).first()


def activation_request_exists(*, reference: str) -> bool:
    return any(
        model.objects.filter(reference=reference).exists()
        for model in (ActivationRequest, DeactivationRequest)
    )


def activation_request_for_person(*, person: Person, reference: str):
    """An activation or deactivation request of ``person`` by reference, or ``None``."""
    for model in (ActivationRequest, DeactivationRequest):
        found = (
            model.objects.filter(person=person, reference=reference)
            .select_related("card")
            .prefetch_related("services")
            .first()
        )
        if found:
            return found
    return None
