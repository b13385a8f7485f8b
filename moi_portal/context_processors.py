from django.conf import settings
from django.urls import translate_url
from django.utils import translation


def portal(request):
    """Links to this same page in the other languages, for the language switcher."""
    current = translation.get_language()
    path = request.get_full_path()
    return {
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, name in [("ar", "العربية"), ("en", "English")]
        ],
        "SIMULATION_MODE": settings.SIMULATION_MODE,
        "SESSION_IDLE_TIMEOUT": settings.SESSION_IDLE_TIMEOUT,
        "SESSION_IDLE_WARNING": settings.SESSION_IDLE_WARNING,
    }
