"""Form rendering shared by every page: a field's input tied to its own error."""

from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext

from accounts.bidi import bdi
from accounts.durations import duration_text, working_days_text

register = template.Library()


@register.filter
def with_error_description(field):
    """The widget of ``field``, marked invalid and described by its error message
    (and its help text) when it has errors, so a screen reader reads both."""
    if not field.errors:
        return field.as_widget()
    described_by = [f"{field.auto_id}_error"]
    if field.help_text:
        described_by.insert(0, f"{field.auto_id}_helptext")
    return field.as_widget(
        attrs={"aria-invalid": "true", "aria-describedby": " ".join(described_by)}
    )


@register.filter
def translated_label(text: str) -> str:
    """An English label stored in the database ("Residency document: Passport
    copy"), shown in the page's language, part by part."""
    return ": ".join(gettext(part) for part in text.split(": "))


@register.filter
def duration(value) -> str:
    """Seconds or a timedelta as words: "5 minutes", "دقيقتان"."""
    return duration_text(value)


@register.filter
def working_days(value: int) -> str:
    return working_days_text(value)


@register.filter(name="bdi")
def bdi_filter(value):
    """A reference or number isolated from the text around it (``accounts.bidi``)."""

    return bdi(value)


@register.simple_tag
def select_options(choices, selected):
    """``<option>`` elements for ``(value, label)`` pairs, ``selected`` marked, in one
    pass: a template loop spent some fifty calls on each option."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )
