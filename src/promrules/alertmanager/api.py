"""Talk to a running Alertmanager through its API v2: post alerts, read their status back.

The inhibition cases and the `alertmanager_server` fixture ask Alertmanager
itself which alerts it mutes (`status.inhibitedBy`) and how it groups them
(`/api/v2/alerts/groups`), so nothing here decides; it only carries requests
and waits for answers, never for a fixed time.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from promrules.alertmanager.server import ServerProcess

__all__ = ["alert", "get_alerts", "get_groups", "poll", "post_alerts"]

T = TypeVar("T")


def alert(labels: Mapping[str, str], *, ended: bool = False) -> dict[str, Any]:
    """An API v2 alert body starting now; `ended` makes it already resolved.

    startsAt must not lie further back than group_wait: Alertmanager flushes a
    new group at once for such an alert, before the inhibitor may have seen
    an inhibiting alert posted in the same request.
    """
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "labels": dict(labels),
        "annotations": {"summary": f"test alert {labels.get('alertname', '')}"},
        "startsAt": now.isoformat(),
    }
    if ended:
        body["startsAt"] = (now - timedelta(seconds=2)).isoformat()
        body["endsAt"] = (now - timedelta(seconds=1)).isoformat()
    return body


def post_alerts(server: ServerProcess, alerts: list[dict[str, Any]]) -> None:
    server.post_json("/api/v2/alerts", alerts)


def _filters(matchers: Mapping[str, str]) -> list[tuple[str, str]]:
    query = [("filter", f'{name}="{value}"') for name, value in matchers.items()]
    return [*query, ("inhibited", "true"), ("silenced", "true"), ("active", "true")]


def get_alerts(server: ServerProcess, **matchers: str) -> list[dict[str, Any]]:
    """GET /api/v2/alerts filtered by equality matchers, inhibited ones included."""
    result = server.get_json("/api/v2/alerts?" + urllib.parse.urlencode(_filters(matchers)))
    return list(result)


def get_groups(server: ServerProcess, **matchers: str) -> list[dict[str, Any]]:
    """GET /api/v2/alerts/groups: per receiver, the group labels and alerts (muted included)."""
    result = server.get_json("/api/v2/alerts/groups?" + urllib.parse.urlencode(_filters(matchers)))
    return list(result)


def poll(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float) -> T:
    """Fetch until `done` says yes or `timeout` passes; the last value either way.

    Returning rather than raising lets the caller's assert show what was seen.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
