"""Turn the E-payment service on for the demo residents who pay residency fees.

Runs after ``seed_demo`` (which creates the people) through the same service
as the portal's activation page. ``seed_residency_demo`` calls it first, since
paying a fee needs E-payment on the card (PRODUCT.md 6.8). Safe to re-run.
"""

import uuid

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Person, SmartCard
from activation.models import CardService, EService
from activation.services import activation_confirm

EPAYMENT = "e-payment"
# Maria (the reviewer's demo application) and Rajesh (who applies in the demo).
RESIDENT_QIDS = ("27960800011", "27535600008")


def epayment_activate(person: Person) -> SmartCard | None:
    """Turn E-payment on for ``person``'s newest card and return that card;
    ``None`` when there is no card or E-payment is already on it."""
    service = EService.objects.get(code=EPAYMENT)
    card = person.cards.order_by("-expires_on").first()
    if (
        card is None
        or CardService.objects.filter(
            card=card, service=service, deactivated_at__isnull=True
        ).exists()
    ):
        return None
    activation_confirm(person=person, card=card, services=[service], idempotency_key=uuid.uuid4())
    return card


class Command(BaseCommand):
    help = "Activate E-payment on the cards of the demo residents."

    @transaction.atomic
    def handle(self, *args, **options):
        for person in Person.objects.filter(qid__in=RESIDENT_QIDS).order_by("qid"):
            if card := epayment_activate(person):
                self.stdout.write(f"E-payment is active on card {card.number} of {person.qid}.")
