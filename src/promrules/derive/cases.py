"""From solved settings to test cases: series, a timeline, and what to assert when.

For each case the series are laid out from time 0 and read into a timeline
(derive/timeline.py). The case then asserts the moments that matter: not
active one tick before the condition first holds, pending then, not firing
one tick before `for:` has passed, firing then; never active once the
series have settled, for the quiet cases; and after the condition clears,
firing until keep_firing_for has passed and resolved then. Every assertion
lists every alert the rule has at that tick, so another branch of an `or`
that fires with other labels is expected too, not ignored.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from promrules.derive import promql
from promrules.derive.bench import Setting, expand, guarded_age
from promrules.derive.conditions import Condition
from promrules.derive.context import AlertContext
from promrules.derive.leaves import input_series
from promrules.derive.primary import Solution, describe, firing_case
from promrules.derive.printer import string_text
from promrules.derive.probe import Probe
from promrules.derive.states import State
from promrules.derive.timeline import Labels, Timeline, read_timeline
from promrules.files.durations import format_duration

__all__ = ["CaseDraft", "Expectation", "build_cases", "without_condition"]


@dataclass
class Expectation:
    """One assertion: the alerts (or ALERTS samples) expected at one tick.

    `derived` holds one label set per expected alert; the calibration run
    replaces them with promtool's exact labels and annotations (`found`)
    when it reports the same number.
    """

    kind: Literal["alert", "expr"]
    eval_ms: int
    derived: list[dict[str, str]] = field(default_factory=list)
    expr: str = ""
    found: list[tuple[dict[str, str], dict[str, str], float]] | None = None

    @property
    def count(self) -> int:
        return len(self.derived)


@dataclass
class CaseDraft:
    """One derived case: a promtool test group in the making."""

    alert: str
    case: str
    condition: Condition
    interval_ms: int
    series: list[tuple[str, str]]
    expectations: list[Expectation]
    summary: str
    name: str = ""


def without_condition(ctx: AlertContext, condition: Condition) -> str:
    """The alert expression with the tested comparison replaced by its signal."""
    if condition.kind == "absent":
        return ctx.rule.expr
    lhs = condition.signal_index == condition.index + 1 or condition.kind == "reference"
    return promql.replace(ctx.root, condition.index, lambda node: node.lhs if lhs else node.rhs)


def rest_of_expression(ctx: AlertContext, condition: Condition) -> str | None:
    """The expression with the tested comparison made empty, when an `or` can fire without it."""
    if condition.kind == "absent" or not any(
        a[1] == "or" for c in ctx.conditions for a in c.ancestors
    ):
        return None
    nothing = promql.parse(f"({condition.signal}) unless on () vector(1)")
    return promql.replace(ctx.root, condition.index, lambda _node: nothing)


def _exprs(ctx: AlertContext, condition: Condition) -> list[str]:
    exprs = [condition.signal]
    if condition.reference is not None:
        exprs.append(condition.reference)
    exprs.append(without_condition(ctx, condition))
    rest = rest_of_expression(ctx, condition)
    return [*exprs, rest] if rest is not None else exprs


def _probe(
    ctx: AlertContext,
    phases: Sequence[tuple[int, Setting, bool]],
    end_ms: int,
    exprs: Sequence[str],
) -> Probe:
    plan = ctx.plan
    schedule = expand(ctx.leaves, plan, phases)
    times = plan.sample_times(end_ms)
    series = input_series(ctx.leaves, schedule, times, plan.period_ms, plan.interval_ms)
    queries = [(expr, tick) for tick in plan.ticks(end_ms) for expr in exprs]
    return Probe(series, plan.interval_ms, queries, ctx.evaluation_interval_ms)


def _steady(ctx: AlertContext, setting: Setting) -> int:
    return ctx.plan.steady_tick(guarded_age(ctx.leaves, setting))


def _alert_labels(ctx: AlertContext, labels: Labels) -> dict[str, str]:
    found = dict(labels)
    found.update(ctx.rule.static_labels)
    found["alertname"] = ctx.rule.name
    return found


def _alerts_expr(ctx: AlertContext, state: str | None = None) -> str:
    """ALERTS of this rule: its name quoted, and its static labels when another rule
    has the same name (they tell the two rules' alerts apart)."""
    pairs = [("alertname", ctx.rule.name)]
    if ctx.siblings:
        pairs += sorted(ctx.rule.static_labels.items())
    if state:
        pairs.append(("alertstate", state))
    inner = ", ".join(f"{name}={string_text(value)}" for name, value in pairs)
    return f"ALERTS{{{inner}}}"


def _firing(ctx: AlertContext, timeline: Timeline, i: int) -> Expectation:
    """The firing alerts at tick i: an alert_rule_test, or for a rule sharing its name
    with another rule (promtool's alert_rule_test lists both), this rule's ALERTS."""
    alerts = timeline.alerts(i, "firing")
    if ctx.siblings:
        found = [
            {"__name__": "ALERTS", **_alert_labels(ctx, a), "alertstate": "firing"} for a in alerts
        ]
        return Expectation("expr", timeline.ticks[i], found, _alerts_expr(ctx, "firing"))
    return Expectation("alert", timeline.ticks[i], [_alert_labels(ctx, a) for a in alerts])


def _alerts_series(
    ctx: AlertContext, timeline: Timeline, i: int, state: State | None, at: int
) -> Expectation:
    wanted: tuple[State, ...] = (state,) if state else ("pending", "firing")
    found = []
    for labels in timeline.alerts(i, *wanted):
        alert_state = timeline.states[labels][i]
        found.append(
            {"__name__": "ALERTS", **_alert_labels(ctx, labels), "alertstate": alert_state}
        )
    return Expectation("expr", at, found, _alerts_expr(ctx, state))


def _fires(
    ctx: AlertContext, timeline: Timeline, case: str, onset_ms: int
) -> list[Expectation] | str:
    """Assertions for a case whose condition holds: quiet, pending, then firing on time.

    The series are quiet until `onset_ms`; the condition must not hold before.
    """
    if timeline.problem:
        return timeline.problem
    early = timeline.first(
        lambda i: (
            timeline.ticks[i] < onset_ms
            and timeline.state(i) != "inactive"
            and timeline.ticks[i] >= onset_ms - ctx.plan.steady_ms
        )
    )
    if early is not None:
        return (
            f"in the {case} case the alert is already active at "
            f"{format_duration(timeline.ticks[early])}, while the series are still short "
            "of the threshold"
        )
    first = timeline.first(lambda i: timeline.holds[i] and timeline.ticks[i] >= onset_ms)
    if first is None:
        if timeline.silent:
            return (
                f"in the {case} case the rest of the expression returns nothing: "
                "its and/or/unless parts never match the condition's series"
            )
        return f"the condition never holds in the {case} case"
    fired = timeline.first(lambda i: timeline.state(i) == "firing", first)
    if fired is None:
        return (
            f"the condition holds from {format_duration(timeline.ticks[first])} but not "
            f"for `for: {format_duration(ctx.rule.for_ms)}` without a break"
        )
    while first < fired and not all(timeline.holds[first : fired + 1]):
        first += 1  # the run of ticks that led to firing starts after the last break
    t1 = timeline.ticks[first]
    found: list[Expectation] = []
    if first > 0:
        found.append(_alerts_series(ctx, timeline, first - 1, None, t1 - ctx.plan.tick_ms))
    if ctx.rule.for_ms > 0:
        found.append(_alerts_series(ctx, timeline, first, "pending", t1))
        found.append(_firing(ctx, timeline, fired - 1))
    found.append(_firing(ctx, timeline, fired))
    return found


def _quiet(
    ctx: AlertContext, timeline: Timeline, case: str, start_ms: int
) -> list[Expectation] | str:
    """Assertions for a case whose condition must not hold once the series have settled.

    Before `start_ms` windows are still filling (a counter's first minutes);
    what the alert does then is not the threshold's doing.
    """
    if timeline.problem:
        return timeline.problem
    begin = timeline.first(lambda i: timeline.ticks[i] >= start_ms)
    if begin is None:
        return "the horizon ends before the series settle"
    wrong = timeline.first(
        lambda i: timeline.holds[i] or bool(timeline.alerts(i, "pending", "firing")), begin
    )
    if wrong is not None:
        return (
            f"in the {case} case the alert is still active at "
            f"{format_duration(timeline.ticks[wrong])}"
        )
    end = len(timeline.ticks) - 1
    window = format_duration(timeline.ticks[end] - timeline.ticks[begin] + ctx.plan.tick_ms // 2)
    never = f"count_over_time({_alerts_expr(ctx)}[{window}])"
    return [_firing(ctx, timeline, end), Expectation("expr", timeline.ticks[end], [], never)]


def _clears(ctx: AlertContext, timeline: Timeline, switch_ms: int) -> list[Expectation] | str:
    """Assertions for the clearing case: firing until it clears (and keep_firing_for)."""
    if timeline.problem:
        return timeline.problem
    start = timeline.first(lambda i: timeline.ticks[i] >= switch_ms)
    if start is None:
        return "the horizon ends before the condition is switched off"
    cleared = timeline.first(lambda i: not timeline.holds[i], start)
    if cleared is None:
        return "the condition still holds after its series were moved short of the threshold"
    if cleared == 0 or timeline.state(cleared - 1) != "firing":
        return "the alert is not firing when the condition clears"
    resolved = timeline.first(lambda i: timeline.state(i) == "inactive", cleared)
    if resolved is None:
        return "the alert is still firing at the end of the horizon"
    if any(timeline.holds[cleared : resolved + 1]):
        return "the condition holds again before the alert resolves"
    found = [_firing(ctx, timeline, cleared - 1)]
    if resolved - 1 > cleared - 1:
        found.append(_firing(ctx, timeline, resolved - 1))
    found.append(_firing(ctx, timeline, resolved))
    return found


def should_fire(condition: Condition, case: str) -> bool:
    if case in ("beyond", "clears"):
        return True
    if case == "exact":
        return condition.op in (">=", "<=", "==")
    return False


def _summary(solution: Solution, case: str, outcome: str) -> str:
    condition = solution.condition
    if condition.kind == "absent":
        what = "series missing" if case == "beyond" else "series present"
        return f"{case}: {what}: {outcome}"
    reading = solution.readings.get("short" if case == "clears" else case)
    if reading is not None and reading.empty:
        value = "no series"
    else:
        value = describe(reading.value, solution.threshold) if reading else "?"
    return f"{case}: signal at {value} ({condition.op} {describe(solution.threshold)}): {outcome}"


def _outcome(expectations: Sequence[Expectation]) -> str:
    parts = []
    for e in expectations:
        at = format_duration(e.eval_ms)
        if e.kind == "alert":
            parts.append(f"firing at {at}" if e.count else f"not firing at {at}")
        elif e.expr.startswith("count_over_time"):
            parts.append(f"never active up to {at}")
        elif e.count:
            parts.append(f"pending at {at}" if "pending" in e.expr else f"active at {at}")
        else:
            parts.append(f"inactive at {at}")
    return ", ".join(parts)


def _draft(
    ctx: AlertContext,
    solution: Solution,
    case: str,
    probe: Probe,
    expectations: list[Expectation],
) -> CaseDraft:
    summary = _summary(solution, case, _outcome(expectations))
    return CaseDraft(
        ctx.rule.name,
        case,
        solution.condition,
        probe.interval_ms,
        probe.series,
        expectations,
        summary,
    )


def _quiet_case(solution: Solution) -> str | None:
    """The setting the clearing case moves to: short of the threshold, else exactly on it."""
    for case in ("short", "exact"):
        if case in solution.settings and not should_fire(solution.condition, case):
            return case
    return None


def _switch(ctx: AlertContext, frm: Setting, to: Setting) -> dict[str, float]:
    """The knob changes that turn setting `frm` into setting `to`."""
    changed = {k: v for k, v in to.items() if frm.get(k) != v}
    for k in frm:
        if k not in to:
            changed[k] = ctx.leaves[int(k.split(".")[0])].knob(k).default
    return changed


def _onset(ctx: AlertContext, solution: Solution, setting: Setting) -> int:
    """When a firing case switches from quiet to its own setting: once every window is full.

    Windows still filling read differently on promtool 2.x and 3.x, so the
    condition must start holding only after they are full.
    """
    quiet = _quiet_case(solution)
    start = _steady(ctx, solution.settings[quiet]) if quiet else 0
    return ctx.plan.sample_at_or_after(max(start, _steady(ctx, setting)) + 2 * ctx.plan.tick_ms)


def _read_only_earlier(ctx: AlertContext, knob_ids: Sequence[str]) -> bool:
    """Whether the knobs moved for a case feed only selectors read at an offset, next to
    series read both now and earlier.

    The contrast between "earlier" and "now" lasts only one offset after the
    plan's step; a switch made once the windows have settled would show in
    the offset windows only after it is gone. Such a case holds its setting
    from the start instead, and the timeline finds the tick it first holds.
    """
    if ctx.plan.step_ms is None or not knob_ids:
        return False
    leaves = {int(k.split(".")[0]) for k in knob_ids}
    return all(
        not ctx.leaves[n].stepped and all(u.offset_ms for u in ctx.leaves[n].usages) for n in leaves
    )


def _phases(
    ctx: AlertContext, solution: Solution, case: str
) -> tuple[list[tuple[int, Setting, bool]], int]:
    """The settings of a case over time, and when its own setting takes over."""
    setting = solution.settings[case]
    quiet = _quiet_case(solution)
    if not should_fire(solution.condition, case) or quiet is None:
        return [(0, setting, True)], 0
    if solution.fire_at_ms is not None:
        return [(0, setting, True)], solution.fire_at_ms  # a drifting signal crosses on its own
    if _read_only_earlier(ctx, solution.drivers.get(case, ())):
        return [(0, setting, True)], 0
    onset = _onset(ctx, solution, setting)
    calm = solution.settings[quiet]
    return [(0, calm, True), (onset, _switch(ctx, calm, setting), False)], onset


def build_cases(
    ctx: AlertContext, solution: Solution
) -> Generator[list[Probe], None, tuple[list[CaseDraft], dict[str, str]]]:
    """Derive the cases of one solved condition; returns drafts and case -> why not."""
    condition = solution.condition
    exprs = _exprs(ctx, condition)
    gaps = dict(solution.gaps)
    drafts: list[CaseDraft] = []
    tick, for_ms = ctx.plan.tick_ms, ctx.rule.for_ms
    probes: dict[str, Probe] = {}
    onsets: dict[str, int] = {}
    phases_of: dict[str, list[tuple[int, Setting, bool]]] = {}
    for case in ("beyond", "short", "exact"):
        if case not in solution.settings:
            continue
        phases, onset = _phases(ctx, solution, case)
        fires = should_fire(condition, case)
        end = (
            max(onset, 0)
            + _steady(ctx, solution.settings[case])
            + for_ms
            + (2 if fires else 3) * tick
        )
        if solution.quiet_until_ms is not None and not fires:
            end = solution.quiet_until_ms  # where the drifting signal was read
        probes[case], onsets[case], phases_of[case] = _probe(ctx, phases, end, exprs), onset, phases
    yield list(probes.values())

    def timeline_of(probe: Probe) -> Timeline:
        return read_timeline(
            condition, solution.threshold, probe, len(exprs), for_ms, ctx.rule.keep_firing_for_ms
        )

    timelines = {case: timeline_of(probe) for case, probe in probes.items()}
    for case, timeline in timelines.items():
        if should_fire(condition, case):
            judged = _fires(ctx, timeline, case, onsets[case])
        else:
            judged = _quiet(ctx, timeline, case, _steady(ctx, solution.settings[case]))
        if isinstance(judged, str):
            gaps[case] = judged
        else:
            drafts.append(_draft(ctx, solution, case, probes[case], judged))
    # The clearing case starts from the firing case: beyond, or on the threshold when
    # nothing lies beyond it (`rate(x[5m]) <= 0`).
    firing = firing_case(solution)
    beyond = timelines.get(firing)
    quiet = _quiet_case(solution)
    if beyond is None or quiet is None or firing in gaps:
        gaps.setdefault("clears", gaps.get(firing) or "no setting keeps the condition quiet")
        return drafts, gaps
    fired = beyond.first(lambda i: beyond.state(i) == "firing")
    assert fired is not None
    switch = ctx.plan.sample_at_or_after(beyond.ticks[fired] + 1)
    loud, calm = solution.settings[firing], solution.settings[quiet]
    settle = ctx.plan.steady_ms + ctx.rule.keep_firing_for_ms + 3 * tick
    end = ctx.plan.tick_at_or_after(switch + settle)
    phases = [*phases_of[firing], (switch, _switch(ctx, loud, calm), False)]
    probe = _probe(ctx, phases, end, exprs)
    yield [probe]
    judged = _clears(ctx, timeline_of(probe), switch)
    if isinstance(judged, str):
        gaps["clears"] = judged
    else:
        drafts.append(_draft(ctx, solution, "clears", probe, judged))
    return drafts, gaps
