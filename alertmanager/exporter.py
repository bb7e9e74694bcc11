"""A scrape target whose metric values the test sets, for the end-to-end test.

It stands in for the monitored system: the test sets, say, system CPU to 95%,
Prometheus scrapes that, the real rules fire, and the alert travels on to
Alertmanager. Only the metrics a scenario sets are exposed, so no other rule
sees data it would not see in production.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Gauge, make_wsgi_app


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: one line per scrape would flood the test output."""


class ScenarioExporter:
    """Gauges created on first use; `set` changes what the next scrape returns."""

    def __init__(self, server: WSGIServer, registry: CollectorRegistry) -> None:
        self._server = server
        self._registry = registry
        self._gauges: dict[str, Gauge] = {}
        self._lock = threading.Lock()

    @property
    def target(self) -> str:
        """host:port, as Prometheus' static_configs want it."""
        return f"127.0.0.1:{self._server.server_port}"

    def set(self, name: str, value: float, **labels: str) -> None:
        with self._lock:
            gauge = self._gauges.get(name)
            if gauge is None:
                gauge = Gauge(
                    name, f"scenario value for {name}", sorted(labels), registry=self._registry
                )
                self._gauges[name] = gauge
        (gauge.labels(**labels) if labels else gauge).set(value)


@contextmanager
def scenario_exporter() -> Iterator[ScenarioExporter]:
    """Serve /metrics on 127.0.0.1 at a free port until the block ends."""
    registry = CollectorRegistry()
    server = make_server("127.0.0.1", 0, make_wsgi_app(registry), handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="scenario", daemon=True)
    thread.start()
    try:
        yield ScenarioExporter(server, registry)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
