"""Test copies of an Alertmanager configuration that the real amtool and Alertmanager load.

The copies keep what decides routing and muting (the route tree and the
inhibit rules) as written, and replace what a test cannot or must not use:
receivers become name-only (nothing is sent anywhere), time intervals become
name-only stubs (they only gate notifications). Scalars are carried as their
written text, never re-typed by Python's YAML reading (`09:00` or `010` stay
text), and written as JSON, which Alertmanager's YAML reader accepts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.yamlnodes import YamlError

__all__ = ["MARK_PREFIX", "inhibition_copy", "marked_routes_copy", "plain", "route_receiver_names"]

MARK_PREFIX = "promrules-route:"  # receiver name of a marked route: the prefix, then its path
_BOOL_TAG = "tag:yaml.org,2002:bool"
_TRUE = {"true", "yes", "on", "y"}


def plain(node: yaml.Node | None) -> Any:
    """A node as JSON-ready data; scalars stay their text, except YAML booleans."""
    if isinstance(node, yaml.MappingNode):
        return {str(yn.scalar(key)): plain(value) for key, value in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain(item) for item in node.value]
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _BOOL_TAG:
            return str(node.value).lower() in _TRUE
        if node.tag == "tag:yaml.org,2002:null":
            return None
        return str(node.value)
    return None


def _root(config: Path) -> yaml.MappingNode:
    root = yn.compose_file(config)
    if not isinstance(root, yaml.MappingNode) or yn.get(root, "route") is None:
        raise YamlError(str(config), None, "not an Alertmanager configuration (no `route:`)")
    return root


def _interval_stubs(root: yaml.MappingNode) -> dict[str, Any]:
    """Every time interval name, defined as an empty interval (validity only)."""
    stubs = {}
    for key in ("time_intervals", "mute_time_intervals"):
        names = [yn.scalar(yn.get(item, "name")) for item in yn.sequence(yn.get(root, key))]
        if names:
            stubs[key] = [{"name": name, "time_intervals": []} for name in names if name]
    return stubs


def _mark(route: dict[str, Any], path: str) -> list[str]:
    """Give every route a receiver named after its path; returns those names."""
    route["receiver"] = MARK_PREFIX + path
    names = [route["receiver"]]
    for index, child in enumerate(route.get("routes") or []):
        names += _mark(child, f"{path}.{index}" if path else str(index))
    return names


def marked_routes_copy(config: Path, target: Path) -> Path:
    """The route tree with one receiver per route, so amtool's answer names the routes."""
    root = _root(config)
    route = plain(yn.get(root, "route"))
    names = _mark(route, "")
    copy = {"route": route, "receivers": [{"name": n} for n in names], **_interval_stubs(root)}
    target.write_text(json.dumps(copy, indent=1))
    return target


def route_receiver_names(config: Path) -> list[str]:
    root = _root(config)
    return [str(yn.scalar(yn.get(r, "name"))) for r in yn.sequence(yn.get(root, "receivers"))]


def inhibition_copy(config: Path, target: Path, first_rules: list[dict[str, Any]]) -> Path:
    """The routes and inhibit rules as written, name-only receivers, `first_rules` first."""
    root = _root(config)
    copy = {
        "global": {"resolve_timeout": "5m"},
        "route": plain(yn.get(root, "route")),
        "receivers": [{"name": name} for name in route_receiver_names(config)],
        "inhibit_rules": first_rules + list(plain(yn.get(root, "inhibit_rules")) or []),
        **_interval_stubs(root),
    }
    target.write_text(json.dumps(copy, indent=1))
    return target
