"""Scenarios: rule files, synthetic series and expectations, run as one promtool test group.

A scenario is written out as a plain promtool test file (one group, with
`interval:` and `evaluation_interval:` always set) and judged by promtool;
`to_yaml()` gives that same file to keep or to read. How expectations become
promtool cases:

- firing: a `promql_expr_test` that some `ALERTS{alertstate="firing", ...}`
  series with the given labels exists, so labels may be a subset. With
  `annotations=` it is promtool's `alert_rule_test` instead, which compares
  the complete list: labels are then the alert's labels (the rule's literal
  labels are filled in) and every alert of that name firing then needs one.
- pending: the same `ALERTS` check with `alertstate="pending"`
  (`alert_rule_test` cannot see pending alerts).
- quiet: no `ALERTS` series of that alert (neither pending nor firing).
- resolved: quiet, and it was firing at some evaluation before.

promrules adds what bare promtool lacks: an alert name no loaded rule defines
is an error at once, and an expectation that only holds because the 5-minute
lookback still shows a series' last sample gets a LookbackWarning.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from promrules.authoring.scenario_report import failure_message
from promrules.authoring.series_base import Builder, InputSeries, check_labels
from promrules.engine.execution import run_test_file
from promrules.engine.results import CaseKey, CaseResult
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.durations import DurationError, format_duration, parse_duration
from promrules.files.model import load_test_file
from promrules.promtool.binary import Promtool, PromtoolError, locate

__all__ = [
    "Expectation",
    "LookbackWarning",
    "Scenario",
    "ScenarioError",
    "ScenarioFailure",
    "ScenarioResult",
    "UnknownAlertError",
    "reporting_passes_to",
    "scenario",
]

LOOKBACK_MS = 5 * 60 * 1000
Kind = Literal["firing", "pending", "quiet", "resolved"]


class ScenarioError(Exception):
    """The scenario cannot be run as built: bad arguments, rules, or a promtool error."""


class UnknownAlertError(ScenarioError, ValueError):
    """An expectation names an alert that no loaded rule defines."""


class ScenarioFailure(AssertionError):
    """promtool judged at least one expectation false; the message shows why and when."""

    def __init__(self, message: str, failed: tuple[Expectation, ...]) -> None:
        __tracebackhide__ = True
        super().__init__(message)
        self.failed = failed


class LookbackWarning(UserWarning):
    """An expectation after a series' last sample, where the lookback still shows it."""


PassListener = Callable[[tuple["Expectation", ...]], None]
_ON_PASS: ContextVar[PassListener | None] = ContextVar("promrules_scenario_pass", default=None)


@contextlib.contextmanager
def reporting_passes_to(listener: PassListener) -> Iterator[None]:
    """Scenarios that pass inside hand their expectations to `listener`.

    The pytest plugin counts them for alert coverage this way; authoring sits
    below coverage and so does not import it.
    """
    token = _ON_PASS.set(listener)
    try:
        yield
    finally:
        _ON_PASS.reset(token)


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


@dataclass(frozen=True)
class Expectation:
    """What one alert should be doing at one time."""

    kind: Kind
    alertname: str
    at: str
    at_ms: int
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] | None = None

    def __repr__(self) -> str:
        parts = [repr(self.alertname), repr(self.at)]
        if self.labels:
            parts.append(f"labels={dict(self.labels)!r}")
        if self.annotations is not None:
            parts.append(f"annotations={dict(self.annotations)!r}")
        return f"expect_{self.kind}({', '.join(parts)})"

    def selector(self, state: str | None = None) -> str:
        __tracebackhide__ = True
        pairs = [("alertname", self.alertname)]
        pairs += [("alertstate", state)] if state else []
        pairs += list(self.labels)
        return "ALERTS{" + ", ".join(f"{k}={_quote(v)}" for k, v in pairs) + "}"

    @property
    def shown_state(self) -> str:
        """The state the timeline's `expected` column shows."""
        __tracebackhide__ = True
        words = {"firing": "firing", "pending": "pending", "quiet": "inactive"}
        word = words.get(self.kind, "inactive (resolved)")
        labels = ", ".join(f"{k}={_quote(v)}" for k, v in self.labels)
        return f"{word}{{{labels}}}" if labels else word


@dataclass(frozen=True)
class ScenarioResult:
    """A passed scenario: what was checked and the test file promtool ran."""

    expectations: tuple[Expectation, ...]
    test_file: str = field(repr=False)
    seconds: float


