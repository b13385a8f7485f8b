"""A bounded load-and-fault run against the cluster of ``make cluster``.

    make cluster
    .venv/bin/python bench/cluster_test.py --minutes 2
    make cluster-stop

Virtual users drive the real flows through nginx: citizens sign in, confirm
the step-up code texted to them (read from the SMS provider stand-in) and
activate an e-service; residents sign in, upload their photo, confirm the
declaration with a code and submit a permanent residency application; a
reviewer signs in to the back office and approves submitted applications.

While they run, the faults are injected one after the other, each checked
and reported on one line; at the end every success a user saw is looked up
in the database (lost?), nothing may exist twice (made twice?), and every SMS
the database says was sent is matched with the provider's record (sent,
duplicated, lost). Exit status 1 when any check fails; ``--json`` writes the
report for tests/cluster/test_cluster.py.
"""

import argparse
import concurrent.futures
import io
import json
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import cluster

os.environ.update(cluster.app_env())
import django

django.setup()

from django.db import close_old_connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.constants import OTPEventKind  # noqa: E402
from accounts.management.commands.seed_demo import DEMO_PASSWORD as PASSWORD  # noqa: E402
from accounts.models import OTPEvent, SMSDevice  # noqa: E402
from activation.models import ActivationRequest  # noqa: E402
from bench.cluster_seed import LOAD_CITIZENS, LOAD_RESIDENTS, citizen_qid, resident_qid  # noqa: E402
from messaging.models import Notification  # noqa: E402
from residency.models import Application, Payment  # noqa: E402

REVIEWER_QID = "28163400101"
BASE = cluster.BASE_URL
INSTANCES = [f"http://127.0.0.1:{port}" for port in cluster.WEB_PORTS]
CODE = re.compile(r"verification code is (\d{6})\b")  # not a reference (PR-2026-000002)


# --- HTTP ------------------------------------------------------------------------


