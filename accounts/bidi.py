"""References and numbers inside right-to-left text.

"(PHO-2026-000001)" inside an Arabic sentence is reordered by the bidirectional
algorithm (the brackets and dashes take the Arabic direction) unless it is
isolated; ``<bdi>`` isolates it, and ``dir="ltr"`` keeps its own order.
"""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def bdi(value) -> SafeString:
    return format_html('<bdi dir="ltr">{}</bdi>', value)


def bdi_format(message: str, **values) -> SafeString:
    """``message % values`` as HTML, each value escaped and isolated."""
    return mark_safe(  # noqa: S308 - the message is escaped, every value too
        conditional_escape(message) % {name: bdi(value) for name, value in values.items()}
    )
