"""Differential testing of promrules against bare promtool: generated projects, both verdicts.

A project is a rule file (or two) and a promtool test file, generated with
hypothesis from pieces real suites use (recording chains, `ALERTS` queries,
`absent`, `or`/`and`/`unless`, regex selectors without a metric name,
`label_replace`, `offset`, `@`, templates with `query`, window edges) and
written with the YAML features promtool's Go decoder reads its own way (merge
keys, anchors, tags, quoting, flow and block styles, repeated and unknown keys).
Expectations are drawn at random: promtool decides which cases pass.

The truth is bare promtool on the file as written: its exit code, and the
cases its FAILED blocks name. promrules must agree with it case by case, with
default options, under a `-k` selection, and when one expectation promtool
passed is flipped (then both must fail that case).

Used by tests/engine/test_differential.py (a short profile) and benchmarks/differential.py
(the long run).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

STEP_S = 30

# --- the model ---------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str  # alert or record name
    expr: str
    record: bool = False
    for_: str = ""
    annotation: str = ""
    file: int = 0  # which rule file


@dataclass(frozen=True)
class AlertCase:
    alertname: str
    eval_s: int
    firing: bool  # expect one alert with the labels below
    labels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ExprCase:
    expr: str
    eval_s: int
    value: float | None  # None: expect no samples
    labels: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    interval_s: int | None
    series: tuple[tuple[str, str], ...]  # (series selector, values)
    alerts: tuple[AlertCase, ...]
    exprs: tuple[ExprCase, ...]
    # How it is written: "plain", or "merge" (from the group before it, overriding
    # name and interval), or "merge-first" (overrides written before the merge key).
    form: str = "plain"


@dataclass(frozen=True)
class Style:
    """YAML spellings: each one a feature promtool's Go decoder must read like promrules."""

    quote: str = ""  # "", "'" or '"' around alert names and exprs
    tag_str: bool = False  # !!str on eval times and names
    flow_alerts: bool = False
    block_expr: bool = False
    alias_series: bool = False  # later groups reuse the first group's series by alias
    duplicate_key: bool = False  # one group writes `interval` twice (promtool rejects)
    unknown_key: bool = False  # one group has a key promtool does not know
    evaluation_interval_s: int | None = None


@dataclass(frozen=True)
class Project:
    rules: tuple[Rule, ...]
    groups: tuple[Group, ...]
    style: Style = field(default_factory=Style)

    @property
    def alert_names(self) -> list[str]:
        return [r.name for r in self.rules if not r.record]


def duration(seconds: int) -> str:
    """Go's spelling of a duration, as promtool prints eval times ("1m30s", "0s")."""
    if seconds == 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{secs}s" if secs else "")


# --- strategies --------------------------------------------------------------------

_THRESHOLDS = st.sampled_from([1, 2.5, 3, 4, 10])
_SHAPES = [
    "m > {t}",
    "r:m > {t}",
    "r:n > {t}",
    'absent(m{{job="zz"}})',
    "m > {t} or n > {t}",
    "m > {t} and on(job) n > {t}",
    "m > {t} unless on(job) n > {t}",
    '{{__name__=~"m|n", job=~"a|b"}} > {t}',
    'label_replace(m, "dst", "$1", "job", "(.*)") > {t}',
    "m offset 1m > {t}",
    "m @ 120 > {t}",
    "max_over_time(m[2m]) > {t}",
    "rate(n[1m]) > 0",
    "time() - 60 > {t} * 60",
    "vector(1) > 0",
    "sum by (job) (m) > {t}",
]
_ANNOTATIONS = [
    "",
    "value {{ $value }}",
    "job {{ $labels.job }}",
    '{{ with query "m" }}{{ . | first | value }}{{ end }}',
]
_VALUES = ["0 5 5 5 5 5", "1+1x8", "5x3 0x3", "0 0 0 9 9 9", "3 _ 3 stale 3", "0x6"]