class Scenario:
    """Rule files, input series and expectations; `run()` has promtool judge them."""

    def __init__(
        self,
        rule_files: tuple[Path, ...],
        shown_files: tuple[str, ...],
        alerts: dict[str, list[AlertDefinition]],
        *,
        evaluation_interval: str,
        name: str,
        promtool: Promtool | None,
    ) -> None:
        __tracebackhide__ = True
        self.rule_files = rule_files
        self.alerts = alerts
        self.evaluation_interval = evaluation_interval
        self.name = name
        self.promtool = promtool
        self.builders: list[Builder] = []
        self.expectations: list[Expectation] = []
        self._calls = [f"scenario({', '.join(repr(f) for f in shown_files)})"]
        if evaluation_interval != "1m":
            self._calls[0] = self._calls[0][:-1] + f", evaluation_interval={evaluation_interval!r})"

    def __repr__(self) -> str:
        return "".join(self._calls)

    # ---- building ----------------------------------------------------------------------

    @property
    def step(self) -> str:
        """The series step, which is the test group's `interval:` (1m with no series)."""
        __tracebackhide__ = True
        return self.builders[0].step if self.builders else "1m"

    @property
    def input_series(self) -> list[InputSeries]:
        return [s for builder in self.builders for s in builder.input_series()]

    def add(self, *builders: Builder) -> Scenario:
        """Add input series; every builder must use the same step (one `interval:`)."""
        __tracebackhide__ = True
        for builder in builders:
            if not isinstance(builder, Builder):
                raise TypeError(
                    f"add({builder!r}): expected a series builder such as "
                    "gauge('cpu').hold(95, '10m')"
                )
            step = self.builders[0].step_ms if self.builders else builder.step_ms
            if builder.step_ms != step:
                raise ScenarioError(
                    f"add({builder!r}): step={builder.step!r} differs from the step of the "
                    f"series already added ({self.step!r}); promtool has one interval per "
                    f"test group, so build every series with step={self.step!r}"
                )
            known = {s.selector for s in self.input_series}
            for series in builder.input_series():
                if series.selector in known:
                    raise ScenarioError(
                        f"add({builder!r}): the series {series.selector} was already added"
                    )
            self.builders.append(builder)
            self._calls.append(f".add({builder!r})")
        return self

    def _expect(
        self,
        kind: Kind,
        alertname: str,
        at: str,
        labels: Mapping[str, str] | None,
        annotations: Mapping[str, str] | None = None,
    ) -> Scenario:
        __tracebackhide__ = True
        call = f"expect_{kind}({alertname!r}, {at!r})"
        if alertname not in self.alerts:
            close = difflib.get_close_matches(str(alertname), sorted(self.alerts), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownAlertError(
                f"{call}: alertname={alertname!r} is not defined by any loaded rule file "
                f"({', '.join(str(p) for p in self.rule_files)}){hint}"
            )
        try:
            at_ms = parse_duration(at) if isinstance(at, str) else -1
        except DurationError:
            at_ms = -1
        if at_ms < 0:
            raise ScenarioError(f"{call}: at={at!r} is not a duration; write e.g. at='10m'")
        if kind == "resolved" and at_ms == 0:
            raise ScenarioError(f"{call}: at={at!r}: nothing can have fired before 0")
        try:
            label_pairs = check_labels(labels)
            note_pairs = None if annotations is None else _annotations(annotations)
        except (TypeError, ValueError) as exc:
            raise ScenarioError(f"{call}: {exc}") from None
        expectation = Expectation(kind, alertname, at, at_ms, label_pairs, note_pairs)
        self.expectations.append(expectation)
        self._calls.append(f".{expectation!r}")
        return self

    def expect_firing(
        self,
        alertname: str,
        at: str,
        *,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
    ) -> Scenario:
        """`alertname` is firing at `at`, with these labels (and annotations, if given)."""
        __tracebackhide__ = True
        return self._expect("firing", alertname, at, labels, annotations)

    def expect_pending(
        self, alertname: str, at: str, *, labels: Mapping[str, str] | None = None
    ) -> Scenario:
        """`alertname` is pending (active, its `for:` not yet over) at `at`."""
        __tracebackhide__ = True
        return self._expect("pending", alertname, at, labels)

    def expect_quiet(
        self, alertname: str, at: str, *, labels: Mapping[str, str] | None = None
    ) -> Scenario:
        """`alertname` is neither pending nor firing at `at`."""
        __tracebackhide__ = True
        return self._expect("quiet", alertname, at, labels)

    def expect_resolved(
        self, alertname: str, at: str, *, labels: Mapping[str, str] | None = None
    ) -> Scenario:
        """`alertname` fired before `at` and is neither pending nor firing at `at`."""
        __tracebackhide__ = True
        return self._expect("resolved", alertname, at, labels)

    # ---- the promtool test file --------------------------------------------------------

    def _cases(self) -> tuple[dict[str, Any], dict[int, list[CaseKey]]]:
        """The test group, and which of its cases check each expectation."""
        alert_tests: list[dict[str, Any]] = []
        expr_tests: list[dict[str, Any]] = []
        owners: dict[int, list[CaseKey]] = {}
        exact: dict[tuple[str, int], int] = {}

        def expr(number: int, text: str, present: bool, at: str) -> None:
            __tracebackhide__ = True
            samples = [{"labels": "{}", "value": 1}] if present else []
            owners[number].append((0, "expr", len(expr_tests)))
            expr_tests.append({"expr": text, "eval_time": at, "exp_samples": samples})

        def alert(number: int, e: Expectation, alerts: list[dict[str, Any]]) -> None:
            __tracebackhide__ = True
            key = (e.alertname, e.at_ms)
            if key not in exact:
                exact[key] = len(alert_tests)
                alert_tests.append({"eval_time": e.at, "alertname": e.alertname, "exp_alerts": []})
            owners[number].append((0, "alert", exact[key]))
            alert_tests[exact[key]]["exp_alerts"] += alerts

        self._check_exact_lists()
        for number, e in enumerate(self.expectations):
            owners[number] = []
            if e.kind == "firing" and e.annotations is not None:
                labels = {**self._static_labels(e.alertname), **dict(e.labels)}
                alert(number, e, [{"exp_labels": labels, "exp_annotations": dict(e.annotations)}])
            elif e.kind in ("firing", "pending"):
                expr(number, f"group({e.selector(e.kind)})", True, e.at)
            else:
                if not e.labels:
                    alert(number, e, [])
                expr(number, e.selector(), False, e.at)
                if e.kind == "resolved":
                    window = format_duration(e.at_ms + parse_duration(self.step))
                    fired = f"group(max_over_time({e.selector('firing')}[{window}]))"
                    expr(number, fired, True, e.at)
        group: dict[str, Any] = {"name": self.name, "interval": self.step}
        group["input_series"] = [s.to_dict() for s in self.input_series]
        if alert_tests:
            group["alert_rule_test"] = alert_tests
        if expr_tests:
            group["promql_expr_test"] = expr_tests
        return group, owners

    def _static_labels(self, alertname: str) -> dict[str, str]:
        return self.alerts[alertname][0].static_labels

    def _check_exact_lists(self) -> None:
        """alert_rule_test compares whole lists: annotations for all alerts at a time, or none."""
        __tracebackhide__ = True
        seen: dict[tuple[str, int], set[bool]] = {}
        for e in self.expectations:
            if e.kind == "firing":
                seen.setdefault((e.alertname, e.at_ms), set()).add(e.annotations is not None)
        for (alertname, at_ms), kinds in seen.items():
            if len(kinds) > 1:
                raise ScenarioError(
                    f"{alertname} at {format_duration(at_ms)}: some expect_firing calls give "
                    "annotations= and some do not; promtool compares the complete list of "
                    "firing alerts, so give annotations= for every alert at that time or for none"
                )

    def document(self, relative_to: Path | None = None) -> dict[str, Any]:
        """The test file as data; rule paths relative to `relative_to` when given."""
        __tracebackhide__ = True
        files = [
            os.path.relpath(p, relative_to) if relative_to is not None else str(p)
            for p in self.rule_files
        ]
        group, _owners = self._cases()
        return {
            "rule_files": files,
            "evaluation_interval": self.evaluation_interval,
            "tests": [group],
        }

    def to_yaml(self, relative_to: Path | None = None) -> str:
        """The scenario as a plain promtool test file."""
        __tracebackhide__ = True
        return yaml.safe_dump(
            self.document(relative_to), sort_keys=False, width=1_000_000, allow_unicode=True
        )

    def write(self, path: str | Path) -> Path:
        """Write the scenario as a promtool test file (rule paths relative to it)."""
        __tracebackhide__ = True
        target = Path(path)
        target.write_text(self.to_yaml(target.resolve().parent), encoding="utf-8")
        return target

    # ---- running -----------------------------------------------------------------------

    def _warn_lookback(self) -> None:
        for e in self.expectations:
            exprs = [d.expr for d in self.alerts[e.alertname]]
            for series in self.input_series:
                last = series.last_sample_ms
                if last is None or series.ends_stale or not last < e.at_ms <= last + LOOKBACK_MS:
                    continue
                used = re.compile(rf"(?<![\w:]){re.escape(series.name)}(?![\w:])")
                if not any(used.search(text) for text in exprs):
                    continue
                warnings.warn(
                    f"{e!r}: the input series {series.selector} has its last sample at "
                    f"{format_duration(last)}, but promtool's 5m lookback still shows that "
                    f"value at {e.at}; extend the series past {e.at}, end it with .stale(), "
                    f"or expect at {format_duration(last)} or earlier",
                    LookbackWarning,
                    stacklevel=3,
                )

    def run(self, promtool: Promtool | None = None) -> ScenarioResult:
        """Run the scenario with promtool; raise ScenarioFailure if an expectation is false."""
        __tracebackhide__ = True  # pytest shows the test's line, not this method's
        if not self.expectations:
            raise ScenarioError(f"{self!r}: no expectations; add e.g. .expect_firing(...)")
        self._warn_lookback()
        try:
            promtool = promtool or self.promtool or locate()
        except PromtoolError as exc:
            raise ScenarioError(str(exc)) from None
        group, owners = self._cases()
        with tempfile.TemporaryDirectory(prefix="promrules-scenario-") as tmp:
            path = Path(tmp) / "scenario_test.yml"
            text = self.to_yaml()
            path.write_text(text, encoding="utf-8")
            try:
                result = run_test_file(promtool, load_test_file(path))
            except yn.YamlError as exc:
                raise ScenarioError(str(exc)) from None
            if result.file_error is not None:
                raise ScenarioError(f"promtool could not run the scenario:\n{result.file_error}")
            cases = {key: result.verdicts.get(key, CaseResult("passed")) for key in _keys(owners)}
            errors = [v.message for v in cases.values() if v.status == "error"]
            if errors:
                raise ScenarioError("promtool could not run the scenario:\n" + errors[0])
            failed = {
                number: [cases[key] for key in keys if cases[key].status == "failed"]
                for number, keys in owners.items()
            }
            failed = {number: verdicts for number, verdicts in failed.items() if verdicts}
            if failed:
                message = failure_message(self, promtool, group, failed)
                expectations = tuple(self.expectations[n] for n in failed)
                raise ScenarioFailure(message, expectations)
        seconds = sum(run.seconds for run in result.runs)
        listener = _ON_PASS.get()
        if listener is not None:
            listener(tuple(self.expectations))
        return ScenarioResult(tuple(self.expectations), text, seconds)


def _keys(owners: dict[int, list[CaseKey]]) -> list[CaseKey]:
    return [key for keys in owners.values() for key in keys]


def _annotations(annotations: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    __tracebackhide__ = True
    if not isinstance(annotations, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in annotations.items()
    ):
        raise TypeError(f"annotations={annotations!r}: expected a dict of strings")
    return tuple(sorted(annotations.items()))


def scenario(
    *rule_files: str | Path,
    evaluation_interval: str = "1m",
    name: str = "scenario",
    promtool: Promtool | None = None,
    base_dir: str | Path | None = None,
) -> Scenario:
    """A scenario over these rule files (relative paths from `base_dir`, default the cwd)."""
    __tracebackhide__ = True
    if not rule_files:
        raise ScenarioError("scenario(): give at least one rule file, e.g. 'rules/system.yml'")
    try:
        parse_duration(evaluation_interval)
    except DurationError:
        raise ScenarioError(
            f"evaluation_interval={evaluation_interval!r}: not a duration; write e.g. '1m'"
        ) from None
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    paths = []
    alerts: dict[str, list[AlertDefinition]] = {}
    for given in rule_files:
        path = (base / given).resolve()
        if not path.is_file():
            raise ScenarioError(f"scenario({str(given)!r}): no rule file at {path}")
        try:
            definitions = load_alerts(path)
        except yn.YamlError as exc:
            raise ScenarioError(str(exc)) from None
        for definition in definitions:
            alerts.setdefault(definition.name, []).append(definition)
        paths.append(path)
    shown = tuple(str(f) for f in rule_files)
    return Scenario(
        tuple(paths),
        shown,
        alerts,
        evaluation_interval=evaluation_interval,
        name=name,
        promtool=promtool,
    )
