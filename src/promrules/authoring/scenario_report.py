"""The message of a failed scenario: each false expectation in words, then timelines.

Kept apart from `scenario` so building and running stay short; everything
here reads promtool's verdicts and asks promtool (through `timeline`) for the
steps around each failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from promrules.authoring.timeline import build_for_group
from promrules.engine.render import render_failure
from promrules.engine.results import CaseResult
from promrules.files.durations import format_duration
from promrules.promtool.binary import Promtool
from promrules.promtool.output import Failure
from promrules.promtool.query import ProbeError, parse_samples

if TYPE_CHECKING:
    from promrules.authoring.scenario import Expectation, Scenario

__all__ = ["failure_message"]

MAX_TIMELINES = 3


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _explain(e: Expectation, failure: Failure) -> str:
    """What promtool found, in words, for one failed case of an expectation."""
    if failure.kind == "alert":
        return render_failure(failure)
    subject = failure.subject or ""
    labels = e.shown_state.partition("{")[2]
    which = f"{e.alertname}{{{labels}" if labels else e.alertname
    if subject.startswith("group(max_over_time("):
        return f"{which} was never firing before {e.at}, so it cannot have resolved"
    if subject.startswith("group("):
        state = "pending" if 'alertstate="pending"' in subject else "firing"
        return f"promtool found no {state} {which} at {e.at}"
    try:
        samples = parse_samples(failure.got or "nil")
    except ProbeError:
        return render_failure(failure)
    states = sorted(
        f"{s.label('alertstate')}{s.labels_text(without=('__name__', 'alertname', 'alertstate'))}"
        for s in samples
    )
    word = "resolved" if e.kind == "resolved" else "quiet"
    return f"{which} was not {word} at {e.at}: promtool found " + ", ".join(states)


def _expected_states(scenario: Scenario, alertname: str) -> dict[int, str]:
    expected: dict[int, list[str]] = {}
    for e in scenario.expectations:
        if e.alertname == alertname:
            expected.setdefault(e.at_ms, []).append(e.shown_state)
    return {ms: "; ".join(states) for ms, states in expected.items()}


def failure_message(
    scenario: Scenario,
    promtool: Promtool,
    group: Mapping[str, Any],
    failed: Mapping[int, list[CaseResult]],
) -> str:
    """Every failed expectation with promtool's finding, then a timeline per failure time."""
    total = len(scenario.expectations)
    lines = [f"{len(failed)} of {total} scenario expectation{'s' if total != 1 else ''} failed:"]
    for number, verdicts in failed.items():
        e = scenario.expectations[number]
        lines.append(f"  {e!r}")
        failures = [f for verdict in verdicts for f in verdict.failures]
        if e.kind in ("quiet", "resolved") and any(f.kind == "expr" for f in failures):
            # The ALERTS check says the same as the alert_rule_test, and names pending too.
            failures = [f for f in failures if f.kind == "expr"]
        lines += [_indent(_explain(e, f)) for f in failures]
        if not failures:
            lines.append(_indent("promtool failed this expectation"))
    moments = list(
        dict.fromkeys(
            (scenario.expectations[n].alertname, scenario.expectations[n].at_ms) for n in failed
        )
    )
    inputs = {k: v for k, v in group.items() if k not in ("alert_rule_test", "promql_expr_test")}
    for alertname, at_ms in moments[:MAX_TIMELINES]:
        try:
            timeline = build_for_group(
                promtool,
                inputs,
                scenario.rule_files,
                alertname,
                at_ms,
                evaluation_interval=scenario.evaluation_interval,
                expected=_expected_states(scenario, alertname),
            )
        except ProbeError as exc:
            lines += ["", f"(no timeline for {alertname} at {format_duration(at_ms)}: {exc})"]
            continue
        lines += ["", timeline.render()]
    if len(moments) > MAX_TIMELINES:
        lines.append(f"({len(moments) - MAX_TIMELINES} more failure times without a timeline)")
    return "\n".join(lines)