class SourceAddressAdapter(HTTPAdapter):
    """Each virtual user connects from its own loopback address (127.x.y.z), so
    the address throttle sees many people, as behind a real ministry's nginx."""

    def __init__(self, address: str, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@dataclass
class Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    requests: int = 0
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    flows_ok: dict[str, int] = field(default_factory=dict)
    flows_failed: dict[str, int] = field(default_factory=dict)
    flow_errors: dict[str, int] = field(default_factory=dict)
    # What users saw succeed: (kind, reference or key)
    seen_ok: list[tuple[str, str]] = field(default_factory=list)

    def record(self, status: int, seconds: float) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(seconds)
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status == 0 or status >= 500:
                self.failures += 1

    def flow(self, name: str, ok: bool) -> None:
        with self.lock:
            target = self.flows_ok if ok else self.flows_failed
            target[name] = target.get(name, 0) + 1

    def p95(self) -> float:
        with self.lock:
            data = sorted(self.latencies)
        return data[int(len(data) * 0.95) - 1] if data else 0.0


class FlowError(Exception):
    pass


class Browser:
    """One person's browser: cookies, CSRF, timings."""

    def __init__(self, stats: Stats | None, address: str = "127.0.0.1", base: str = BASE):
        self.session = requests.Session()
        self.session.mount("http://", SourceAddressAdapter(address))
        self.stats = stats
        self.base = base
        self.used_codes: set[str] = set()

    def request(self, method: str, path: str, *, base: str | None = None, **kwargs):
        url = path if path.startswith("http") else (base or self.base) + path
        if method == "POST":
            data = kwargs.setdefault("data", {})
            if isinstance(data, dict):
                data.setdefault("csrfmiddlewaretoken", self.session.cookies.get("csrftoken", ""))
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        started = time.monotonic()
        try:
            response = self.session.request(method, url, **kwargs)
        except requests.RequestException:
            if self.stats:
                self.stats.record(0, time.monotonic() - started)
            raise FlowError(f"{method} {path}: connection failed") from None
        if self.stats:
            self.stats.record(response.status_code, time.monotonic() - started)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self.request("POST", path, data=dict(data or {}), **kwargs)

    def follow(self, response, *, base: str | None = None):
        """Follow redirects (GET), as a browser does."""
        for _ in range(5):
            if response.status_code not in (301, 302, 303):
                return response
            location = response.headers["Location"]
            if location.startswith("http"):
                location = urlsplit(location)._replace(scheme="", netloc="").geturl()
            response = self.get(location, base=base)
        return response

    def sign_in(self, qid: str, password: str = PASSWORD, *, base: str | None = None):
        self.get("/en/accounts/sign-in/", base=base)
        return self.post(
            "/en/accounts/sign-in/", {"username": qid, "password": password}, base=base
        )


# --- The SMS provider stand-in ---------------------------------------------------------


def stub(path: str, payload: dict | None = None) -> dict:
    url = cluster.STUB_URL + path
    if payload is None:
        return requests.get(url, timeout=10).json()
    return requests.post(url, json=payload, timeout=10).json()


def wait_for_code(number: str, after: float, timeout: float = 40, used=frozenset()) -> str:
    """The newest code texted to ``number`` after ``after`` (epoch seconds), other
    than the ``used`` ones (an earlier step's code can reach the phone late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        codes = [
            (m["at"], match.group(1))
            for m in stub("/_stub/messages")["messages"]
            if m["to"] == number and m["at"] >= after and (match := CODE.search(m["body"]))
        ]
        fresh = [(at, code) for at, code in codes if code not in used]
        if fresh:
            return max(fresh)[1]
        time.sleep(0.3)
    raise FlowError(f"no code reached {number}")


def confirm_code(browser: Browser, response, number: str, sent_after: float):
    """On the step-up page: read the code from the phone and type it."""
    page = browser.follow(response)
    if "/accounts/confirm/" not in page.url:
        raise FlowError(f"expected the code page, got {page.status_code} {page.url}")
    path = urlsplit(page.url)._replace(scheme="", netloc="").geturl()
    # Opening the code page sends nothing: the person presses "Send code".
    sent = browser.post(path, {"resend": "1"})
    if sent.status_code not in (200, 302):
        raise FlowError(f"send code refused ({sent.status_code})")
    code = wait_for_code(number, sent_after, used=browser.used_codes)
    browser.used_codes.add(code)
    answer = browser.post(path, {"code": code})
    if answer.status_code != 302:
        raise FlowError(f"code refused ({answer.status_code})")
    return answer


# --- The people's flows --------------------------------------------------------------


CHECK_PEOPLE = 150  # citizens 0-149 serve the fault checks, the rest the load


def _unused_citizens(indexes) -> list[int]:
    """Citizens no earlier run touched (codes are limited per person and hour)."""
    from axes.models import AccessAttempt

    qids = {citizen_qid(i): i for i in indexes}
    used = set(
        OTPEvent.objects.filter(person__qid__in=qids).values_list("person__qid", flat=True)
    ) | set(AccessAttempt.objects.filter(username__in=qids).values_list("username", flat=True))
    return [i for qid, i in qids.items() if qid not in used]


class CheckPeople:
    """Hands out fresh citizens to the fault checks."""

    def __init__(self):
        self.free = _unused_citizens(range(CHECK_PEOPLE))

    def take(self, n: int = 1) -> list[str]:
        if len(self.free) < n:
            raise FlowError("no fresh people left for the checks: make cluster-stop cluster")
        taken, self.free = self.free[:n], self.free[n:]
        return [citizen_qid(i) for i in taken]


class Population:
    def __init__(self):
        self.lock = threading.Lock()
        self.citizens = [
            (citizen_qid(i), f"+9745520{i:04d}")
            for i in _unused_citizens(range(CHECK_PEOPLE, LOAD_CITIZENS))
        ]
        drafts = set(
            Application.objects.filter(
                status="draft", person__qid__startswith="2753562"
            ).values_list("person__qid", flat=True)
        )
        self.residents = [
            (resident_qid(i), f"+9743320{i:04d}")
            for i in range(LOAD_RESIDENTS)
            if resident_qid(i) in drafts
        ]
        self.submitted: list[str] = []

    def take(self, kind: str):
        with self.lock:
            pool = self.citizens if kind == "citizen" else self.residents
            return pool.pop(0) if pool else None

    def give_back(self, kind: str, person) -> None:
        """Someone who could not even sign in is still unused."""
        with self.lock:
            (self.citizens if kind == "citizen" else self.residents).append(person)


def jpeg_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 640), (210, 200, 190)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


PHOTO = jpeg_photo()


def citizen_flow(stats: Stats, people: Population, address: str) -> None:
    person = people.take("citizen")
    if person is None:
        raise FlowError("no fresh citizens left")
    qid, number = person
    browser = Browser(stats, address)
    if browser.sign_in(qid).status_code != 302:
        people.give_back("citizen", person)
        raise FlowError("sign-in refused")
    overview = browser.get("/en/e-services/")
    card = re.search(r'href="(/en/e-services/cards/\d+/)"', overview.text)
    if not card:
        raise FlowError("no card link")
    sent_after = time.time() - 1
    granted = confirm_code(browser, browser.get(card.group(1)), number, sent_after)
    catalogue = browser.follow(granted)
    codes = re.findall(r'name="services" value="([^"]+)"', catalogue.text)
    if not codes:
        raise FlowError("no service to activate")
    chosen = browser.post(card.group(1), {"services": codes[0]})
    if chosen.status_code != 302:
        raise FlowError(f"selection refused ({chosen.status_code})")
    review = browser.follow(chosen)
    token = re.search(r'name="token" value="([^"]+)"', review.text)
    if not token:
        raise FlowError("no review form")
    path = urlsplit(review.url).path
    done = browser.post(path, {"services": codes[0], "token": token.group(1)})
    if done.status_code != 302 or "/requests/" not in done.headers["Location"]:
        raise FlowError(f"activation not confirmed ({done.status_code})")
    reference = done.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    with stats.lock:
        stats.seen_ok.append(("activation", reference))
    browser.post("/en/accounts/sign-out/")


def resident_flow(stats: Stats, people: Population, address: str) -> None:
    person = people.take("resident")
    if person is None:
        return citizen_flow(stats, people, address)
    qid, number = person
    browser = Browser(stats, address)
    if browser.sign_in(qid).status_code != 302:
        people.give_back("resident", person)
        raise FlowError("sign-in refused")
    browser.get("/en/residency/apply/documents/")
    uploaded = browser.post(
        "/en/residency/apply/documents/",
        {"kind": "photo"},
        files={"file": ("photo.jpg", PHOTO, "image/jpeg")},
    )
    if uploaded.status_code != 302:
        raise FlowError(f"upload refused ({uploaded.status_code})")
    onward = browser.post("/en/residency/apply/documents/", {"continue": "1"})
    review = browser.follow(onward)
    if "/apply/review/" not in review.url:
        raise FlowError(f"not at review: {review.url}")
    pay_application_fee(stats, browser, review, number)
    sent_after = time.time() - 1
    declaration = confirm_code(
        browser, browser.post("/en/residency/apply/review/"), number, sent_after
    )
    browser.follow(declaration)
    submitted = browser.post(
        "/en/residency/apply/declaration/", {"true_and_complete": "on", "conditions": "on"}
    )
    location = submitted.headers.get("Location", "")
    if submitted.status_code != 302 or "/applications/" not in location:
        raise FlowError(f"not submitted ({submitted.status_code})")
    reference = location.rstrip("/").rsplit("/", 1)[-1]
    with stats.lock:
        stats.seen_ok.append(("application", reference))
    with people.lock:
        people.submitted.append(reference)


def pay_application_fee(stats: Stats, browser: Browser, review, number: str) -> None:
    """From the review page: the fee page, a payment code, then confirm the payment."""
    fee = re.search(r'href="(/en/residency/applications/[^/"]+/fees/application/)"', review.text)
    if not fee and "Continue to the declaration" in review.text:
        return  # paid in an earlier run that stopped before the declaration
    if not fee:
        raise FlowError("no application fee link on the review page")
    sent_after = time.time() - 1
    granted = confirm_code(browser, browser.get(fee.group(1) + "pay/"), number, sent_after)
    pay_page = browser.follow(granted)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', pay_page.text)
    if not key:
        raise FlowError(f"no payment form ({pay_page.status_code} {pay_page.url})")
    path = urlsplit(pay_page.url).path
    paid = browser.post(path, {"idempotency_key": key.group(1)})
    location = paid.headers.get("Location", "")
    if paid.status_code != 302 or "/receipts/" not in location:
        raise FlowError(f"payment not confirmed ({paid.status_code})")
    with stats.lock:
        stats.seen_ok.append(("payment", location.rstrip("/").rsplit("/", 1)[-1]))


def staff_sign_in(browser: Browser) -> None:
    """Password, then the code of the reviewer's authenticator app (computed from
    the device's secret, as the phone does)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import second_factor

    browser.get("/en/admin/login/")
    answer = browser.post(
        "/en/admin/login/", {"username": REVIEWER_QID, "password": PASSWORD, "next": "/en/admin/"}
    )
    if answer.status_code != 302:
        raise FlowError("staff password refused")
    location = answer.headers["Location"]
    if "/staff/code/" in location:
        close_old_connections()
        device = TOTPDevice.objects.get(user__qid=REVIEWER_QID, confirmed=True)
        browser.get(location)
        for _ in range(3):
            verified = browser.post(location, {"code": second_factor.current_code(device)})
            if verified.status_code == 302:
                return
            time.sleep(device.step)  # a code is good once: wait for the next one
        raise FlowError("authenticator code refused")


def reviewer_decides(stats: Stats, people: Population, browser: Browser) -> bool:
    """The reviewer approves the oldest submitted application through admin."""
    with people.lock:
        reference = people.submitted.pop(0) if people.submitted else None
    if reference is None:
        return False
    try:
        listing = browser.get(f"/en/admin/residency/application/?q={reference}")
        if listing.status_code == 302:
            staff_sign_in(browser)
            listing = browser.get(f"/en/admin/residency/application/?q={reference}")
        match = re.search(r'href="/en/admin/residency/application/(\d+)/change/', listing.text)
        if not match:
            raise FlowError("application not found in admin")
        decide = f"/en/admin/residency/application/{match.group(1)}/decide/"
        browser.get(decide)
        answer = browser.post(decide, {"decision": "approve", "message": "In order."})
        page = browser.follow(answer)
        if answer.status_code != 302 or "The decision was recorded." not in page.text:
            raise FlowError("decision not recorded")
    except FlowError:
        with people.lock:
            people.submitted.append(reference)  # try again later
        raise
    with stats.lock:
        stats.seen_ok.append(("decision", reference))
    return True


def user_loop(index: int, stats: Stats, people: Population, stop: threading.Event) -> None:
    address = f"127.0.{10 + index // 250}.{1 + index % 250}"
    turn = 0
    while not stop.is_set():
        turn += 1
        flow = resident_flow if turn % 4 == 0 else citizen_flow
        name = "residency submission" if flow is resident_flow else "activation"
        try:
            flow(stats, people, address)
            stats.flow(name, True)
        except FlowError as error:
            stats.flow(name, False)
            reason = re.sub(r"\+\d+|\d{3}\)", "", str(error)).strip()
            with stats.lock:
                stats.flow_errors[reason] = stats.flow_errors.get(reason, 0) + 1
            time.sleep(1)


def reviewer_loop(stats: Stats, people: Population, stop: threading.Event) -> None:
    browser = Browser(stats, "127.0.9.1")
    while not stop.is_set():
        try:
            if not reviewer_decides(stats, people, browser):
                time.sleep(1)
                continue
            stats.flow("staff decision", True)
        except FlowError:
            stats.flow("staff decision", False)
            time.sleep(1)


# --- Faults ---------------------------------------------------------------------------


@dataclass
class Outcome:
    fault: str
    ok: bool
    users_saw: str
    details: dict = field(default_factory=dict)


def check_session_shared(people: CheckPeople) -> Outcome:
    browser = Browser(None, "127.0.8.1")
    [qid] = people.take()
    signed_in = browser.sign_in(qid, base=INSTANCES[0])
    page = browser.get("/en/e-services/", base=INSTANCES[1])
    ok = signed_in.status_code == 302 and page.status_code == 200 and "sign-out" in page.text
    return Outcome(
        "session made on instance 1 used on instance 2",
        ok,
        f"sign-in {signed_in.status_code} on :{cluster.WEB_PORTS[0]}, "
        f"e-services {page.status_code} on :{cluster.WEB_PORTS[1]}",
    )


def check_lockout_shared(people: CheckPeople) -> Outcome:
    browser = Browser(None, "127.0.8.2")
    [qid] = people.take()
    for attempt in range(5):
        browser.sign_in(qid, "Wrong-Password-1", base=INSTANCES[attempt % 2])
    right = [browser.sign_in(qid, base=base).status_code for base in INSTANCES]
    ok = right == [429, 429]
    return Outcome(
        "lockout counted across instances (5 wrong, alternating)",
        ok,
        f"right password then refused on both instances: {right}",
    )


def check_throttle_shared(people: CheckPeople) -> Outcome:
    browser = Browser(None, "127.0.8.3")
    qids = people.take(21)
    for attempt, qid in enumerate(qids[:20]):
        browser.sign_in(qid, "Wrong-Password-1", base=INSTANCES[attempt % 2])
    right = [browser.sign_in(qids[20], base=base).status_code for base in INSTANCES]
    ok = right == [429, 429]
    return Outcome(
        "address throttle counted across instances (20 failures over 20 QIDs)",
        ok,
        f"then a right password refused on both: {right}",
    )


def check_parallel_verification(people: CheckPeople) -> Outcome:
    [qid] = people.take()
    number = "+9745520" + qid[-4:]
    browser = Browser(None, "127.0.8.4")
    browser.sign_in(qid)
    overview = browser.get("/en/e-services/")
    card = re.search(r'href="(/en/e-services/cards/\d+/)"', overview.text).group(1)
    sent_after = time.time() - 1
    page = browser.follow(browser.get(card))
    path = urlsplit(page.url)._replace(scheme="", netloc="").geturl()
    browser.post(path, {"resend": "1"})  # "Send code": opening the page texts nothing
    code = wait_for_code(number, sent_after)
    device = SMSDevice.objects.get(user__qid=qid, purpose="eservices")
    verified_before = OTPEvent.objects.filter(
        person_id=device.user_id, kind=OTPEventKind.VERIFIED
    ).count()
    cookies = browser.session.cookies.get_dict()

    def submit(index: int) -> tuple[int, str]:
        other = Browser(None, "127.0.8.4")
        other.session.cookies.update(cookies)
        response = other.post(path, {"code": code}, base=INSTANCES[index % 2])
        return response.status_code, response.headers.get("Location", "")

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(submit, range(20)))
    verified = (
        OTPEvent.objects.filter(person_id=device.user_id, kind=OTPEventKind.VERIFIED).count()
        - verified_before
    )
    statuses = [status for status, _location in answers]
    # The accepted code rotates the session key (as every step-up does), so a
    # request still carrying the old key is sent to sign in: refused, not accepted.
    signed_out = sum(1 for status, location in answers if status == 302 and "sign-in" in location)
    successes = statuses.count(302) - signed_out
    ok = successes == 1 and verified == 1
    return Outcome(
        "20 parallel verifications of one code over both instances",
        ok,
        f"{successes} accepted, {statuses.count(200)} told the code is used, {signed_out} sent "
        f"to sign in again (their session key had rotated); verified once: {verified == 1}",
    )


