"""A local stand-in for Slack, email and PagerDuty: an HTTP server that records webhooks.

The test config gives every receiver a webhook URL whose path is the receiver's
name, so a recorded notification says which receiver Alertmanager chose even
if the payload were wrong. It runs in the test process, so tests can wait on
it directly instead of polling a log.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Notification:
    """One webhook call: the URL path it came to and Alertmanager's JSON body."""

    path: str
    payload: dict[str, Any]
    received: float  # time.monotonic() on arrival

    @property
    def receiver(self) -> str:
        return self.path.strip("/")

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return list(self.payload.get("alerts", []))

    def alertnames(self) -> list[str]:
        return sorted(str(alert["labels"].get("alertname", "")) for alert in self.alerts)

    def mentions(self, text: str) -> bool:
        """For payloads in another tool's format (Slack, PagerDuty): does `text` occur?"""
        return text in json.dumps(self.payload)

    def has_label(self, name: str, value: str) -> bool:
        """True when every alert of the notification carries name=value."""
        return bool(self.alerts) and all(a["labels"].get(name) == value for a in self.alerts)


class WebhookRecorder:
    """Every notification received so far, with a way to wait for more."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self._seen: list[Notification] = []
        self._changed = threading.Condition()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url_for(self, receiver: str) -> str:
        return f"{self.url}/{receiver}"

    def record(self, notification: Notification) -> None:
        with self._changed:
            self._seen.append(notification)
            self._changed.notify_all()

    def notifications(
        self, where: Callable[[Notification], bool] = lambda _n: True
    ) -> list[Notification]:
        with self._changed:
            return [n for n in self._seen if where(n)]

    def wait_for(
        self, where: Callable[[Notification], bool], count: int = 1, timeout: float = 30.0
    ) -> list[Notification]:
        """Block until `count` matching notifications arrived; fail loudly after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [n for n in self._seen if where(n)]
                left = deadline - time.monotonic()
                if len(found) >= count or left <= 0:
                    break
                self._changed.wait(left)
        if len(found) < count:
            got = [(n.receiver, n.alertnames()) for n in self._seen]
            raise AssertionError(
                f"waited {timeout:g}s for {count} matching notification(s), "
                f"got {len(found)}; everything received: {got}"
            )
        return found


class _Handler(BaseHTTPRequestHandler):
    recorder: WebhookRecorder  # set on a per-server subclass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {"unparsed": body.decode("utf-8", errors="replace")}
        self.recorder.record(Notification(self.path, payload, time.monotonic()))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest would show every request on stderr otherwise."""


@contextmanager
def webhook_receiver() -> Iterator[WebhookRecorder]:
    """Serve on 127.0.0.1 at a free port until the block ends."""

    class Handler(_Handler):
        pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    recorder = WebhookRecorder(server)
    Handler.recorder = recorder
    thread = threading.Thread(target=server.serve_forever, name="webhook", daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
