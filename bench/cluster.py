"""A production-shaped cluster on 127.0.0.1, for the load-and-fault run.

    python bench/cluster.py start    # make cluster
    python bench/cluster.py stop     # make cluster-stop
    python bench/cluster.py status

It starts, all on loopback and all of its own (the machine's PostgreSQL and
Redis on 5432/6379 are never touched):

- PostgreSQL made with ``initdb`` (port CLUSTER_PG_PORT), behind PgBouncer;
- Redis (CLUSTER_REDIS_PORT);
- an SMS provider stand-in speaking Twilio's Messages API (bench/sms_provider_stub.py);
- two gunicorn app instances (deploy/gunicorn.conf.py) and nginx in front
  (deploy/nginx/moi-portal.conf, rendered with these ports) on CLUSTER_PORT;
- two task workers (``task_worker``, straight to PostgreSQL) and the outbox
  sweep (``outbox_retry --every``).

App instances, workers and the sweep run under a small supervisor that
restarts them like systemd's ``Restart=always``. State, logs and PID files
live in ``.cluster/`` (git-ignored); ``stop`` ends exactly the processes
whose PIDs it recorded.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = Path(os.environ.get("CLUSTER_DIR", ROOT / ".cluster"))
PIDS = STATE / "pids"
LOGS = STATE / "logs"
PYTHON = str(ROOT / ".venv" / "bin" / "python")

PORT = int(os.environ.get("CLUSTER_PORT", "8280"))
WEB_PORTS = [PORT + 1, PORT + 2]
STUB_PORT = PORT + 9
PG_PORT = int(os.environ.get("CLUSTER_PG_PORT", "55433"))
PGBOUNCER_PORT = PG_PORT + 1
REDIS_PORT = int(os.environ.get("CLUSTER_REDIS_PORT", "56380"))
WORKERS = ["worker1", "worker2"]
BASE_URL = f"http://127.0.0.1:{PORT}"
STUB_URL = f"http://127.0.0.1:{STUB_PORT}"
TWILIO_SID = "AC" + "c1a5e2" * 5 + "00"


def _as_root() -> bool:
    return os.geteuid() == 0


def pg_bin(name: str) -> str:
    """PostgreSQL's server programs are not on PATH on Debian."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        sys.exit("PostgreSQL server binaries not found: apt-get install postgresql")
    return str(versions[-1] / name)


def _db_user_kwargs() -> dict:
    """initdb, postgres and pgbouncer refuse to run as root: use the postgres user."""
    if not _as_root():
        return {}
    return {"user": "postgres", "group": "postgres"}


def _chown_for_db(path: Path) -> None:
    if _as_root():
        shutil.chown(path, "postgres", "postgres")


INHERITED = {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "LOGNAME"}


