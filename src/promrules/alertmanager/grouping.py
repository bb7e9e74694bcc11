"""How a running Alertmanager groups one alert: per matched route, its receiver and group labels.

route_options reads `group_by` from the configuration; this asks the
Alertmanager itself, so a routing case's `group_by` verdict is confirmed by
the program that will group the alerts. The alert carries one extra label
(`promrules_grouping`, unique per call) to find its groups again; a group
keyed by that label too groups by every label (`...`). The alert is resolved
again before returning, so it cannot take part in later inhibition cases.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence

from promrules.alertmanager.api import alert, get_groups, poll, post_alerts
from promrules.alertmanager.route_options import RouteOptions
from promrules.alertmanager.server import ServerProcess

__all__ = ["Grouping", "alertmanager_grouping", "expected_grouping"]

Grouping = tuple[tuple[str, tuple[str, ...]], ...]  # sorted (receiver, group label names or "...")
TAG = "promrules_grouping"
GROUPS_TIMEOUT = 10.0
_CALLS = itertools.count(1)


def expected_grouping(routes: Sequence[RouteOptions], labels: Mapping[str, str]) -> Grouping:
    """The groups the routes' `group_by` implies for `labels`: only labels the alert has count."""
    found = []
    for route in routes:
        group_by = route.values["group_by"]
        assert isinstance(group_by, tuple)
        present = [n for n in group_by if labels.get(n, "") != ""]  # empty is absent, as in AM
        names = group_by if group_by == ("...",) else tuple(present)
        found.append((route.receiver, tuple(sorted(names))))
    return tuple(sorted(found))


def alertmanager_grouping(
    server: ServerProcess, labels: Mapping[str, str], expected_groups: int
) -> Grouping:
    """Post the alert, wait until Alertmanager lists `expected_groups` groups for it, read them."""
    tagged = {**labels, TAG: f"{os.getpid()}-{next(_CALLS)}"}
    post_alerts(server, [alert(tagged)])

    def groups() -> Grouping:
        found = []
        for group in get_groups(server, **{TAG: tagged[TAG]}):
            names = tuple(sorted(group["labels"]))
            found.append((group["receiver"]["name"], ("...",) if TAG in names else names))
        return tuple(sorted(found))

    try:
        return poll(groups, lambda seen: len(seen) >= expected_groups, GROUPS_TIMEOUT)
    finally:
        post_alerts(server, [alert(tagged, ended=True)])
