"""Other outboxes that ``outbox_retry`` sweeps beside the messages.

An app whose rows are sent through the SMS provider (one-time codes) registers
its sweep from ``AppConfig.ready``, so this app imports none of them.
"""

from collections.abc import Callable

# (what it sends, the sweep returning how many it tried)
OUTBOX_SWEEPS: list[tuple[str, Callable[[], int]]] = []


def outbox_sweep_register(*, noun: str, sweep: Callable[[], int]) -> None:
    if all(existing is not sweep for _noun, existing in OUTBOX_SWEEPS):
        OUTBOX_SWEEPS.append((noun, sweep))
