"""Refuse requests that carry a NUL character anywhere a view could read it.

No legitimate form, link or header contains U+0000, and PostgreSQL refuses it
in text values (psycopg raises ``ValueError``), so a NUL that reached a query
would be a server error. It is turned away at the door with a 400 instead
(ASVS 5.0 V1.2: input is validated before use; V16.5: errors never leak as 500).
The check runs after the locale middleware, so the 400 page is in the
visitor's language, and before anything reads the session or the user.
"""

from django.core.exceptions import BadRequest

NUL = "\x00"


def _has_nul(strings) -> bool:
    return any(NUL in string for string in strings)


def _keys_and_values(multi_value_dict):
    for key, values in multi_value_dict.lists():
        yield key
        yield from (value if isinstance(value, str) else value.name or "" for value in values)


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if NUL in request.path_info:
            return True
        headers = (value for key, value in request.META.items() if key.startswith("HTTP_"))
        cookies = (text for item in request.COOKIES.items() for text in item)
        if _has_nul(headers) or _has_nul(cookies) or _has_nul(_keys_and_values(request.GET)):
            return True
        if request.method != "POST":
            return False
        # A malformed multipart body raises here; Django answers that with a 400.
        return _has_nul(_keys_and_values(request.POST)) or _has_nul(_keys_and_values(request.FILES))
