"""Random Unicode in every URL parameter and every form never gives a 5xx.

The URL patterns come from the resolver, so a new page is covered as soon as
it is routed; the forms are found by reading the pages, as a person would.
The random text includes NUL, lone surrogates (sent as the bytes a broken
client would send), bidi controls, 10,000-character strings and Arabic-Indic,
Persian and superscript digits. It runs on the suite's database: PostgreSQL
in CI, which is where NUL and out-of-range numbers used to fail.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from accounts.constants import OTPPurpose
from accounts.models import SmartCard
from tests.factories import PersonFactory, SmartCardFactory
from tests.helpers import grant_stepup
from tests.residency.factories import ApplicationFactory, ResidentFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 5
# No shrinking: the failing path or form is reported as found, which keeps a
# failing run as short as a passing one.
RANDOM = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
)

TRICKY = [
    "\x00",
    "a\x00b",
    "\ud800",  # lone high surrogate
    "x\udfffy",  # lone low surrogate
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e\u2066\u2069\u061c",  # bidi marks and isolates
    "2856³400001",
    "²⁸⁵⁶³⁴⁰⁰⁰⁰¹",
    "٢٨٥٦٣٤٠٠٠٠١",
    "۲۸۵۶۳۴۰۰۰۰۱",
    "٠",
    "x" * 10_000,
    "٣" * 10_000,
    "99999999999999999999999",
    "-1",
    "0",
    "2026-02-30",
    "../../etc/passwd",
    "%",
    "%00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\ufeff",
    "\U0001f600",
    "",
    " ",
]
random_text = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.lists(st.sampled_from(TRICKY[:11]) | st.text(max_size=4), max_size=4).map("".join),
)


def wire(text: str) -> bytes:
    """The bytes a client sends for ``text``; a lone surrogate becomes the
    invalid UTF-8 a broken client would produce."""
    return text.encode("utf-8", "surrogatepass")


def quoted(text: str, safe: str = "") -> str:
    return quote_from_bytes(wire(text), safe=safe)


def form_body(fields: dict[str, str]) -> bytes:
    return urlencode({wire(name): wire(value) for name, value in fields.items()}).encode()


# --- URL patterns that take a parameter, from the resolver -------------------

TOKEN = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns, chain=()):
    for entry in patterns:
        here = (*chain, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, here)
        elif isinstance(entry, URLPattern):
            yield here


def _takes_parameters(chain) -> bool:
    return any(
        (isinstance(part, RoutePattern) and part.converters)
        or (isinstance(part, RegexPattern) and part.regex.groups)
        for part in chain
    )


PARAMETER_ROUTES = [
    chain for chain in _walk(get_resolver().url_patterns) if _takes_parameters(chain)
]


def _route_id(chain) -> str:
    return "".join(str(part) for part in chain) or "/"


def _piece(part):
    """A strategy for the text of one pattern in a chain, percent-encoded."""
    if isinstance(part, LocalePrefixPattern):
        return st.sampled_from(["ar/", "en/"])
    if isinstance(part, RegexPattern):
        return st.from_regex(part.regex, fullmatch=True).map(lambda text: quoted(text, safe="/"))
    pieces, start = [], 0
    route = part._route
    for token in TOKEN.finditer(route):
        pieces.append(st.just(route[start : token.start()]))
        converter = part.converters[token["name"]]
        matching = st.from_regex(f"(?:{converter.regex})", fullmatch=True)
        pieces.append((matching | random_text).map(quoted))
        start = token.end()
    pieces.append(st.just(route[start:]))
    return st.tuples(*pieces).map("".join)


def _path(chain):
    return st.tuples(*(_piece(part) for part in chain)).map(lambda parts: "/" + "".join(parts))


@pytest.fixture
def clients():
    """Not signed in, a resident with a draft application and every step-up
    granted, and a superuser."""
    anonymous = Client(raise_request_exception=False)
    # Signed in directly: no password, so no slow hashing for each test.
    resident = ResidentFactory(password=None)
    application = ApplicationFactory(person=resident)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(resident)
    card = resident.cards.get()
    grant_stepup(signed_in, purpose=OTPPurpose.ESERVICES, scope=f"card:{card.pk}")
    grant_stepup(signed_in, purpose=OTPPurpose.MOBILE_CHANGE, scope=f"card:{card.pk}")
    grant_stepup(
        signed_in,
        purpose=OTPPurpose.RESIDENCY_SUBMISSION,
        scope=f"application:{application.reference}",
    )
    superuser = Client(raise_request_exception=False)
    superuser.force_login(PersonFactory(password=None, is_staff=True, is_superuser=True))
    return [anonymous, signed_in, superuser]


def _server_errors(checks) -> list[str]:
    """Run every check (a Hypothesis test) and collect the failures, so one
    run reports every route or form that gives a 5xx, not only the first."""
    failures = []
    for label, check in checks:
        try:
            check()
        except AssertionError as error:
            failures.append(f"{label}: {error}")
    return failures


def test_random_url_parameters_never_give_a_server_error(clients):
    def check(chain):
        @RANDOM
        @given(
            path=_path(chain),
            who=st.sampled_from(clients),
            method=st.sampled_from(["get", "post"]),
            query=st.dictionaries(random_text, random_text, max_size=2),
        )
        def request(path, who, method, query):
            if query:
                path = f"{path}?{form_body(query).decode()}"
            response = getattr(who, method)(path)
            assert response.status_code < 500, path[:300]

        return request

    assert len(PARAMETER_ROUTES) > 20  # the resolver walk found the portal's and admin's routes
    failures = _server_errors((_route_id(chain), check(chain)) for chain in PARAMETER_ROUTES)
    assert not failures, "\n".join(failures)


# --- Every form on every page without a parameter ---------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: action and field names (not the CSRF token)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str]]] = []
        self._fields: set[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = set()
            if (attrs.get("method") or "").lower() == "post":
                self.forms.append((attrs.get("action") or "", self._fields))
        elif (
            tag in {"input", "select", "textarea", "button"}
            and self._fields is not None
            and attrs.get("name")
            and attrs["name"] != "csrfmiddlewaretoken"
        ):
            self._fields.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None


PAGE_ROUTES = [
    chain
    for chain in _walk(get_resolver().url_patterns)
    if not _takes_parameters(chain) and "admin/" not in _route_id(chain)
]


def _page_url(chain) -> str:
    if isinstance(chain[0], LocalePrefixPattern):
        return "/en/" + "".join(part._route for part in chain[1:])
    return "/" + "".join(part._route for part in chain)


def test_random_form_input_never_gives_a_server_error(clients):
    anonymous, signed_in, _ = clients
    # Pages that show their form only part-way through a flow: the code step
    # of a registration, and the step-up code page for the resident's card.
    newcomer = SmartCardFactory(person=PersonFactory(password=None, unregistered=True))
    anonymous.post(
        "/en/accounts/register/",
        {"qid": newcomer.person.qid, "card_expiry": newcomer.expires_on.isoformat()},
    )
    card = SmartCard.objects.get(person_id=signed_in.session["_auth_user_id"])
    stepup = "/en/accounts/confirm/?" + urlencode(
        {"purpose": OTPPurpose.ESERVICES, "scope": f"card:{card.pk}", "next": "/en/"}
    )
    pages = [(_page_url(chain), (anonymous, signed_in)) for chain in PAGE_ROUTES]
    pages.append((stepup, (signed_in,)))

    forms = {}
    for page, visitors in pages:
        for who in visitors:
            response = who.get(page)
            assert response.status_code < 500, page
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                parser = _Forms()
                parser.feed(response.content.decode())
                # A form with nothing to type (sign out) has nothing random to send.
                for action, names in parser.forms:
                    if names:
                        forms[id(who), action or page, frozenset(names)] = who

    def check(who, action, names):
        @RANDOM
        @given(values=st.fixed_dictionaries(dict.fromkeys(sorted(names), random_text)))
        def post(values):
            response = who.post(
                action, form_body(values), content_type="application/x-www-form-urlencoded"
            )
            assert response.status_code < 500, (action, {k: v[:50] for k, v in values.items()})

        return post

    assert len(forms) > 10  # sign-in, registration, reset, profile, residency steps...
    failures = _server_errors(
        (action, check(who, action, names)) for (_, action, names), who in forms.items()
    )
    assert not failures, "\n".join(failures)
