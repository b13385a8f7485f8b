"""Whole pages that are the same for every visitor who is not signed in.

The home page and the empty sign-in form show nothing of the visitor: only
the language, the page's own address (the language switch) and, in a form,
the CSRF token. They are rendered once per language into the shared cache
("copies", which fails open: with Redis down every page is rendered as
before) with a stand-in where the token goes, and each visitor gets the text
with a freshly masked token of their own, exactly what a render would give.

A request that could see anything else is rendered as usual: a signed-in
person, a query string (``?next=``), messages waiting to be shown, ``DEBUG``
(edited templates show at once). What the database holds on such a page
(the home page's service list) is forgotten with it: ``keys()`` names what
to delete. A new release never serves the previous one's pages: each copy
carries a digest of the code, templates, translations and pinned packages
that drew it, and a process of another release draws the page again.
"""

import functools
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

# What the page gets for ``{% csrf_token %}`` while it is rendered for everyone;
# letters only, so escaping leaves it as it is.
CSRF_STAND_IN = "sharedpagecsrftokenstandin" * 2
# An edit of what the page shows forgets it at once; the timeout only bounds
# a copy written by a request that read the database before the edit.
TIMEOUT = 5 * 60


# What draws a page: the apps' code, the templates, the compiled translations,
# the static files whose names the pages carry, and the pinned packages
# (Django's own templates and translations among them).
_SOURCES = (
    "accounts",
    "activation",
    "messaging",
    "moi_portal",
    "residency",
    "templates",
    "locale",
    "static",
)
_SUFFIXES = {".py", ".html", ".txt", ".mo", ".css", ".js", ".svg"}
_FILES = ("requirements.txt",)


@functools.cache
def release_digest() -> str:
    """The same in every process of one release, and different in the next."""
    digest = hashlib.sha256(f"simulation={settings.SIMULATION_MODE}".encode())
    paths = [settings.BASE_DIR / name for name in _FILES]
    for folder in _SOURCES:
        paths += sorted((settings.BASE_DIR / folder).rglob("*"))
    for path in paths:
        if path.is_file() and (path.suffix in _SUFFIXES or path.name in _FILES):
            digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _key(name: str, language: str) -> str:
    return f"shared-page:{name}:{language}"


def keys(name: str) -> list[str]:
    """The shared cache's keys of the page in every language, to delete with
    whatever else an edit makes stale, in one call."""
    return [_key(name, code) for code, _ in settings.LANGUAGES]


def _shareable(request: HttpRequest) -> bool:
    return (
        not settings.DEBUG
        and request.method in ("GET", "HEAD")
        and not request.META.get("QUERY_STRING")
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


class _ProcessCopies:
    """Copies kept in this process, for a page drawn from the release alone (no
    database): every process draws its own once, and a deployment starts
    afresh, as Django's cached template loader does."""

    def __init__(self):
        self._copies = {}

    def get(self, key):
        return self._copies.get(key)

    def set(self, key, value, timeout):
        self._copies[key] = value

    def clear(self):
        self._copies.clear()


_process_copies = _ProcessCopies()


def shared_page(
    request: HttpRequest,
    name: str,
    render: Callable[[], HttpResponse],
    *,
    from_release_only: bool = False,
):
    """The page ``render()`` draws, drawn once per language for every anonymous visitor.

    ``from_release_only``: nothing on the page comes from the database, so each
    process keeps its copy in memory and no request asks Redis for it.
    """
    if not _shareable(request):
        return render()
    copies = _process_copies if from_release_only else caches["copies"]
    key = _key(name, translation.get_language())
    kept = copies.get(key)
    if kept is not None and kept[:2] == (release_digest(), request.path):
        text = kept[2]
    else:
        request.shared_page_render = True
        try:
            response = render()
            if hasattr(response, "render"):
                response.render()
        finally:
            del request.shared_page_render
        if response.status_code != 200:
            return render()  # not kept: drawn again with the visitor's own token
        text = response.content.decode(response.charset)
        copies.set(key, (release_digest(), request.path, text), TIMEOUT)
    if CSRF_STAND_IN in text:
        text = text.replace(CSRF_STAND_IN, get_token(request))
    return HttpResponse(text)


def csrf_stand_in(request: HttpRequest) -> dict:
    """Context processor: the stand-in token while a shared page is drawn. It runs
    after Django's own ``csrf`` processor, so it replaces that one's token."""
    if getattr(request, "shared_page_render", False):
        return {"csrf_token": CSRF_STAND_IN}
    return {}
