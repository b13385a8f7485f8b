"""The shared field declarations are the fields written out in full, to migrations and forms."""

import pytest
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import fields
from accounts.constants import CardStatus
from accounts.models import Person, private_file, private_storage, random_upload_name
from accounts.validators import mobile_validator


@pytest.mark.parametrize(
    ("declared", "written_out"),
    [
        pytest.param(
            fields.optional_datetime("sent at", help_text="Empty until sent.", editable=False),
            models.DateTimeField(
                "sent at", null=True, blank=True, help_text="Empty until sent.", editable=False
            ),
            id="optional_datetime",
        ),
        pytest.param(
            fields.optional_date("due on", db_index=True),
            models.DateField("due on", null=True, blank=True, db_index=True),
            id="optional_date",
        ),
        pytest.param(
            fields.protected_fk(Person, "decided by", null=True, blank=True),
            models.ForeignKey(
                Person,
                on_delete=models.PROTECT,
                null=True,
                blank=True,
                related_name="+",
                verbose_name="decided by",
            ),
            id="protected_fk",
        ),
        pytest.param(
            fields.owner_fk(Person, "person", related_name="events"),
            models.ForeignKey(
                Person, on_delete=models.CASCADE, related_name="events", verbose_name="person"
            ),
            id="owner_fk",
        ),
        pytest.param(
            fields.mobile_number("mobile", help_text="International form.", blank=True),
            models.CharField(
                "mobile",
                max_length=12,
                blank=True,
                validators=[mobile_validator],
                help_text="International form.",
            ),
            id="mobile_number",
        ),
        pytest.param(
            fields.workflow_status(CardStatus.choices, max_length=12, help_text="By hand never."),
            models.CharField(
                _("status"),
                max_length=12,
                choices=CardStatus.choices,
                editable=False,
                help_text="By hand never.",
            ),
            id="workflow_status",
        ),
        pytest.param(
            private_file("photo", blank=True),
            models.FileField(
                "photo", storage=private_storage, upload_to=random_upload_name, blank=True
            ),
            id="private_file",
        ),
    ],
)
def test_a_shared_declaration_deconstructs_as_the_field_written_out(declared, written_out):
    assert declared.deconstruct()[1:] == written_out.deconstruct()[1:]
