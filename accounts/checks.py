from django.conf import settings
from django.core.checks import Warning as CheckWarning
from django.core.checks import register


@register(deploy=True)
def simulation_mode_check(app_configs, **kwargs):
    """The SMS sandbox page shows every text message, codes included, to anyone:
    fine for a training or QA site with made-up people, never with real ones."""
    if settings.SIMULATION_MODE:
        return [
            CheckWarning(
                "SIMULATION_MODE is on: the SMS sandbox page publishes every text "
                "message, one-time codes included.",
                hint="Turn SIMULATION_MODE off wherever real people use the portal.",
                id="accounts.W001",
            )
        ]
    return []