def _kill_instance(name: str) -> int:
    pid = cluster.child_pid_of(name)
    os.killpg(pid, signal.SIGKILL)  # the instance: gunicorn master and its workers
    return pid


def fault_kill_app(stats: Stats) -> Outcome:
    before = (stats.requests, stats.failures)
    pid = _kill_instance("web1")
    killed_at = time.monotonic()
    back_after = None
    while time.monotonic() - killed_at < 60:
        if cluster._http_ok(f"{INSTANCES[0]}/healthz/ready"):
            back_after = time.monotonic() - killed_at
            break
        time.sleep(0.5)
    time.sleep(2)
    requests_during = stats.requests - before[0]
    failures_during = stats.failures - before[1]
    return Outcome(
        "kill -9 of app instance 1 under load",
        back_after is not None,  # lost / twice: checked at the end over every success seen
        f"{failures_during} of {requests_during} requests failed until it was back "
        f"(in flight on the killed instance; nginx sent the rest to instance 2); "
        f"restarted by its supervisor and ready after {back_after or 0:.0f} s",
        {"pid": pid, "failed": failures_during, "requests": requests_during},
    )


def _wait_sending(timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        close_old_connections()
        running = (
            __import__("django_tasks_db.models", fromlist=["DBTaskResult"])
            .DBTaskResult.objects.filter(status="RUNNING")
            .values_list("worker_ids", flat=True)
        )
        for workers in running:
            for name in cluster.WORKERS:
                if name in (workers or []):
                    return name
        time.sleep(0.1)
    return None


def fault_kill_worker(people: CheckPeople) -> Outcome:
    stub("/_stub/mode", {"mode": "slow", "seconds": 15, "delay": 3})
    # Make sure something is being sent: a step-up code for a fresh person.
    [qid] = people.take()
    browser = Browser(None, "127.0.8.10")
    browser.sign_in(qid)
    overview = browser.get("/en/e-services/")
    card = re.search(r'href="(/en/e-services/cards/\d+/)"', overview.text)
    if card:
        browser.follow(browser.get(card.group(1)))
    victim = _wait_sending()
    killed = False
    if victim:
        time.sleep(0.5)  # inside the provider call
        os.kill(cluster.child_pid_of(victim), signal.SIGKILL)
        killed = True
    time.sleep(15)
    return Outcome(
        "kill -9 of a task worker while it sends",
        killed,
        f"worker {victim or '(none sending)'} killed during a provider call; "
        "restarted, the sweep resends with the same key (counts at the end)",
    )


def fault_provider(mode: str) -> Outcome:
    before = stub("/_stub/messages")
    stub("/_stub/mode", {"mode": mode, "seconds": 8, "delay": 4})
    time.sleep(20)
    after = stub("/_stub/messages")
    return Outcome(
        f"SMS provider {'answers 500' if mode == 'error500' else 'times out'} for 8 s",
        True,
        f"{after['refused'] - before['refused']} calls refused, "
        f"{after['repeats'] - before['repeats']} repeats absorbed by the idempotency key; "
        "codes and messages arrive after the retry (counts at the end)",
    )


def fault_redis(people: CheckPeople, seconds: float) -> Outcome:
    guessed, signer, after_signer = people.take(3)
    cluster.stop_redis()
    started = time.monotonic()
    time.sleep(1)
    guesser = Browser(None, "127.0.8.5")
    guesses = [guesser.sign_in(guessed, "Wrong-Password-1").status_code for _ in range(30)]
    right = Browser(None, "127.0.8.6").sign_in(signer).status_code
    home = Browser(None, "127.0.8.6").get("/en/").status_code
    static = Browser(None, "127.0.8.6").get("/en/accounts/sign-in/").status_code
    live = requests.get(f"{INSTANCES[0]}/healthz/live", timeout=5).status_code
    ready = requests.get(f"{INSTANCES[0]}/healthz/ready", timeout=5).status_code
    time.sleep(max(0, seconds - (time.monotonic() - started)))
    cluster.start_redis()
    deadline = time.monotonic() + 30
    after = 0
    while time.monotonic() < deadline:
        after = Browser(None, "127.0.8.7").sign_in(after_signer).status_code
        if after == 302:
            break
        time.sleep(1)
    refused = sum(1 for status in guesses if status == 503)
    ok = refused == 30 and right == 503 and home == 200 and static == 200 and after == 302
    return Outcome(
        f"Redis stopped for {seconds:.0f} s",
        ok,
        f"30 guesses: {refused} refused (503, none checked); right password 503; "
        f"home {home}, sign-in page {static}; live {live}, ready {ready}; "
        f"after restart sign-in {after}",
        {"guesses_refused": refused},
    )


def fault_postgres(people: CheckPeople) -> Outcome:
    [qid] = people.take()
    web_pids = [cluster.child_pid_of(name) for name in ("web1", "web2")]
    cluster.stop_postgres()
    time.sleep(3)
    during = Browser(None, "127.0.8.8").get("/en/").status_code
    live = requests.get(f"{INSTANCES[0]}/healthz/live", timeout=5).status_code
    cluster.start_postgres()
    deadline = time.monotonic() + 30
    after = 0
    recovered_in = None
    started = time.monotonic()
    while time.monotonic() < deadline:
        after = Browser(None, "127.0.8.9").sign_in(qid).status_code
        if after == 302:
            recovered_in = time.monotonic() - started
            break
        time.sleep(0.5)
    same = [cluster.child_pid_of(name) for name in ("web1", "web2")] == web_pids
    ok = after == 302 and same
    return Outcome(
        "PostgreSQL restarted",
        ok,
        f"during: home {during}, live {live}; after: sign-in {after} in "
        f"{recovered_in or 0:.1f} s, app processes not restarted: {same}",
    )


# --- The audit -------------------------------------------------------------------------


def audit(stats: Stats, started_at, drain_seconds: float = 60) -> dict:
    """Every success a user saw exists once; every SMS exactly once at the provider."""
    close_old_connections()
    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline:
        close_old_connections()
        pending = Notification.objects.filter(
            sms=True, created_at__gte=started_at, status__in=["queued", "sending"]
        ).count()
        undelivered = SMSDevice.objects.filter(
            delivered_at__isnull=True,
            delivery_started_at__isnull=False,
            valid_until__gt=timezone.now(),
        ).count()
        if not pending and not undelivered:
            break
        time.sleep(1)

    activations = [ref for kind, ref in stats.seen_ok if kind == "activation"]
    applications = [ref for kind, ref in stats.seen_ok if kind == "application"]
    decisions = [ref for kind, ref in stats.seen_ok if kind == "decision"]
    payments = [ref for kind, ref in stats.seen_ok if kind == "payment"]
    found_activations = set(
        ActivationRequest.objects.filter(reference__in=activations).values_list(
            "reference", flat=True
        )
    )
    found_applications = set(
        Application.objects.filter(reference__in=applications).values_list("reference", flat=True)
    )
    decided = set(
        Application.objects.filter(reference__in=decisions)
        .exclude(status__in=["draft", "submitted"])
        .values_list("reference", flat=True)
    )
    found_payments = set(
        Payment.objects.filter(reference__in=payments, status="paid").values_list(
            "reference", flat=True
        )
    )
    lost = (
        len(set(activations) - found_activations)
        + len(set(applications) - found_applications)
        + len(set(decisions) - decided)
        + len(set(payments) - found_payments)
    )
    # Twice: one person with two activation requests of the run, or two applications.
    twice_activations = (
        ActivationRequest.objects.filter(created_at__gte=started_at)
        .values("person")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    twice_applications = (
        Application.objects.filter(person__qid__startswith="2753562")
        .values("person")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )

    # Twice: one fee charged twice (the database allows one paid payment a fee).
    twice_payments = (
        Payment.objects.filter(created_at__gte=started_at, status="paid")
        .values("application", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )

    provider = stub("/_stub/messages")
    delivered = {m["key"]: m for m in provider["messages"] if m["key"]}
    unkeyed = [m for m in provider["messages"] if not m["key"]]
    notes = list(
        Notification.objects.filter(sms=True, created_at__gte=started_at).exclude(status="failed")
    )
    notes_lost = [n.pk for n in notes if n.idempotency_key not in delivered]
    notes_sent = len(notes) - len(notes_lost)
    codes_sent_events = OTPEvent.objects.filter(
        kind=OTPEventKind.SENT, created_at__gte=started_at
    ).count()
    code_keys = [k for k in delivered if k.startswith("otp-")]
    # A code superseded before it was texted is not a loss (its challenge is gone).
    codes_lost = max(0, codes_sent_events - len(code_keys))
    # Duplicated: the same text to the same phone under two keys, or unkeyed repeats.
    seen_pairs: dict[tuple[str, str], int] = {}
    for message in provider["messages"]:
        pair = (message["to"], message["body"])
        seen_pairs[pair] = seen_pairs.get(pair, 0) + 1
    duplicated = sum(n - 1 for n in seen_pairs.values() if n > 1)
    return {
        "users_saw_ok": {
            "activations": len(activations),
            "applications": len(applications),
            "decisions": len(decisions),
            "payments": len(payments),
        },
        "lost": lost,
        "made_twice": twice_activations + twice_applications + twice_payments,
        "sms": {
            "provider_calls": provider["calls"],
            "refused_by_provider": provider["refused"],
            "repeats_absorbed_by_key": provider["repeats"],
            "messages_sent": notes_sent,
            "codes_sent": len(code_keys),
            "duplicated": duplicated,
            "lost_messages": len(notes_lost),
            "lost_codes": codes_lost,
            "unkeyed": len(unkeyed),
        },
    }


# --- Main ------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--users", type=int, default=6)
    parser.add_argument("--redis-down", type=float, default=30)
    parser.add_argument("--json", help="write the report here")
    args = parser.parse_args(argv)

    if not cluster.pid_of("nginx"):
        sys.exit("The cluster is not running: make cluster")
    stub("/_stub/mode", {"mode": "ok"})
    started_at = timezone.now()
    began = time.monotonic()
    stats = Stats()
    people = Population()
    stop = threading.Event()
    threads = [
        threading.Thread(target=user_loop, args=(i, stats, people, stop), daemon=True)
        for i in range(args.users)
    ]
    threads.append(threading.Thread(target=reviewer_loop, args=(stats, people, stop), daemon=True))
    for thread in threads:
        thread.start()

    outcomes: list[Outcome] = []

    def run(check, *check_args):
        with stats.lock:
            before = dict(stats.statuses)
        try:
            outcome = check(*check_args)
        except Exception as exc:  # noqa: BLE001 - a failed check is a line of the report
            outcome = Outcome(check.__name__, False, f"check failed: {type(exc).__name__}: {exc}")
        with stats.lock:
            during = {
                code: n - before.get(code, 0)
                for code, n in stats.statuses.items()
                if n - before.get(code, 0)
            }
        errors = {code: n for code, n in during.items() if code == 0 or code >= 500}
        outcome.details["load_during"] = {
            "requests": sum(during.values()),
            "errors": {str(code): n for code, n in sorted(errors.items())},
        }
        outcomes.append(outcome)
        print(
            f"  [{'ok' if outcome.ok else 'FAIL'}] {outcome.fault}: {outcome.users_saw}"
            f" | load meanwhile: {sum(during.values())} requests, errors {errors or 'none'}"
        )
        sys.stdout.flush()

    print(f"Load: {args.users} users and a reviewer through {BASE}")
    time.sleep(5)
    checks = CheckPeople()
    run(check_session_shared, checks)
    run(check_lockout_shared, checks)
    run(check_throttle_shared, checks)
    run(check_parallel_verification, checks)
    run(fault_kill_app, stats)
    run(fault_kill_worker, checks)
    run(fault_provider, "error500")
    run(fault_provider, "timeout")
    run(fault_redis, checks, args.redis_down)
    run(fault_postgres, checks)
    remaining = args.minutes * 60 - (time.monotonic() - began)
    if remaining > 0:
        time.sleep(remaining)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    elapsed = time.monotonic() - began

    result = audit(stats, started_at)
    sms = result["sms"]
    outcomes.append(
        Outcome(
            "every success a user saw is in the database, none made twice",
            result["lost"] == 0 and result["made_twice"] == 0,
            f"{sum(result['users_saw_ok'].values())} successes seen; lost {result['lost']}, "
            f"made twice {result['made_twice']}",
        )
    )
    outcomes.append(
        Outcome(
            "every SMS sent exactly once",
            sms["duplicated"] == 0
            and sms["lost_messages"] == 0
            and sms["lost_codes"] == 0
            and sms["unkeyed"] == 0,
            f"{sms['messages_sent']} messages and {sms['codes_sent']} codes sent; "
            f"duplicated {sms['duplicated']}, lost {sms['lost_messages'] + sms['lost_codes']}; "
            f"{sms['repeats_absorbed_by_key']} provider repeats absorbed by the key, "
            f"{sms['refused_by_provider']} refused calls retried",
        )
    )
    for outcome in outcomes[-2:]:
        print(f"  [{'ok' if outcome.ok else 'FAIL'}] {outcome.fault}: {outcome.users_saw}")

    report = {
        "seconds": round(elapsed, 1),
        "requests": stats.requests,
        "failures": stats.failures,
        "requests_per_second": round(stats.requests / elapsed, 1),
        "p95_ms": round(stats.p95() * 1000),
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "flows_ok": stats.flows_ok,
        "flows_failed": stats.flows_failed,
        "flow_errors": stats.flow_errors,
        **result,
        "faults": [
            {"fault": o.fault, "ok": o.ok, "users_saw": o.users_saw, **o.details} for o in outcomes
        ],
    }
    print(
        f"\n{stats.requests} requests in {elapsed:.0f} s ({report['requests_per_second']}/s), "
        f"{stats.failures} failed (5xx or no answer), p95 {report['p95_ms']} ms"
    )
    print(f"Flows ok: {stats.flows_ok}; failed: {stats.flows_failed}")
    print(f"Why flows failed: {stats.flow_errors}")
    print(
        f"SMS: {sms['messages_sent']} messages + {sms['codes_sent']} codes sent, "
        f"{sms['duplicated']} duplicated, {sms['lost_messages'] + sms['lost_codes']} lost"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
