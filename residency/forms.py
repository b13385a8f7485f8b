"""Forms of the application pages and the back-office decisions.

Files are judged by ``accounts.uploads.upload_clean``, the portal's one
upload pipeline; the form only chooses its limits (images only and at least
600×600 pixels for the personal photo, PRODUCT.md section 6.3).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.uploads import ALL_KINDS, IMAGE_KINDS, PHOTO_MIN_SIDE, upload_clean
from accounts.validators import to_ascii_digits
from residency.constants import MAX_DAYS_ABROAD_PER_YEAR, DocumentKind
from residency.eligibility import declaration_years, eligibility_basis
from residency.models import Application, ServiceCentre


class BasisForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["basis"]
        widgets = {"basis": forms.RadioSelect}
        labels = {"basis": _("On which basis do you apply?")}
        help_texts = {
            "basis": _("Law No. 10 of 2018 on Permanent Residency. Choose the one that fits you.")
        }

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["basis"].required = True
        self.fields["basis"].choices = [
            choice for choice in self.fields["basis"].choices if choice[0]
        ]

    def clean_basis(self):
        """The years of residence are known from the register: say now if they fall short."""
        basis = self.cleaned_data["basis"]
        failures = eligibility_basis(
            person=self.instance.person,
            basis=basis,
            days_abroad={str(year): 0 for year in declaration_years(basis=basis, today=self.today)},
            today=self.today,
        )
        if failures:
            raise ValidationError([ValidationError(f.reason, code=f.code) for f in failures])
        return basis


class ResidenceForm(forms.Form):
    """Days outside Qatar in each year of the residence period, one field per year."""

    def __init__(
        self, *args, person, basis: str, today: datetime.date, initial_days: dict, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.person, self.basis, self.today = person, basis, today
        years = declaration_years(basis=basis, today=today)
        self.years = years
        for year in years:
            self.fields[self.field_name(year)] = forms.IntegerField(
                label=_("Days outside Qatar in %(year)s") % {"year": year},
                min_value=0,
                max_value=366,
                initial=initial_days.get(str(year)),
                help_text=_("At most %(max)d days are allowed in any year.")
                % {"max": MAX_DAYS_ABROAD_PER_YEAR},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "dir": "ltr"}),
            )

    @staticmethod
    def field_name(year: int) -> str:
        return f"days_{year}"

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            failures = eligibility_basis(
                person=self.person,
                basis=self.basis,
                days_abroad=self.days_abroad(),
                today=self.today,
            )
            for failure in failures:
                if failure.code == "too_long_abroad":
                    self.add_error(None, ValidationError(failure.reason, code=failure.code))
        return cleaned

    def days_abroad(self) -> dict[str, int]:
        return {str(year): self.cleaned_data[self.field_name(year)] for year in self.years}


class IncomeField(forms.DecimalField):
    """A whole amount in Qatari riyals, as people type it: "18,000", "١٨٠٠٠" or "18000 QAR"."""

    default_error_messages = {
        "invalid": _("Enter the amount in Qatari riyals as a number, for example 18000."),
        "max_decimal_places": _("Enter the amount in whole riyals, without dirhams."),
        "max_digits": _("This amount is too large. Enter your monthly income in Qatari riyals."),
        "max_whole_digits": _(
            "This amount is too large. Enter your monthly income in Qatari riyals."
        ),
    }

    def to_python(self, value):
        if isinstance(value, str):
            value = to_ascii_digits(value).replace("٫", ".")
            for noise in (",", "٬", " ", "\u00a0", "QAR", "qar", "QR", "ر.ق"):
                value = value.replace(noise, "")
        return super().to_python(value)


class EmploymentForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["employer", "occupation", "monthly_income"]
        field_classes = {"monthly_income": IncomeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True
        income = self.fields["monthly_income"]
        income.error_messages["required"] = _("Enter your monthly income in Qatari riyals.")
        # A text box, not type=number: browsers would refuse "18,000" or Arabic digits.
        income.widget = forms.TextInput(attrs={"inputmode": "decimal", "dir": "ltr"})


class CentreForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["preferred_centre"]
        widgets = {"preferred_centre": forms.RadioSelect}
        labels = {"preferred_centre": _("Where do you want to collect your card?")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_centre"]
        field.required = True
        field.empty_label = None
        field.queryset = ServiceCentre.objects.filter(is_active=True)
        field.label_from_instance = lambda centre: f"{centre.name} — {centre.address}"


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "JPEG, PNG or PDF, up to 5 MB. The photo must be JPEG or PNG, 600×600 or more."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}),
    )

    def __init__(self, *args, kinds: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, DocumentKind(kind).label) for kind in kinds]

    def clean(self):
        cleaned = super().clean()
        kind, uploaded = cleaned.get("kind"), cleaned.get("file")
        if kind and uploaded:
            photo = kind == DocumentKind.PHOTO
            try:
                cleaned["upload"] = upload_clean(
                    uploaded,
                    kinds=IMAGE_KINDS if photo else ALL_KINDS,
                    min_side=PHOTO_MIN_SIDE if photo else 0,
                )
            except ValidationError as error:
                self.add_error("file", error)
        return cleaned


class DeclarationForm(forms.Form):
    true_and_complete = forms.BooleanField(
        label=_("I declare that the information and documents I gave are true and complete.")
    )
    conditions = forms.BooleanField(
        label=_(
            "I confirm that I have a basic knowledge of Arabic, have not been convicted of a "
            "crime, and have a lawful income that supports me and my family."
        )
    )


class RescheduleForm(forms.Form):
    slot = forms.TypedChoiceField(label=_("Free times"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (
                slot.pk,
                "{}–{}".format(
                    formats.time_format(timezone.localtime(slot.starts_at), "TIME_FORMAT"),
                    formats.time_format(timezone.localtime(slot.ends_at), "TIME_FORMAT"),
                ),
            )
            for slot in slots
        ]


class DecisionForm(forms.Form):
    APPROVE, REJECT, REQUEST_INFORMATION = "approve", "reject", "request_information"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            (APPROVE, _("Approve")),
            (REJECT, _("Reject")),
            (REQUEST_INFORMATION, _("Request more information")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to reject (the reason) or to request more information."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("decision") in (self.REJECT, self.REQUEST_INFORMATION)
            and not (cleaned.get("message") or "").strip()
        ):
            self.add_error("message", _("Write the message the applicant will read."))
        return cleaned


class CollectionForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=20,
        help_text=_("As printed on the permanent residency card handed over."),
    )
