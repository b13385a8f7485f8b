"""Seed the service centres; staff edit them in admin afterwards.

The staff groups and their permissions are kept in ``accounts.roles``.
"""

import datetime

from django.db import migrations

CENTRES = [
    (
        "al-rayyan",
        "Al Rayyan Service Centre",
        "مركز خدمات الريان",
        "Al Rayyan Road, Al Rayyan",
        "طريق الريان، الريان",
    ),
    (
        "al-wakra",
        "Al Wakra Service Centre",
        "مركز خدمات الوكرة",
        "Al Wakra Main Street, Al Wakra",
        "شارع الوكرة الرئيسي، الوكرة",
    ),
    (
        "umm-salal",
        "Umm Salal Service Centre",
        "مركز خدمات أم صلال",
        "Umm Salal Mohammed, Umm Salal",
        "أم صلال محمد، أم صلال",
    ),
    (
        "al-khor",
        "Al Khor Service Centre",
        "مركز خدمات الخور",
        "Al Khor Coastal Road, Al Khor",
        "الطريق الساحلي، الخور",
    ),
    (
        "madinat-khalifa",
        "Madinat Khalifa Service Centre",
        "مركز خدمات مدينة خليفة",
        "Madinat Khalifa South, Doha",
        "مدينة خليفة الجنوبية، الدوحة",
    ),
]



def seed(apps, schema_editor):
    ServiceCentre = apps.get_model("residency", "ServiceCentre")
    for code, name_en, name_ar, address_en, address_ar in CENTRES:
        ServiceCentre.objects.update_or_create(
            code=code,
            defaults={
                "name_en": name_en,
                "name_ar": name_ar,
                "address_en": address_en,
                "address_ar": address_ar,
                "opens_at": datetime.time(7, 0),
                "closes_at": datetime.time(14, 0),
                "slot_minutes": 20,
                "capacity_per_slot": 4,
            },
        )


def unseed(apps, schema_editor):
    ServiceCentre = apps.get_model("residency", "ServiceCentre")
    ServiceCentre.objects.filter(code__in=[centre[0] for centre in CENTRES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("residency", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
