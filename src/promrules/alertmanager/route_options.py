"""What the routes an alert reaches do with it: grouping, timers, continue, time intervals.

amtool prints only receiver names, so it cannot say which route matched when
two routes share a receiver, nor any route's options. Which routes match is
still amtool's answer: it routes the labels through a copy of the tree in
which every route has a receiver named after its position (am_config). Each
option is then read along that route's path from the root with
Alertmanager's own inheritance (dispatch.NewRoute): receiver, `group_by` and
the three timers are inherited (`group_by: []` too: Alertmanager reads an
empty list as unset), `...` groups by every label, the time
intervals and `continue` belong to the route alone, and the root falls back
to 30s / 5m / 4h.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules.alertmanager.amtool import Amtool, AmtoolError
from promrules.alertmanager.config_copies import MARK_PREFIX, marked_routes_copy
from promrules.alertmanager.route_values import INHERITED, OPTION_KEYS, OWN, option_value, show
from promrules.files import yamlnodes as yn
from promrules.files.durations import parse_duration

__all__ = ["RouteOptions", "matched_routes", "option_differences"]


@dataclass(frozen=True)
class RouteOptions:
    """One matched route as Alertmanager applies it; `origin` says which line set each value."""

    path: str  # child indexes from the root, "" for the root itself, "0.2" below
    line: int
    receiver: str
    values: Mapping[str, object]  # option key -> tuple of names, bool, or duration in ms
    origin: Mapping[str, int] = field(default_factory=dict)  # option key -> line (0: default)


_DEFAULTS = {"group_by": (), "group_wait": "30s", "group_interval": "5m", "repeat_interval": "4h"}


def _walk(
    where: str, node: yaml.Node | None, path: str, parent: RouteOptions | None
) -> dict[str, RouteOptions]:
    if parent is None:
        values: dict[str, object] = {
            k: (v if k == "group_by" else parse_duration(str(v))) for k, v in _DEFAULTS.items()
        }
        origin: dict[str, int] = dict.fromkeys(INHERITED, 0)
        receiver = ""
    else:
        values = {k: parent.values[k] for k in INHERITED}
        origin = {k: parent.origin[k] for k in INHERITED}
        receiver = parent.receiver
    line = yn.line_of(node) if node is not None else 0
    receiver = yn.scalar(yn.get(node, "receiver")) or receiver
    for key in OPTION_KEYS:
        found = yn.get(node, key)
        if key == "group_by" and not yn.sequence(found):
            found = None  # Alertmanager reads `group_by: []` as unset: inherited
        if found is not None and found.tag != "tag:yaml.org,2002:null":
            values[key] = option_value(where, key, found)
            origin[key] = yn.line_of(found)
        elif key in OWN:
            values[key] = False if key == "continue" else ()
            origin[key] = line
    here = RouteOptions(path, line, receiver, values, origin)
    routes = {path: here}
    for index, child in enumerate(yn.sequence(yn.get(node, "routes"))):
        routes.update(_walk(where, child, f"{path}.{index}" if path else str(index), here))
    return routes


def matched_routes(amtool: Amtool, config: Path, labels: Mapping[str, str]) -> list[RouteOptions]:
    """The routes amtool matches for `labels`, in routing-tree order, with their options."""
    tree = _walk(str(config), yn.get(yn.compose_file(config), "route"), "", None)
    with tempfile.TemporaryDirectory(prefix="promrules-routes-") as folder:
        marked = marked_routes_copy(config, Path(folder) / "marked.json")
        route = amtool.route(marked, labels)
    paths = [name.removeprefix(MARK_PREFIX) for name in route.receivers]
    if not all(
        name.startswith(MARK_PREFIX) and path in tree
        for name, path in zip(route.receivers, paths, strict=True)
    ):
        raise AmtoolError(f"amtool routed the marked copy to unknown routes: {route.receivers}")
    return [tree[path] for path in paths]


def option_differences(
    route: RouteOptions, expected: Mapping[str, object], config_name: str
) -> list[str]:
    """One line per option of `route` that differs from `expected` (same value types)."""
    lines = []
    for key, want in expected.items():
        got = route.values[key]
        if got != want:
            line = route.origin.get(key, 0)
            where = f"from {config_name}:{line}" if line else "Alertmanager's default"
            lines.append(f"{key}: expected {show(want)}, got {show(got)} ({where})")
    return lines