@st.composite
def projects(draw: Any) -> Project:
    """A rule set with one or two files and a test file of one to four groups."""
    # promtool evaluates the rule groups of different files in a random order (a Go
    # map, see orderedGroups in cmd/promtool/unittest.go), so a rule that reads another
    # rule's output shares its group: else bare promtool's own verdict is a coin toss.
    rules = [
        Rule("r:m", "m * 2", record=True, file=0),
        Rule("r:n", "r:m + n", record=True, file=0),
    ]
    count = draw(st.integers(1, 4))
    for i in range(count):
        shape = draw(st.sampled_from(_SHAPES))
        reads_rules = "r:" in shape or i == 0  # Alert0 feeds the Chained alert
        rules.append(
            Rule(
                f"Alert{i}",
                shape.format(t=draw(_THRESHOLDS)),
                for_=draw(st.sampled_from(["", "", "1m", "2m"])),
                annotation=draw(st.sampled_from(_ANNOTATIONS)),
                file=0 if reads_rules else draw(st.integers(0, 1)),
            )
        )
    if draw(st.booleans()):
        rules.append(Rule("Chained", 'count(ALERTS{alertname="Alert0", alertstate="firing"}) > 0'))
    names = [r.name for r in rules if not r.record]
    groups = []
    n_groups = draw(st.integers(1, 4))
    for g in range(n_groups):
        form = (
            "plain"
            if g == 0
            else draw(st.sampled_from(["plain", "plain", "merge", "merge-list", "merge-first"]))
        )
        series = tuple(
            (f'{metric}{{job="{job}"}}', draw(st.sampled_from(_VALUES)))
            for metric in draw(st.sampled_from([("m",), ("n",), ("m", "n")]))
            for job in draw(st.sampled_from([("a",), ("a", "b")]))
        )
        times = draw(st.lists(st.integers(0, 10), min_size=1, max_size=3, unique=True))
        alerts = tuple(
            AlertCase(
                draw(st.sampled_from(names)),
                t * STEP_S,
                draw(st.booleans()),
                (("job", draw(st.sampled_from(["a", "b"]))),),
            )
            for t in times
        )
        exprs = tuple(
            ExprCase(
                draw(st.sampled_from(["m", "r:m", "count(m)", 'ALERTS{alertstate="firing"}'])),
                t * STEP_S,
                draw(st.sampled_from([None, 5.0, 10.0, 1.0])),
                'm{job="a"}',
            )
            for t in draw(st.lists(st.integers(0, 10), max_size=2, unique=True))
        )
        interval = draw(st.sampled_from([None, 30, 60, 60, 120]))
        groups.append(Group(f"grp{chr(65 + g)}", interval, series, alerts, exprs, form))
    style = Style(
        quote=draw(st.sampled_from(["", "", "'", '"'])),
        tag_str=draw(st.booleans()),
        flow_alerts=draw(st.booleans()),
        block_expr=draw(st.booleans()),
        alias_series=draw(st.booleans()),
        duplicate_key=draw(st.integers(0, 15)) == 0,
        unknown_key=draw(st.integers(0, 15)) == 0,
        evaluation_interval_s=draw(st.sampled_from([None, 30, 60])),
    )
    return Project(tuple(rules), tuple(groups), style)


# --- writing -----------------------------------------------------------------------


def _q(text: str, style: Style) -> str:
    if style.quote == "'":
        return "'" + text.replace("'", "''") + "'"
    if style.quote == '"':
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text if re.fullmatch(r"[A-Za-z0-9_:]+", text) else "'" + text.replace("'", "''") + "'"


def _tag(text: str, style: Style) -> str:
    return f"!!str {text}" if style.tag_str else text


def rule_files(project: Project) -> dict[str, str]:
    """rules0.yml (and rules1.yml): the project's rules, one group per file."""
    files: dict[str, list[str]] = {}
    for rule in project.rules:
        lines = files.setdefault(f"rules{rule.file}.yml", ["groups:", "- name: g", "  rules:"])
        key = "record" if rule.record else "alert"
        lines.append(f"  - {key}: {rule.name}")
        lines.append(f"    expr: '{rule.expr}'")
        if rule.for_:
            lines.append(f"    for: {rule.for_}")
        if rule.annotation:
            lines.append("    annotations:")
            lines.append(f"      summary: '{rule.annotation}'")
    return {name: "\n".join(lines) + "\n" for name, lines in sorted(files.items())}


def _expr_lines(expr: str, style: Style) -> list[str]:
    if style.block_expr:
        return ["    expr: |-", f"      {expr}"]
    return [f"    expr: {_q(expr, style)}"]


