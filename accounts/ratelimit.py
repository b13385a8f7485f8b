"""Fixed-window counters in the shared cache, for every limit that counts.

A window is numbered (seconds since the epoch // its length) and the number is
part of the key, so a count belongs to one window and the next window starts
from zero whatever the cache does with expiry. The key is created with
``add`` and counted with ``incr``, which is one atomic step on Redis and, on
the database cache, a locked row update that keeps the expiry
(``moi_portal.cache``). Identifiers are hashed: the cache never holds a QID.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class FixedWindow:
    name: str
    seconds: int

    def _now(self) -> float:
        return time.time()

    def _key(self, ident: str) -> str:
        window = int(self._now() // self.seconds)
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"rate:{self.name}:{self.seconds}:{window}:{digest}"

    def hit(self, ident: str) -> int:
        """Count one event now; the count in this window, this one included."""
        key = self._key(ident)
        # The key outlives its window (created inside it, kept a whole window
        # long), so it cannot expire between add and incr.
        cache.add(key, 0, timeout=self.seconds)
        try:
            return cache.incr(key)
        except ValueError:
            # Evicted in between (a full cache): start again with this event.
            cache.add(key, 0, timeout=self.seconds)
            return cache.incr(key)

    def count(self, ident: str) -> int:
        return cache.get(self._key(ident)) or 0

    def reset(self, ident: str) -> None:
        """Forget this window's count (the demo's ``seed_demo --reset-limits``)."""
        cache.delete(self._key(ident))
