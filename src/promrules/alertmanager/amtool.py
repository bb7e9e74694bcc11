"""Find amtool, run it against an Alertmanager config, and read what it printed.

Routing trees are easy to get subtly wrong (an early route without `continue`
swallows everything below it), and only Alertmanager's own matcher code gives
the answer Alertmanager will give. So routing is checked by the real amtool,
not by re-implementing the tree walk here. Everything that starts amtool lives
in this module; callers get frozen result objects and never parse output.

It also reads the two inputs those checks need, keeping YAML line numbers so
that a failure points at the case: a routing-cases file (alert labels and the
receivers they must reach) and the static labels of the alerts in rule files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import yaml

from promrules.alertmanager.route_values import OPTION_KEYS, expected_value
from promrules.files import yamlnodes as yn
from promrules.files.yamlnodes import YamlError

__all__ = [
    "Amtool",
    "AmtoolError",
    "ConfigCheck",
    "InhibitionCase",
    "Route",
    "RoutingCase",
    "RoutingCases",
    "RuleAlert",
    "YamlError",
    "default_receiver",
    "load_routing_cases",
    "locate_amtool",
    "rule_alerts",
]

PROJECT_AMTOOL = Path(".tools") / "bin" / "amtool"
DEFAULT_TIMEOUT = 60.0

_VERSION_RE = re.compile(r"\bversion (\d+\.\d+\.\d+)")
_LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_MISMATCH = "Expected receivers did not match resolved receivers"
Named = TypeVar("Named", "RoutingCase", "InhibitionCase")


class AmtoolError(Exception):
    """amtool cannot answer: missing, not runnable, hung, or refused the input."""


@dataclass(frozen=True)
class ConfigCheck:
    """The verdict of `amtool check-config` on one file."""

    config: str
    ok: bool
    output: str

    @property
    def problem(self) -> str:
        """amtool's reason for rejecting the file, or "" when it passed."""
        if self.ok:
            return ""
        for line in self.output.splitlines():
            if "FAILED" in line:
                return line.split("FAILED", 1)[1].lstrip(": ").strip()
        return self.output.strip() or "amtool check-config failed without a message"


@dataclass(frozen=True)
class Route:
    """Where one label set is routed, and whether that is what was expected."""

    labels: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    expected: tuple[str, ...] | None  # None when no expectation was passed
    matches: bool  # amtool's own --verify.receivers verdict; True without `expected`
    argv: tuple[str, ...]  # the command, to repeat by hand


