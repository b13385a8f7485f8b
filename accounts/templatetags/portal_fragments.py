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


class FixedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, *(str(value.resolve(context)) for value in self.vary_on))
        text = _rendered.get(key)
        if text is None:
            text = self.nodelist.render(context)
            if len(_rendered) < MAX_FRAGMENTS:
                _rendered[key] = text
        return text


@register.tag
def fixed_fragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse(("endfixed_fragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FixedFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])


class RequestFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        request = getattr(context, "request", None)
        if request is None:
            return self.nodelist.render(context)
        rendered = request.__dict__.setdefault("_request_fragments", {})
        key = (self.name, *(str(value.resolve(context)) for value in self.vary_on))
        text = rendered.get(key)
        if text is None:
            text = rendered[key] = self.nodelist.render(context)
        return text


@register.tag
def request_fragment(parser, token):
    """``{% request_fragment "name" value... %}``: rendered once per request and
    repeated as it is, for a part of the page shown twice (the site navigation,
    in the header and in the small-screen menu). Unlike ``fixed_fragment`` it
    may hold the person's name and the CSRF token: nothing outlives the request."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse(("endrequest_fragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return RequestFragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
