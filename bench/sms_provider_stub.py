"""An SMS provider stand-in for the cluster: Twilio's Messages API on 127.0.0.1.

It plays a provider that honours idempotency keys: a message is delivered to
the "phone" once per ``Idempotency-Key``; a repeat with the same key gets the
first answer back and is counted as a repeat, not delivered again. Every
call is recorded so the load run can count messages sent, repeated and lost.

It can be told to misbehave (POST /_stub/mode with JSON):

- ``{"mode": "error500", "seconds": 5}``: answer 500 and deliver nothing;
- ``{"mode": "timeout", "seconds": 5}``: answer only after ``delay`` seconds
  (longer than the portal waits) but deliver the message, as a provider that
  accepted it late would;
- ``{"mode": "slow", "seconds": 10, "delay": 3}``: deliver, answer after ``delay``;
- ``{"mode": "ok"}``.

GET /_stub/messages returns what was delivered; POST /_stub/reset forgets it.
"""

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


class Provider:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.mode = "ok"
            self.mode_until = 0.0
            self.delay = 0.0
            self.calls = 0
            self.refused = 0
            self.repeats = 0
            self.by_key: dict[str, dict] = {}
            self.unkeyed: list[dict] = []

    def current_mode(self) -> str:
        if self.mode != "ok" and time.monotonic() > self.mode_until:
            self.mode = "ok"
        return self.mode

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "mode": self.current_mode(),
                "calls": self.calls,
                "refused": self.refused,
                "repeats": self.repeats,
                "messages": list(self.by_key.values()) + self.unkeyed,
            }


provider = Provider()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _read(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the portal gave up waiting

    def do_GET(self):
        if self.path.startswith("/_stub/messages"):
            self._answer(200, provider.snapshot())
        else:
            self._answer(404, {"status": 404})

    def do_POST(self):
        raw = self._read()
        if self.path == "/_stub/reset":
            provider.reset()
            return self._answer(200, {"ok": True})
        if self.path == "/_stub/mode":
            options = json.loads(raw or b"{}")
            with provider.lock:
                provider.mode = options.get("mode", "ok")
                provider.mode_until = time.monotonic() + float(options.get("seconds", 3600))
                provider.delay = float(options.get("delay", 5))
            return self._answer(200, {"mode": provider.mode})
        if not self.path.endswith("/Messages.json"):
            return self._answer(404, {"status": 404})

        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        key = self.headers.get("Idempotency-Key", "")
        with provider.lock:
            provider.calls += 1
            mode = provider.current_mode()
            delay = provider.delay
        if mode == "error500":
            with provider.lock:
                provider.refused += 1
            return self._answer(500, {"code": 20500, "message": "Internal error", "status": 500})
        with provider.lock:
            known = provider.by_key.get(key) if key else None
            if known is not None:
                provider.repeats += 1
                known["calls"] += 1
                message = known
            else:
                message = {
                    "key": key,
                    "sid": "SM" + uuid.uuid4().hex,
                    "to": form.get("To", ""),
                    "body": form.get("Body", ""),
                    "at": time.time(),
                    "calls": 1,
                }
                if key:
                    provider.by_key[key] = message
                else:
                    provider.unkeyed.append(message)
        if mode in ("timeout", "slow"):
            time.sleep(delay)
        self._answer(
            201,
            {
                "sid": message["sid"],
                "to": message["to"],
                "body": message["body"],
                "status": "queued",
                "account_sid": self.path.split("/")[3],
            },
        )

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
