"""The lint machinery: policy, findings and the check registry.

A check's registered name is the one name a user sees: the pytest item
(`lint/<name>`), the finding's `(lint/<name>)`, the docs page
docs/lint/<name>.md and the disable comment `# promrules: disable lint/<name>`.
Checks build findings without a code; `run_checks` stamps the name they were
registered under, so an item and its findings cannot disagree.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from promrules.files.durations import DurationError, parse_duration
from promrules.lint.reading import AlertRule, read_alert_rules, read_rules

__all__ = [
    "CHECKS",
    "AlertRule",
    "Finding",
    "LintContext",
    "Policy",
    "check",
    "enabled_checks",
    "load_policy",
    "read_alert_rules",
    "read_rules",
    "run_checks",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Policy:
    """What [tool.promrules.lint] asks for; an empty policy runs only the policy-free checks."""

    severities: tuple[str, ...] = ()
    required_labels: tuple[str, ...] = ()
    required_annotations: tuple[str, ...] = ()
    runbook: str | None = None  # path of the runbook, from the rootdir
    for_required: tuple[str, ...] = ()  # severities whose alerts must have `for:`
    unique_names: bool = True
    # Prometheus's defaults for global.scrape_interval and global.evaluation_interval.
    scrape_interval: str = "1m"
    evaluation_interval: str = "1m"
    disable: tuple[str, ...] = ()  # check names switched off for every file

    @property
    def scrape_ms(self) -> int:
        return parse_duration(self.scrape_interval)

    @property
    def evaluation_ms(self) -> int:
        return parse_duration(self.evaluation_interval)


@dataclass(frozen=True)
class Finding:
    """One problem, printed as `Problem: summary (lint/code)` then where it is.

    `first_line`..`last_line` is the rule the finding is about, which is what
    `--promrules-lint-changed-since` compares with the lines a change touched.
    """

    code: str
    summary: str
    path: str
    line: int
    alert: str
    details: str = ""
    first_line: int = 0
    last_line: int = 0

    @classmethod
    def at(
        cls, rule: AlertRule, summary: str, *, line: int | None = None, details: str = ""
    ) -> Finding:
        """A finding about `rule` (at `line`, its first line by default); the code comes later."""
        return cls(
            "",
            summary,
            rule.path,
            line or rule.line,
            rule.name,
            details,
            rule.line,
            rule.last_line,
        )

    def render(self) -> str:
        where = f"{self.path}:{self.line} -> {self.alert}"
        text = f"Problem: {self.summary} (lint/{self.code})\n---> {where}"
        return f"{text}\n     {self.details}" if self.details else text


@dataclass(frozen=True)
class LintContext:
    rootdir: Path
    policy: Policy
    rules: tuple[AlertRule, ...]  # every rule of every linted file, for cross-file checks
    _found: dict[str, dict[str, list[Finding]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _shared: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def shared(self, key: str, build: Callable[[], T]) -> T:
        """`build()`, worked out once per context: for cross-file checks' indexes."""
        if key not in self._shared:
            self._shared[key] = build()
        return self._shared[key]  # type: ignore[no-any-return]

    @property
    def alerts(self) -> tuple[AlertRule, ...]:
        return tuple(r for r in self.rules if r.kind == "alert")

    def alerts_of(self, path: str) -> Iterator[AlertRule]:
        return (r for r in self.rules_of(path) if r.kind == "alert")

    def rules_of(self, path: str) -> Iterator[AlertRule]:
        return iter(self.shared("by-path", self._by_path).get(path, ()))

    def _by_path(self) -> dict[str, list[AlertRule]]:
        found: dict[str, list[AlertRule]] = {}
        for rule in self.rules:
            found.setdefault(rule.path, []).append(rule)
        return found


CheckFunction = Callable[[LintContext, str], Iterator[Finding]]
CHECKS: dict[str, CheckFunction] = {}


def check(code: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under its code, which is also its docs page name."""

    def register(function: CheckFunction) -> CheckFunction:
        CHECKS[code] = function
        return function

    return register


def enabled_checks(policy: Policy) -> list[str]:
    """The check names to run, in order: all registered ones but `disable`d ones."""
    return sorted(code for code in CHECKS if code not in policy.disable)


def _tupled(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def load_policy(rootdir: Path) -> Policy | None:
    """[tool.promrules.lint] of the rootdir's pyproject.toml, or None when absent."""
    pyproject = rootdir / "pyproject.toml"
    try:
        data = tomllib.loads(pyproject.read_text())
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("promrules", {}).get("lint")
    if not isinstance(table, dict):
        return None
    known = set(Policy.__dataclass_fields__)
    unknown = set(table) - known
    if unknown:
        raise ValueError(
            f"{pyproject}: unknown [tool.promrules.lint] keys: {', '.join(sorted(unknown))} "
            f"(known: {', '.join(sorted(known))})"
        )
    policy = Policy(**{k: _tupled(v) for k, v in table.items()})
    for key in ("scrape_interval", "evaluation_interval"):
        try:
            if parse_duration(getattr(policy, key)) <= 0:
                raise DurationError("must be above zero")
        except DurationError as exc:
            raise ValueError(
                f"{pyproject}: [tool.promrules.lint] {key} = {getattr(policy, key)!r}: {exc}"
            ) from None
    unknown_checks = sorted(set(policy.disable) - set(CHECKS))
    if unknown_checks:
        raise ValueError(
            f"{pyproject}: [tool.promrules.lint] disable: no such check(s) "
            f"{', '.join(unknown_checks)} (known: {', '.join(sorted(CHECKS))})"
        )
    return policy


def _kept(context: LintContext, code: str, finding: Finding) -> bool:
    disabled = context.shared(
        "disabled", lambda: {(r.path, r.line): r.disabled for r in context.rules if r.disabled}
    )
    return code not in disabled.get((finding.path, finding.first_line), frozenset())


def run_checks(context: LintContext, path: str) -> dict[str, list[Finding]]:
    """Findings of every enabled check for one rule file, by check code (worked out once).

    A finding is dropped when its rule carries `# promrules: disable lint/<code>`.
    """
    if path not in context._found:
        found = {}
        for code in enabled_checks(context.policy):
            stamped = (replace(f, code=code) for f in CHECKS[code](context, path))
            found[code] = [f for f in stamped if _kept(context, code, f)]
        context._found[path] = found
    return context._found[path]
