"""Page chrome rendered once per process: ``{% fixed_fragment "name" LANGUAGE_CODE %}``.

The header links, the brand and the footer are the same on every page for
everyone reading in one language; rendering them (a dozen translations and
URL reversals each) was most of what a signed-in page cost beyond Django's
own request handling. This tag keeps the rendered text in the process, keyed
by its name and the values after it, the way Django's cached template loader
keeps compiled templates: it is derived from the templates, the translation
catalogues and the settings only, so every process renders the same text and
a deployment (new processes) starts afresh. Nothing from the database, the
person or the request may go inside; put those next to the fragment. With
``DEBUG`` on nothing is kept, so edited templates show at once.
"""

from django import template
from django.conf import settings

register = template.Library()

_rendered: dict[tuple, str] = {}
# The keys are a handful of fragments times the languages; a key that varies
# with anything else is a mistake, and must not grow without bound.
MAX_FRAGMENTS = 200


class FragmentNode(template.Node):
    """Renders its content once per key (its name and the values after it) and
    repeats the text while the store it keeps it in lives."""

    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def store(self, context) -> dict | None:
        """Where rendered text is kept; ``None`` renders every time."""
        raise NotImplementedError

    def render(self, context):
        store = self.store(context)
        if store is None:
            return self.nodelist.render(context)
        key = (self.name, *(str(value.resolve(context)) for value in self.vary_on))
        text = store.get(key)
        if text is None:
            text = self.nodelist.render(context)
            if len(store) < MAX_FRAGMENTS:
                store[key] = text
        return text


class FixedFragmentNode(FragmentNode):
    def store(self, context):
        return None if settings.DEBUG else _rendered


class RequestFragmentNode(FragmentNode):
    def store(self, context):
        request = getattr(context, "request", None)
        return None if request is None else request.__dict__.setdefault("_request_fragments", {})


def _fragment_tag(node_class, parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse((f"end{bits[0]}",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return node_class(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])


@register.tag
def fixed_fragment(parser, token):
    return _fragment_tag(FixedFragmentNode, parser, token)


@register.tag
def request_fragment(parser, token):
    """``{% request_fragment "name" value... %}``: rendered once per request and
    repeated as it is, for a part of the page shown twice (the site navigation,
    in the header and in the small-screen menu). Unlike ``fixed_fragment`` it
    may hold the person's name and the CSRF token: nothing outlives the request."""
    return _fragment_tag(RequestFragmentNode, parser, token)