def app_env() -> dict:
    """The settings of every app process of the cluster (production mode, plain HTTP)."""
    secret = (STATE / "secret_key").read_text().strip()
    return {
        # Only the basics of the caller's environment: a test run's settings
        # (TASKS_BACKEND, SMS_BACKEND...) must not leak into the cluster.
        **{k: v for k, v in os.environ.items() if k in INHERITED},
        "DJANGO_SETTINGS_MODULE": "moi_portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "SECURE": "false",  # TLS is the operator's; the cluster speaks plain HTTP on loopback
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/portal",
        "CONN_MAX_AGE": "60",
        "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "TRUSTED_PROXY_COUNT": "1",
        "SIMULATION_MODE": "false",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": "cluster-stub-token",
        "TWILIO_FROM_NUMBER": "+97444000000",
        "TWILIO_API_BASE_URL": STUB_URL,
        "SMS_TIMEOUT": "2",
        "OUTBOX_STALE_AFTER": "8",
        "OUTBOX_FIRST_RETRY": "2",
        "STATIC_ROOT": str(STATE / "static"),
        "PRIVATE_MEDIA_ROOT": str(STATE / "private"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


# --- Processes --------------------------------------------------------------------


def _pid_file(name: str) -> Path:
    return PIDS / f"{name}.pid"


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22):
    with the PID it names one process, never a later one that reused the PID."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()[19]
    except (FileNotFoundError, IndexError):
        return ""


def _record(name: str, pid: int) -> None:
    _pid_file(name).write_text(f"{pid} {_start_time(pid)}")


def pid_of(name: str) -> int | None:
    """The recorded PID of ``name`` if that very process still runs."""
    try:
        pid_text, started = _pid_file(name).read_text().split()
        pid = int(pid_text)
    except (FileNotFoundError, ValueError):
        return None
    return pid if _alive(pid) and _start_time(pid) == started else None


def child_pid_of(name: str) -> int | None:
    """The PID of the program a supervisor runs (what ``kill -9`` of an instance hits)."""
    return pid_of(f"{name}.child")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().split(") ", 1)[1][:1] != "Z"


def spawn(name: str, command: list[str], *, env=None, supervised=False, db_user=False):
    """Start ``command`` in its own session and record its PID under ``name``."""
    log = open(LOGS / f"{name}.log", "ab")  # noqa: SIM115 - the child process keeps it open
    if supervised:
        command = [PYTHON, __file__, "_supervise", name, "--", *command]
    kwargs = _db_user_kwargs() if db_user else {}
    process = subprocess.Popen(  # noqa: S603 - our own programs
        command,
        cwd=ROOT,
        env=env or os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,
    )
    _record(name, process.pid)
    return process.pid


def stop_process(name: str, sig=signal.SIGTERM, timeout: float = 15) -> None:
    pid = pid_of(name)
    if pid is not None:
        os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    _pid_file(name).unlink(missing_ok=True)


def supervise(name: str, command: list[str]) -> None:
    """Run ``command``, starting it again 1 s after it ends, until SIGTERM."""
    stopping = False
    child = None

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        # Its own process group: "kill -9 of the instance" hits the master and its workers.
        child = subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # noqa: S603
        _record(f"{name}.child", child.pid)
        while True:
            try:
                child.wait(timeout=20 if stopping else None)
                break
            except subprocess.TimeoutExpired:
                child.kill()
        _pid_file(f"{name}.child").unlink(missing_ok=True)
        if not stopping:
            print(f"[supervisor] {name} ended ({child.returncode}); restarting", flush=True)
            time.sleep(1)


# --- Servers ----------------------------------------------------------------------


def _wait(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    sys.exit(f"{what} did not come up in {timeout:.0f} s; see {LOGS}")


def _pg_ready(port: int) -> bool:
    result = subprocess.run(  # noqa: S603
        [pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False
    )
    return result.returncode == 0


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
            return response.status == 200
    except OSError:
        return False


def start_postgres() -> None:
    data = STATE / "pg"
    run = STATE / "run"
    for path in (data, run):
        path.mkdir(exist_ok=True)
        _chown_for_db(path)
    data.chmod(0o700)
    if not (data / "PG_VERSION").exists():
        subprocess.run(  # noqa: S603
            [pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
            **_db_user_kwargs(),
        )
    spawn(
        "postgres",
        [
            pg_bin("postgres"),
            "-D", str(data),
            "-p", str(PG_PORT),
            "-k", str(run),
            "-c", "listen_addresses=127.0.0.1",
            "-c", "max_connections=120",
            # A throw-away test cluster: no fsync (a clean restart keeps everything).
            "-c", "fsync=off",
            "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off",
        ],
        db_user=True,
    )  # fmt: skip
    _wait(lambda: _pg_ready(PG_PORT), "PostgreSQL")


def stop_postgres() -> None:
    stop_process("postgres", signal.SIGINT, timeout=30)  # fast shutdown


def start_pgbouncer() -> None:
    ini = STATE / "pgbouncer.ini"
    users = STATE / "pgbouncer-users.txt"
    users.write_text('"postgres" ""\n')
    base = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    rendered = []
    for line in base.splitlines():
        key = line.split("=", 1)[0].strip()
        replacements = {
            "portal": f"portal = host=127.0.0.1 port={PG_PORT} dbname=portal",
            "listen_port": f"listen_port = {PGBOUNCER_PORT}",
            "auth_type": "auth_type = trust",
            "auth_file": f"auth_file = {users}",
            "logfile": f"logfile = {LOGS / 'pgbouncer-own.log'}",
            "pidfile": f"pidfile = {STATE / 'run' / 'pgbouncer.pid'}",
            "max_client_conn": "max_client_conn = 200",
            "default_pool_size": "default_pool_size = 30",
        }
        rendered.append(replacements.get(key, line))
    rendered.append(f"unix_socket_dir = {STATE / 'run'}")
    ini.write_text("\n".join(rendered) + "\n")
    for path in (ini, users):
        _chown_for_db(path)
    (LOGS / "pgbouncer-own.log").touch()
    _chown_for_db(LOGS / "pgbouncer-own.log")
    spawn("pgbouncer", [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(ini)], db_user=True)
    _wait(lambda: _pg_ready(PGBOUNCER_PORT), "PgBouncer")


def start_redis() -> None:
    (STATE / "redis").mkdir(exist_ok=True)
    spawn(
        "redis",
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port", str(REDIS_PORT),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(STATE / "redis"),
        ],
    )  # fmt: skip

    def ping():
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(REDIS_PORT), "ping"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        return result.stdout.strip() == b"PONG"

    _wait(ping, "Redis")


def stop_redis() -> None:
    stop_process("redis")


def start_stub() -> None:
    spawn(
        "sms-stub",
        [PYTHON, str(ROOT / "bench" / "sms_provider_stub.py"), "--port", str(STUB_PORT)],
    )
    _wait(lambda: _http_ok(f"{STUB_URL}/_stub/messages"), "SMS provider stand-in")


def start_web(index: int) -> None:
    port = WEB_PORTS[index]
    metrics = STATE / "metrics" / f"web{index + 1}"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    env = app_env() | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_THREADS": "4",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }
    spawn(
        f"web{index + 1}",
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "deploy/gunicorn.conf.py",
            "moi_portal.wsgi",
        ],
        env=env,
        supervised=True,
    )


def start_workers() -> None:
    # As production runs them (deploy/systemd): an idle worker waits on LISTEN,
    # which needs a session of its own, so the workers reach PostgreSQL
    # directly rather than through PgBouncer's transaction pool.
    direct = {**app_env(), "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/portal"}
    for name in WORKERS:
        spawn(
            name,
            [PYTHON, "manage.py", "task_worker", "--interval", "1", "--worker-id", name],
            env=direct,
            supervised=True,
        )
    spawn(
        "sweeper",
        [PYTHON, "manage.py", "outbox_retry", "--every", "2"],
        env=app_env(),
        supervised=True,
    )


def render_nginx() -> Path:
    conf_dir = STATE / "nginx"
    for sub in ("", "tmp"):
        (conf_dir / sub).mkdir(exist_ok=True)
    (conf_dir / "tmp").chmod(0o777)
    site = (ROOT / "deploy" / "nginx" / "moi-portal.conf").read_text()
    site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{WEB_PORTS[0]}")
    site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{WEB_PORTS[1]}")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{PORT};")
    site = site.replace("server_name eservices.example.org;", "server_name 127.0.0.1;")
    site = site.replace("/srv/moi-portal/static/", f"{STATE / 'static'}/")
    # Plain HTTP here: tell the app the truth about the scheme.
    site = site.replace("X-Forwarded-Proto https;", "X-Forwarded-Proto $scheme;")
    tmp = conf_dir / "tmp"
    conf = f"""# Rendered by bench/cluster.py from deploy/nginx/moi-portal.conf
worker_processes 1;
pid {conf_dir / "nginx.pid"};
error_log {LOGS / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {LOGS / "nginx-access.log"};
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""
    path = conf_dir / "nginx.conf"
    path.write_text(conf)
    return path


def start_nginx() -> None:
    conf = render_nginx()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    error_log = str(LOGS / "nginx-error.log")
    subprocess.run(  # noqa: S603
        [nginx, "-t", "-q", "-p", str(STATE / "nginx"), "-c", str(conf), "-e", error_log],
        check=True,
    )
    spawn(
        "nginx",
        [nginx, "-p", str(STATE / "nginx"), "-c", str(conf), "-e", str(LOGS / "nginx-error.log"),
         "-g", "daemon off;"],
    )  # fmt: skip


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=app_env(), check=True)  # noqa: S603


# --- Commands ---------------------------------------------------------------------


def start() -> None:
    if pid_of("nginx") or pid_of("postgres"):
        sys.exit(f"The cluster is already running (see {PIDS}); run make cluster-stop first.")
    for path in (STATE, PIDS, LOGS):
        path.mkdir(exist_ok=True)
    STATE.chmod(0o755)
    LOGS.chmod(0o777)
    secret = STATE / "secret_key"
    if not secret.exists():
        secret.write_text(secrets.token_urlsafe(48))
        secret.chmod(0o600)

    start_postgres()
    # A fresh database each time: the load run consumes its people.
    subprocess.run(  # noqa: S603
        [pg_bin("dropdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres",
         "--if-exists", "portal"],
        check=True,
    )  # fmt: skip
    subprocess.run(  # noqa: S603
        [pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "portal"],
        check=True,
    )
    start_pgbouncer()
    start_redis()
    print("Migrating and seeding the demo data...", flush=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    manage("residency_import_holidays")
    manage("seed_residency_demo")
    subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "bench" / "cluster_seed.py")], cwd=ROOT, env=app_env(), check=True
    )
    manage("collectstatic", "--noinput", "-v", "0")
    start_stub()
    for index in range(len(WEB_PORTS)):
        start_web(index)
    start_workers()
    start_nginx()
    _wait(lambda: _http_ok(f"{BASE_URL}/healthz/ready"), "The portal behind nginx", timeout=90)
    for port in WEB_PORTS:
        _wait(lambda port=port: _http_ok(f"http://127.0.0.1:{port}/healthz/ready"), f"port {port}")
    print(f"Cluster ready: {BASE_URL}/en/  (state and logs in {STATE})")
    print(f"  app instances {WEB_PORTS} (metrics: http://127.0.0.1:{WEB_PORTS[0]}/metrics)")
    print(f"  PostgreSQL {PG_PORT} via PgBouncer {PGBOUNCER_PORT}, Redis {REDIS_PORT}")
    print(f"  SMS provider stand-in {STUB_URL}/_stub/messages")


ORDER = ["nginx", "web1", "web2", "worker1", "worker2", "sweeper", "sms-stub", "redis", "pgbouncer"]


def stop() -> None:
    if not PIDS.exists():
        print("No cluster state; nothing to stop.")
        return
    for name in ORDER:
        stop_process(name)
        stop_process(f"{name}.child")  # a supervised program its supervisor left behind
    stop_postgres()
    # Whatever else this cluster recorded (nothing else is touched).
    for leftover in sorted(PIDS.glob("*.pid")):
        stop_process(leftover.stem)
    print("Cluster stopped.")


def status() -> dict:
    names = [*ORDER, "postgres"]
    state = {name: pid_of(name) for name in names}
    print(json.dumps(state, indent=2))
    return state


def main(argv: list[str]) -> None:
    if argv[:1] == ["_supervise"]:
        name, separator, *command = argv[1:]
        assert separator == "--"
        supervise(name, command)
        return
    commands = {"start": start, "stop": stop, "status": status}
    if len(argv) != 1 or argv[0] not in commands:
        sys.exit(f"usage: {sys.argv[0]} start|stop|status")
    commands[argv[0]]()


if __name__ == "__main__":
    main(sys.argv[1:])