@dataclass(frozen=True)
class Amtool:
    """A located amtool binary and its version, read once."""

    path: str
    version: str
    source: str
    timeout: float = DEFAULT_TIMEOUT

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        argv = [self.path, *args]
        try:
            return subprocess.run(
                argv,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AmtoolError(
                f"amtool did not finish within {self.timeout:g}s: {' '.join(argv)}"
            ) from exc
        except OSError as exc:
            raise AmtoolError(f"cannot run amtool at {self.path}: {exc.strerror}") from exc

    def check_config(self, config: str | Path) -> ConfigCheck:
        """`amtool check-config`: syntax, references between routes and receivers."""
        done = self._run("check-config", str(config))
        output = done.stdout + done.stderr
        ok = done.returncode == 0 and "SUCCESS" in done.stdout
        return ConfigCheck(str(config), ok, output)

    def route(
        self,
        config: str | Path,
        labels: Mapping[str, str],
        expected: Sequence[str] | None = None,
    ) -> Route:
        """`amtool config routes test` for one label set.

        With `expected`, amtool itself verifies the receivers (in routing-tree
        order) via `--verify.receivers`; either way the resolved receivers are
        read back, so a mismatch can show what was routed instead.
        """
        pairs = tuple(labels.items())
        for name, _value in pairs:
            if not _LABEL_NAME_RE.fullmatch(name):
                raise AmtoolError(f"invalid label name {name!r}: use letters, digits and _")
        args = ["config", "routes", "test", f"--config.file={config}"]
        if expected is not None:
            if not expected:
                raise AmtoolError("expected=[] can never match: a label set always has a receiver")
            args.append(f"--verify.receivers={','.join(expected)}")
        args += [f"{name}={_quote(value)}" for name, value in pairs]
        done = self._run(*args)
        argv = (self.path, *args)
        lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
        resolved = [line for line in lines if not line.startswith("WARNING")]
        mismatch = done.returncode == 1 and any(_MISMATCH in line for line in lines)
        if (done.returncode != 0 and not mismatch) or len(resolved) != 1:
            reason = (done.stderr + done.stdout).strip() or f"exit code {done.returncode}"
            raise AmtoolError(f"amtool could not route {_show(pairs)} with {config}: {reason}")
        receivers = tuple(part.strip() for part in resolved[0].split(","))
        wanted = None if expected is None else tuple(expected)
        return Route(pairs, receivers, wanted, matches=not mismatch, argv=argv)


def _quote(value: str) -> str:
    """A label value as amtool's matcher parser reads it back unchanged."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _show(pairs: tuple[tuple[str, str], ...]) -> str:
    return "{" + ", ".join(f'{name}="{value}"' for name, value in pairs) + "}"


def _candidates(rootdir: Path, env: Mapping[str, str]) -> list[tuple[str, str]]:
    """Where amtool may come from, in order: AMTOOL, the repo's set-up, PATH."""
    found: list[tuple[str, str]] = []
    if env.get("AMTOOL"):
        found.append((env["AMTOOL"], "AMTOOL environment variable"))
    project = rootdir / PROJECT_AMTOOL
    if project.exists():
        found.append((str(project), f"the project's set-up ({PROJECT_AMTOOL})"))
    on_path = shutil.which("amtool", path=env.get("PATH"))
    if on_path:
        found.append((on_path, "PATH"))
    return found


def locate_amtool(
    rootdir: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Amtool:
    """Pick the first configured amtool and check that it runs and says its version.

    The first source that is set wins even when it is broken, as with promtool:
    falling back silently would check routing with an amtool nobody chose.
    """
    env = os.environ if env is None else env
    candidates = _candidates(rootdir or Path.cwd(), env)
    if not candidates:
        raise AmtoolError(
            "amtool not found: set AMTOOL, or put amtool on PATH "
            "(Debian's prometheus-alertmanager package has it)"
        )
    path, source = candidates[0]
    resolved = shutil.which(path) if os.sep not in path else path
    if resolved is None or not os.path.isfile(resolved) or not os.access(resolved, os.X_OK):
        raise AmtoolError(f"amtool at {path!r} (from {source}) is missing or not executable")
    done = Amtool(resolved, "", source, timeout=min(timeout, 30.0))._run("--version")
    match = _VERSION_RE.search(done.stdout + done.stderr)
    if done.returncode != 0 or match is None or "amtool" not in done.stdout + done.stderr:
        raise AmtoolError(f"{resolved!r} (from {source}) did not report an amtool version")
    return Amtool(resolved, match.group(1), source, timeout=timeout)


Labels = tuple[tuple[str, str], ...]
Expected = tuple[tuple[str, object], ...]  # route option key -> expected value (route_values)


@dataclass(frozen=True)
class RoutingCase:
    """Alert labels, the receivers they must reach in routing-tree order, and route options."""

    name: str
    labels: Labels
    receivers: tuple[str, ...]
    description: str
    line: int
    expect: Expected = ()  # options every matched route must have
    per_route: tuple[Expected, ...] = ()  # empty, or one entry per receiver

    @property
    def checks_options(self) -> bool:
        return bool(self.expect) or any(self.per_route)


@dataclass(frozen=True)
class InhibitionCase:
    """Alerts posted together to a real Alertmanager, and which of them it must mute."""

    name: str
    description: str
    line: int
    firing: tuple[Labels, ...]  # sources that are not themselves under test
    resolved: tuple[Labels, ...]  # posted already ended
    muted: tuple[Labels, ...]
    not_muted: tuple[Labels, ...]


@dataclass(frozen=True)
class RoutingCases:
    """A routing-cases file: which config it tests, against which rules, and its cases."""

    path: Path
    config: Path
    rules: str  # glob of the rule files whose alerts must all reach a severity receiver
    cases: tuple[RoutingCase, ...]
    inhibitions: tuple[InhibitionCase, ...] = ()


@dataclass(frozen=True)
class RuleAlert:
    """One alerting rule's name and static labels, as Alertmanager will first see them."""

    path: Path
    line: int
    alertname: str
    labels: tuple[tuple[str, str], ...]


_FILE_KEYS = {"config", "rules", "cases", "inhibitions"}
_CASE_KEYS = {"name", "description", "labels", "receivers", "routes", *OPTION_KEYS}
_INHIBITION_KEYS = {"name", "description", "firing", "resolved", "muted", "not_muted"}


def load_routing_cases(path: Path) -> RoutingCases:
    """Read and check a routing-cases file; every problem names its line (YamlError)."""
    root = yn.compose_file(path)
    where = str(path)
    if not isinstance(root, yaml.MappingNode):
        raise YamlError(where, None, f"expected `config:` and `cases:`, but {yn.describe(root)}")
    _refuse_unknown_keys(where, root, _FILE_KEYS)
    config = _required_text(where, root, "config")
    rules = yn.scalar(yn.get(root, "rules")) or ""
    cases = _read_named(where, root, "cases", _read_case)
    inhibitions = _read_named(where, root, "inhibitions", _read_inhibition)
    if not cases and not inhibitions:
        line = yn.line_of(yn.get(root, "cases") or root)
        raise YamlError(where, line, "`cases:` or `inhibitions:` must be a non-empty list")
    base = path.parent
    config_path = Path(os.path.normpath(base / config))
    if not config_path.is_file():
        line = yn.line_of(yn.get(root, "config") or root)
        raise YamlError(where, line, f"`config:` {config!r} is not a file next to this one")
    rules_glob = "" if not rules else os.path.normpath(base / rules)
    return RoutingCases(path, config_path, rules_glob, tuple(cases), tuple(inhibitions))


def _read_named(
    where: str, root: yaml.MappingNode, key: str, read: Callable[[str, yaml.Node], Named]
) -> list[Named]:
    """The entries of a list of named cases (absent: none); names are unique per list."""
    node = yn.get(root, key)
    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        raise YamlError(where, yn.line_of(node), f"`{key}:` must be a non-empty list")
    found: list[Named] = []
    seen: dict[str, int] = {}
    for item in node.value:
        case = read(where, item)
        if case.name in seen:
            raise YamlError(
                where,
                case.line,
                f"case name {case.name!r} is already used on line {seen[case.name]}",
            )
        seen[case.name] = case.line
        found.append(case)
    return found


def default_receiver(config: Path) -> str:
    """The routing tree's root receiver: where alerts that match no route end up."""
    receiver = yn.scalar(yn.get(yn.get(yn.compose_file(config), "route"), "receiver"))
    if not receiver:
        raise YamlError(str(config), None, "no `route:` with a `receiver:`")
    return receiver


def _read_case(where: str, node: yaml.Node) -> RoutingCase:
    line = yn.line_of(node)
    if not isinstance(node, yaml.MappingNode):
        raise YamlError(where, line, "each case must be a mapping with name, labels, receivers")
    _refuse_unknown_keys(where, node, _CASE_KEYS)
    name = _required_text(where, node, "name")
    labels_node = yn.get(node, "labels")
    if not isinstance(labels_node, yaml.MappingNode):
        raise YamlError(where, line, f"case {name!r}: `labels:` must be a mapping (may be {{}})")
    labels = _label_pairs(where, labels_node)
    receivers = tuple(yn.scalar(item) or "" for item in yn.sequence(yn.get(node, "receivers")))
    if not receivers or not all(receivers):
        raise YamlError(where, line, f"case {name!r}: `receivers:` must list receiver names")
    description = yn.scalar(yn.get(node, "description")) or ""
    expect = _expectations(where, node)
    per_route = _per_route(where, node, name, len(receivers))
    return RoutingCase(name, labels, receivers, description, line, expect, per_route)


def _expectations(where: str, node: yaml.MappingNode) -> Expected:
    found = []
    for key in OPTION_KEYS:
        value = yn.get(node, key)
        if value is not None:
            found.append((key, expected_value(where, key, value)))
    return tuple(found)


def _per_route(where: str, node: yaml.MappingNode, name: str, count: int) -> tuple[Expected, ...]:
    """`routes:` holds one mapping of options per receiver, in the same order."""
    routes_node = yn.get(node, "routes")
    if routes_node is None:
        return ()
    entries = yn.sequence(routes_node)
    if not isinstance(routes_node, yaml.SequenceNode) or len(entries) != count:
        key_line = next(yn.line_of(k) for k, _v in node.value if yn.scalar(k) == "routes")
        raise YamlError(
            where,
            key_line,
            f"case {name!r}: `routes:` must list one mapping per receiver ({count})",
        )
    found = []
    for entry in entries:
        if not isinstance(entry, yaml.MappingNode):
            raise YamlError(where, yn.line_of(entry), "each `routes:` entry must be a mapping")
        _refuse_unknown_keys(where, entry, set(OPTION_KEYS))
        found.append(_expectations(where, entry))
    return tuple(found)


def _read_inhibition(where: str, node: yaml.Node) -> InhibitionCase:
    line = yn.line_of(node)
    if not isinstance(node, yaml.MappingNode):
        raise YamlError(
            where, line, "each inhibition case must be a mapping with name, firing, ..."
        )
    _refuse_unknown_keys(where, node, _INHIBITION_KEYS)
    name = _required_text(where, node, "name")
    lists = {
        key: _alert_list(where, node, key) for key in ("firing", "resolved", "muted", "not_muted")
    }
    if not lists["muted"] and not lists["not_muted"]:
        raise YamlError(where, line, f"case {name!r}: give `muted:` or `not_muted:` alerts")
    description = yn.scalar(yn.get(node, "description")) or ""
    return InhibitionCase(
        name,
        description,
        line,
        lists["firing"],
        lists["resolved"],
        lists["muted"],
        lists["not_muted"],
    )


def _alert_list(where: str, node: yaml.MappingNode, key: str) -> tuple[Labels, ...]:
    """A list of alerts, each a mapping of its labels."""
    found = yn.get(node, key)
    if found is None:
        return ()
    if not isinstance(found, yaml.SequenceNode):
        raise YamlError(where, yn.line_of(found), f"`{key}:` must be a list of label mappings")
    alerts = []
    for item in found.value:
        if not isinstance(item, yaml.MappingNode) or not item.value:
            raise YamlError(where, yn.line_of(item), f"each `{key}:` alert must be a label mapping")
        alerts.append(_label_pairs(where, item))
    return tuple(alerts)


def _label_pairs(where: str, node: yaml.MappingNode) -> tuple[tuple[str, str], ...]:
    pairs = []
    for key_node, value_node in node.value:
        name = yn.scalar(key_node) or ""
        value = yn.scalar(value_node)
        if not _LABEL_NAME_RE.fullmatch(name) or value is None:
            raise YamlError(
                where, yn.line_of(key_node), f"label {name!r} needs a valid name and a plain value"
            )
        pairs.append((name, value))
    return tuple(pairs)


def _required_text(where: str, node: yaml.MappingNode, key: str) -> str:
    value = yn.scalar(yn.get(node, key))
    if not value:
        raise YamlError(where, yn.line_of(node), f"`{key}:` is required and must be text")
    return value


def _refuse_unknown_keys(where: str, node: yaml.MappingNode, allowed: set[str]) -> None:
    """A misspelt key (`reciever:`) would silently drop an expectation, so it is an error."""
    for key_node, _value in node.value:
        key = yn.scalar(key_node)
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise YamlError(where, yn.line_of(key_node), f"unknown key {key!r} (known: {known})")


def rule_alerts(paths: Sequence[Path]) -> list[RuleAlert]:
    """The alerting rules of these rule files with their static labels (raises YamlError)."""
    found = []
    for path in paths:
        root = yn.compose_file(path)
        for group in yn.sequence(yn.get(root, "groups")):
            for rule in yn.sequence(yn.get(group, "rules")):
                name = yn.scalar(yn.get(rule, "alert"))
                if name is None:
                    continue
                labels_node = yn.get(rule, "labels")
                labels = (
                    _label_pairs(str(path), labels_node)
                    if isinstance(labels_node, yaml.MappingNode)
                    else ()
                )
                found.append(RuleAlert(path, yn.line_of(rule), name, labels))
    return found
