from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from messaging import selectors


@never_cache
def sandbox_inbox(request):
    """Simulation only: the latest text messages per number, for QA and demos."""
    if not settings.SIMULATION_MODE:
        raise Http404
    number = request.GET.get("number", "").strip()
    return render(
        request,
        "messaging/sandbox_inbox.html",
        {
            "messages_": selectors.sandbox_sms_list(number=number),
            "number": number,
            "emails": selectors.sandbox_email_list(address=request.GET.get("email", "").strip()),
        },
    )
