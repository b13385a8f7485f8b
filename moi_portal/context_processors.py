from django.conf import settings
from django.urls import translate_url
from django.utils import translation

_LANGUAGES = [("ar", "العربية"), ("en", "English")]


def _other_language_url(path: str, current: str, code: str) -> str:
    """``path`` in language ``code``. The URL patterns are not translated, so
    swapping the language prefix is what ``translate_url`` (a resolve and a
    reverse) would give; anything else goes through it."""
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path.removeprefix(prefix)}"
    return translate_url(path, code)


def portal(request):
    """Links to this same page in the other languages, for the language switcher."""
    current = translation.get_language()
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": path if code == current else _other_language_url(path, current, code),
                "current": code == current,
            }
            for code, name in _LANGUAGES
        ],
        "SIMULATION_MODE": settings.SIMULATION_MODE,
        "SESSION_IDLE_TIMEOUT": settings.SESSION_IDLE_TIMEOUT,
        "SESSION_IDLE_WARNING": settings.SESSION_IDLE_WARNING,
    }