def _alert_lines(case: AlertCase, style: Style) -> list[str]:
    lines = [
        f"  - alertname: {_tag(_q(case.alertname, style), style)}",
        f"    eval_time: {_tag(duration(case.eval_s), style)}",
    ]
    if not case.firing:
        lines.append("    exp_alerts: []")
        return lines
    labels = ", ".join(f"{k}: {v}" for k, v in case.labels)
    if style.flow_alerts:
        lines.append(f"    exp_alerts: [{{exp_labels: {{{labels}}}}}]")
    else:
        lines += ["    exp_alerts:", "    - exp_labels:"]
        lines += [f"        {k}: {v}" for k, v in case.labels]
    return lines


def _expr_case_lines(case: ExprCase, style: Style) -> list[str]:
    lines = _expr_lines(case.expr, style)
    lines[0] = "  - " + lines[0].lstrip()
    lines.append(f"    eval_time: {duration(case.eval_s)}")
    if case.value is None:
        lines.append("    exp_samples: []")
    else:
        lines += ["    exp_samples:", f"    - labels: '{case.labels}'"]
        lines.append(f"      value: {case.value}")
    return lines


def _body(group: Group, style: Style, first: bool, series: bool = True) -> list[str]:
    """A group's keys other than name and interval, at two spaces of indent."""
    lines = []
    if not series:
        pass
    elif style.alias_series and not first:
        lines.append("  input_series: *series")
    else:
        anchor = " &series" if style.alias_series else ""
        lines.append(f"  input_series:{anchor}")
        for selector, values in group.series:
            lines += [f"  - series: '{selector}'", f"    values: {_tag(values, style)}"]
    if group.alerts:
        lines.append("  alert_rule_test:")
        for case in group.alerts:
            lines += ["  " + line for line in _alert_lines(case, style)]
    if group.exprs:
        lines.append("  promql_expr_test:")
        for expr_case in group.exprs:
            lines += ["  " + line for line in _expr_case_lines(expr_case, style)]
    return lines


def test_file(project: Project) -> str:
    """The promtool test file, in the project's YAML style."""
    style = project.style
    lines = ["rule_files:"] + [f"- {name}" for name in rule_files(project)]
    if style.evaluation_interval_s:
        lines.append(f"evaluation_interval: {duration(style.evaluation_interval_s)}")
    lines.append("tests:")
    for g, group in enumerate(project.groups):
        own = [f"  name: {_tag(group.name, style)}"]
        if group.interval_s is not None:
            own.append(f"  interval: {duration(group.interval_s)}")
        if g == len(project.groups) - 1 and style.duplicate_key:
            own.append(f"  interval: {duration(group.interval_s or 60)}")
        if g == 0 and style.unknown_key:
            own.append("  not_a_promtool_key: 1")
        if group.form == "plain":
            entry = [f"  &g{g}", *own, *_body(group, style, g == 0)]
        elif group.form == "merge":  # series from the merge, own cases
            entry = [f"  &g{g}", f"  <<: *g{g - 1}", *own, *_body(group, style, False, False)]
        elif group.form == "merge-list":  # everything from two merges; the first one wins
            entry = [f"  &g{g}", f"  <<: [*g{g - 1}, *g0]", *own]
        else:  # overrides before the merge key: what the merge brings wins (yaml.v2)
            entry = [f"  &g{g}", *own, *_body(group, style, g == 0), f"  <<: *g{g - 1}"]
        entry[0] = "-" + entry[0][1:]
        lines += entry
    return "\n".join(lines) + "\n"


