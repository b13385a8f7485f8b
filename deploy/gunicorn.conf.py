"""gunicorn settings for one app instance of the MOI e-services portal.

Used by deploy/systemd/moi-portal-web@.service and by ``make cluster``:

    gunicorn -c deploy/gunicorn.conf.py moi_portal.wsgi

Every value can be overridden from the environment (GUNICORN_*), so one file
serves every instance; the instance's port comes from GUNICORN_BIND.
"""

import os

from prometheus_client import multiprocess

# One instance listens on one loopback port; nginx is the only client.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")

# Threads share a process's database connection pool and memory; two to four
# processes per core is the usual start. Nothing is kept in process memory
# between requests, so any number of processes or instances may serve.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))

# A request running longer than this is killed (nginx waits 35 s).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (systemctl stop/restart), finish requests in flight for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "25"))
keepalive = 5

# Recycle processes now and then (slow leaks in libraries); the jitter keeps
# them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Only nginx on this machine may set X-Forwarded-*; Django reads the client
# address from X-Forwarded-For itself (TRUSTED_PROXY_COUNT).
forwarded_allow_ips = "127.0.0.1"

# Access log to stdout (the journal); the app's own log lines go to stderr.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss rid=%({x-request-id}i)s'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

proc_name = "moi-portal-" + bind.rsplit(":", 1)[-1]


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget the gauges of a process that ended."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
