"""Shared set-up for the derive tests: the synthetic rule pack, derived once per session."""

from __future__ import annotations

from pathlib import Path

from promrules.derive import AlertDerivation

GOLDEN = Path(__file__).parent / "golden"
RULES = GOLDEN / "derive_rules.yml"

# Every alert of the synthetic rule pack, with the pattern it exercises.
ALERTS = {
    "GaugeHigh": "plain gauge, `>` with for:",
    "GaugeLowInclusive": "plain gauge, `<=`",
    "TargetDown": "`up == 0`",
    "StateNotOk": "`!=` equality check",
    "ErrorRate": "rate() over a counter",
    "ErrorIncrease": "increase() with `>=`",
    "ErrorRatioPercent": "ratio of rates x 100, with a `> 0` guard",
    "AggregatedMemory": "avg by (...)",
    "MaxLatency": "max by (...) with `>=`",
    "SlowRequests": "histogram_quantile over classic buckets",
    "AvgOverTime": "avg_over_time",
    "SeriesMissing": "absent()",
    "SeriesGoneForAWhile": "absent_over_time()",
    "StaleBackup": "time() - timestamp",
    "ProcessRestarted": "changes()",
    "CounterResets": "resets()",
    "GrowingGoroutines": "deriv()",
    "DiskFillsSoon": "predict_linear()",
    "JumpSinceAnHourAgo": "comparison against an offset of the same metric",
    "HotAndBusy": "and/or with several thresholds",
    "KeepsFiring": "keep_firing_for",
    "AllCallsFailing": "`unless` of a subset of the same counter (settled before the tested side)",
    "RecoveredAfterOutage": "offset windows beside a series read now and earlier",
    "LeakingAndLarge": "delta() and the level of the same gauge (a drifting signal)",
    "TooManyLeaders": "count() of copies of a series",
    "VersionsDiffer": "count() of the groups of an inner count by (version)",
    "NotUpAnywhere": "a condition inside absent()",
}


def by_name(derivations: list[AlertDerivation]) -> dict[str, AlertDerivation]:
    return {d.alert: d for d in derivations}
