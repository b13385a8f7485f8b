"""The fees at the time of writing: QR 3,000 for the application and 3,000 for the card."""

import datetime
from decimal import Decimal

from django.db import migrations

FEES = {"application": Decimal("3000.00"), "card": Decimal("3000.00")}
SINCE = datetime.date(2020, 1, 1)


def seed(apps, schema_editor):
    Fee = apps.get_model("residency", "Fee")
    for kind, amount in FEES.items():
        Fee.objects.get_or_create(kind=kind, effective_from=SINCE, defaults={"amount": amount})


class Migration(migrations.Migration):
    dependencies = [("residency", "0007_fees_and_payments")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
