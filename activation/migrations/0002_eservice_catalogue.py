"""The e-service catalogue as the ministry offers it (PRODUCT.md section 1).

Staff edit it in admin afterwards; this migration only creates missing rows.
"""

from django.db import migrations

CATALOGUE = [
    {
        "code": "e-payment",
        "name_en": "E-payment",
        "name_ar": "الدفع الإلكتروني",
        "description_en": "Pay ministry fees and fines online with the smart ID card.",
        "description_ar": "سداد رسوم الوزارة والمخالفات إلكترونيًا باستخدام البطاقة الذكية.",
        "minimum_age": 18,
        "needs_photo": False,
    },
    {
        "code": "electronic-documents",
        "name_en": "Electronic documents",
        "name_ar": "الوثائق الإلكترونية",
        "description_en": "Certificates and e-copies of your documents, signed electronically.",
        "description_ar": "الشهادات والنسخ الإلكترونية من وثائقك موقعة إلكترونيًا.",
        "minimum_age": 0,
        "needs_photo": True,
    },
    {
        "code": "traffic-services",
        "name_en": "Traffic services",
        "name_ar": "خدمات المرور",
        "description_en": "Driving licences, vehicle registration and traffic violations.",
        "description_ar": "رخص القيادة وتسجيل المركبات والمخالفات المرورية.",
        "minimum_age": 18,
        "needs_photo": False,
    },
    {
        "code": "visa-services",
        "name_en": "Visa services",
        "name_ar": "خدمات التأشيرات",
        "description_en": "Apply for and follow visit and family visas.",
        "description_ar": "طلب تأشيرات الزيارة والعائلة ومتابعتها.",
        "minimum_age": 18,
        "needs_photo": False,
    },
    {
        "code": "residency-services",
        "name_en": "Residency services",
        "name_ar": "خدمات الإقامة",
        "description_en": "Residence permits and the permanent residency card.",
        "description_ar": "تصاريح الإقامة وبطاقة الإقامة الدائمة.",
        "minimum_age": 18,
        "needs_photo": False,
    },
    {
        "code": "e-gate",
        "name_en": "E-gate and travel",
        "name_ar": "البوابة الإلكترونية والسفر",
        "description_en": "Cross the airport e-gates with your smart ID card.",
        "description_ar": "العبور من البوابات الإلكترونية في المطار ببطاقتك الذكية.",
        "minimum_age": 0,
        "needs_photo": True,
    },
]


def add_catalogue(apps, schema_editor):
    EService = apps.get_model("activation", "EService")
    for position, entry in enumerate(CATALOGUE, start=1):
        EService.objects.get_or_create(
            code=entry["code"], defaults={**entry, "position": position * 10}
        )


def remove_catalogue(apps, schema_editor):
    EService = apps.get_model("activation", "EService")
    EService.objects.filter(code__in=[entry["code"] for entry in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("activation", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
