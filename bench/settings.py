"""Production settings plus one bench-only URL: the minimal view (the ceiling).

Only ``bench/throughput.py`` serves these settings. Production URLs get no
extra endpoint, and every portal page runs with exactly the production
settings, middleware and database connections, beside the minimal view.
"""

import os

from moi_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Each run starts with its own keys in a shared Redis.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("BENCH_CACHE_PREFIX", "bench")  # noqa: F405