def write_project(project: Project, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in rule_files(project).items():
        (folder / name).write_text(text)
    target = folder / "t.yml"
    target.write_text(test_file(project))
    return target


def flipped(project: Project, key: tuple[str, str, str]) -> Project:
    """The project with the expectation of the cases under `key` turned around."""
    kind, subject, time = key
    groups = []
    for group in project.groups:
        alerts = tuple(
            replace(c, firing=not c.firing)
            if kind == "alert" and (c.alertname, duration(c.eval_s)) == (subject, time)
            else c
            for c in group.alerts
        )
        exprs = tuple(
            replace(c, value=None if c.value is not None else 7.0)
            if kind == "expr" and (c.expr, duration(c.eval_s)) == (subject, time)
            else c
            for c in group.exprs
        )
        groups.append(replace(group, alerts=alerts, exprs=exprs))
    return replace(project, groups=tuple(groups))


# --- bare promtool's verdict ---------------------------------------------------------

_ALERT_BLOCK = re.compile(r"^\s*alertname: (.*?), time: (\S+?),\s*$", re.M)
_EXPR_BLOCK = re.compile(r'^\s*expr: "(.*)", time: (\S+?),\s*$', re.M)

CaseKey = tuple[str, str, str]  # (kind, alertname or expr, eval time as promtool prints it)


@dataclass(frozen=True)
class BareVerdict:
    returncode: int
    failed: frozenset[CaseKey]  # the cases its FAILED blocks name
    output: str

    @property
    def errored(self) -> bool:
        """promtool failed the file without naming a case (it rejected the file or a group)."""
        return self.returncode != 0 and not self.failed


def bare_verdict(promtool: str, test_path: Path) -> BareVerdict:
    run = subprocess.run(
        [promtool, "test", "rules", test_path.name],
        cwd=test_path.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    failed = {("alert", m[1], m[2]) for m in _ALERT_BLOCK.finditer(output)}
    failed |= {("expr", m[1].replace('\\"', '"'), m[2]) for m in _EXPR_BLOCK.finditer(output)}
    return BareVerdict(run.returncode, frozenset(failed), output)


# --- promrules' verdict --------------------------------------------------------------


@dataclass
class ItemOutcome:
    path: Path
    group: str
    key: CaseKey
    status: str = "not run"  # passed, failed (the case), error (set-up: promrules or promtool)
    message: str = ""  # what promrules said, when it did not pass


class OutcomeRecorder:
    """A pytest plugin that records each promrules case item's key and outcome."""

    def __init__(self) -> None:
        self.items: dict[str, ItemOutcome] = {}

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        for item in items:
            case = getattr(item, "case", None)
            if case is None or case.kind == "group":
                continue
            time = duration((case.eval_ms or 0) // 1000)
            key = (case.kind, case.subject, time)
            self.items[item.nodeid] = ItemOutcome(Path(item.path), item.group.label, key)

    def pytest_runtest_logreport(self, report: Any) -> None:
        outcome = self.items.get(report.nodeid)
        if outcome is None:
            return
        if report.failed:
            outcome.status = "error" if report.when != "call" else "failed"
            outcome.message = str(report.longrepr)[:2000]
        elif report.when == "call" and outcome.status == "not run":
            outcome.status = "passed"

    def for_file(self, path: Path) -> list[ItemOutcome]:
        return [o for o in self.items.values() if o.path == path.resolve()]


# --- agreement -----------------------------------------------------------------------


def disagreements(
    bare: BareVerdict,
    outcomes: Iterable[ItemOutcome],
    whole_file: bool = True,
    keys_unique: bool = True,
) -> list[str]:
    """How promrules' outcomes for one file differ from bare promtool's verdict.

    Cases are matched by key (kind, subject, time): groups merged from others
    repeat keys, and promtool does not always say which group a block is from.
    `whole_file`: every case ran (no selection), so the file's verdict must match
    too, and every case promtool failed must have failed in promrules. Under a
    selection with repeated keys, the failed case may be one that did not run.
    """
    ran = [o for o in outcomes if o.status != "not run"]
    problems = []
    any_bad = any(o.status != "passed" for o in ran)
    if whole_file and any_bad != (bare.returncode != 0):
        said = next((o.message for o in ran if o.status != "passed"), "")
        problems.append(
            f"promtool exit {bare.returncode}, promrules "
            f"{'failed' if any_bad else 'passed'} ({len(ran)} cases){': ' + said if said else ''}"
        )
    if bare.errored:
        return problems  # promtool named no case; every promrules case may fail with it
    by_key: dict[CaseKey, list[ItemOutcome]] = {}
    for outcome in ran:
        by_key.setdefault(outcome.key, []).append(outcome)
    for key in sorted(bare.failed):
        mine = by_key.get(key, [])
        if mine and all(o.status == "passed" for o in mine) and (whole_file or keys_unique):
            problems.append(f"{key}: promtool failed it, promrules passed it")
        elif whole_file and not mine:
            problems.append(f"{key}: promtool failed it, promrules has no such case")
    for outcome in ran:
        if outcome.status == "failed" and outcome.key not in bare.failed:
            problems.append(f"{outcome.group} {outcome.key}: promrules failed it, promtool passed")
    return problems


def selection(project: Project, rng: Any) -> list[str]:
    """Some of the project's group names, for a -k run (at least one)."""
    names = [g.name for g in project.groups]
    chosen = [n for n in names if rng.random() < 0.5]
    return chosen or [names[0]]
