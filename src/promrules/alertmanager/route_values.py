"""Route options as routing cases expect them and as route_options reads them.

Both sides go through `option_value`, so an expectation written `1m` equals a
configured `60s`, and name lists compare as sets.
"""

from __future__ import annotations

import yaml

from promrules.files import yamlnodes as yn
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.yamlnodes import YamlError

__all__ = ["INHERITED", "OPTION_KEYS", "OWN", "expected_value", "option_value", "show"]

INHERITED = ("group_by", "group_wait", "group_interval", "repeat_interval")
OWN = ("continue", "mute_time_intervals", "active_time_intervals")
OPTION_KEYS = INHERITED + OWN


def _names(node: yaml.Node | None) -> tuple[str, ...]:
    return tuple(str(yn.scalar(item)) for item in yn.sequence(node))


def option_value(where: str, key: str, node: yaml.Node) -> object:
    if key == "group_by":
        return tuple(sorted(_names(node)))
    if key in ("mute_time_intervals", "active_time_intervals"):
        return tuple(sorted(_names(node)))
    if key == "continue":
        return str(yn.scalar(node)).lower() in {"true", "yes", "on", "y"}
    try:
        return parse_duration(yn.scalar(node) or "")
    except DurationError as exc:
        raise YamlError(where, yn.line_of(node), f"`{key}`: {exc}") from None


def show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return format_duration(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return str(value)


def expected_value(where: str, key: str, node: yaml.Node) -> object:
    """An expectation from a routing case, in the same form as RouteOptions.values."""
    if key == "continue" and yn.scalar(node) not in {"true", "false"}:
        raise YamlError(where, yn.line_of(node), "`continue:` must be true or false")
    if key in ("group_by", "mute_time_intervals", "active_time_intervals") and not isinstance(
        node, yaml.SequenceNode
    ):
        raise YamlError(where, yn.line_of(node), f"`{key}:` must be a list of names")
    return option_value(where, key, node)
