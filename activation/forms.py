"""Forms of the activation pages.

The service selection only offers what the catalogue offers: a tampered
service id is a form error, never a 500. Eligibility itself is not repeated
here; the services ask ``activation.eligibility``.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.uploads import IMAGE_KINDS, PHOTO_MIN_SIDE, upload_clean
from accounts.validators import normalize_qatar_mobile
from activation.models import EService


class ServiceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ServiceSelectionForm(forms.Form):
    """The services the person ticked in the catalogue (or confirms on the review page)."""

    services = ServiceChoiceField(
        label=_("E-services"),
        queryset=EService.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
        error_messages={
            "required": _("Select at least one service."),
            "invalid_choice": _("A selected service is not in the catalogue. Start again."),
            "invalid_pk_value": _("A selected service is not in the catalogue. Start again."),
        },
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.fields["services"].queryset = choices


class ConfirmForm(ServiceSelectionForm):
    """The review page's form: the selection again, and the key that makes it idempotent."""

    token = forms.UUIDField(widget=forms.HiddenInput)

    @staticmethod
    def new_token() -> uuid.UUID:
        return uuid.uuid4()


class CorrectionForm(forms.Form):
    """Register data the person says is wrong. Only filled fields are changes."""

    name_ar = forms.CharField(label=_("Correct name in Arabic"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Correct name in English"), max_length=200, required=False)
    date_of_birth = forms.DateField(
        label=_("Correct date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "dir": "ltr"}, format="%Y-%m-%d"),
    )
    nationality = forms.ChoiceField(
        label=_("Correct nationality"),
        choices=lambda: [("", "—"), *countries],
        required=False,
    )
    details = forms.CharField(
        label=_("Explanation"),
        help_text=_("What is wrong, and which document shows the right data."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        fields = ("name_ar", "name_en", "date_of_birth", "nationality")
        if not any(cleaned.get(name) for name in fields):
            raise ValidationError(
                _("Enter at least one value that should change."), code="nothing_changed"
            )
        return cleaned


class MobileChangeForm(forms.Form):
    mobile = forms.CharField(
        label=_("New mobile number"),
        help_text=_("A Qatar mobile number, e.g. 5512 3456. We will send a code to it."),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    old_number_lost = forms.BooleanField(
        label=_("I no longer have my old number"),
        help_text=_("Staff will then check your identity before the change."),
        required=False,
    )

    def __init__(self, *args, current_mobile: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.current_mobile = current_mobile
        if not current_mobile:
            del self.fields["old_number_lost"]

    def clean_mobile(self):
        mobile = normalize_qatar_mobile(self.cleaned_data["mobile"])
        if mobile == self.current_mobile:
            raise ValidationError(
                _("This is already your registered number."), code="mobile_unchanged"
            )
        return mobile


class PhotoUploadForm(forms.Form):
    photo = forms.FileField(
        label=_("Personal photo"),
        help_text=_(
            "A recent, clear photo of your face on a plain background. "
            "JPEG or PNG, at least 600×600 pixels, up to 5 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def clean_photo(self):
        return upload_clean(self.cleaned_data["photo"], kinds=IMAGE_KINDS, min_side=PHOTO_MIN_SIDE)
