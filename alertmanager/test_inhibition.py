"""The shipped inhibition rules, as a real Alertmanager 0.25 applies them.

Each case posts a few alerts through API v2 and reads back, from
GET /api/v2/alerts, which of them are inhibited and by which. Alerts are named
(alertname, severity, instance). Inhibition compares only alertname and
instance, not cluster, so to keep cases that share the session's Alertmanager
from inhibiting each other, every case prefixes its instances and alertnames
with a value of its own, and also tags its alerts with it as `cluster`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from alertmanager.harness import alert, get_alerts, poll, post_alerts, unique_value
from promrules.alertmanager.inhibition import Inhibitor
from promrules.alertmanager.server import ServerProcess

Key = tuple[str, str, str]  # alertname, severity, instance ("" = no instance label)


@dataclass(frozen=True)
class Case:
    description: str
    alerts: list[Key]
    inhibited: dict[Key, set[Key]]  # target -> the alerts that inhibit it
    ended: list[Key] = field(default_factory=list)  # posted already resolved


CASES = [
    Case(
        "critical mutes the warning of the same alert on the same instance",
        [("DiskFull", "critical", "a"), ("DiskFull", "warning", "a")],
        {("DiskFull", "warning", "a"): {("DiskFull", "critical", "a")}},
    ),
    Case(
        "warning mutes the info of the same alert on the same instance",
        [("DiskFull", "warning", "a"), ("DiskFull", "info", "a")],
        {("DiskFull", "info", "a"): {("DiskFull", "warning", "a")}},
    ),
    Case(
        "a chain: critical mutes warning, and the muted warning still mutes info",
        [("DiskFull", "critical", "a"), ("DiskFull", "warning", "a"), ("DiskFull", "info", "a")],
        {
            ("DiskFull", "warning", "a"): {("DiskFull", "critical", "a")},
            ("DiskFull", "info", "a"): {("DiskFull", "warning", "a")},
        },
    ),
    Case(
        "critical does not mute info directly: there is no critical->info rule",
        [("DiskFull", "critical", "a"), ("DiskFull", "info", "a")],
        {},
    ),
    Case(
        "another instance is not muted",
        [("DiskFull", "critical", "a"), ("DiskFull", "warning", "b")],
        {},
    ),
    Case(
        "another alertname is not muted, so HighCPUUsage does not mute ElevatedCPUUsage",
        [("HighCPUUsage", "critical", "a"), ("ElevatedCPUUsage", "warning", "a")],
        {},
    ),
    Case(
        "a lower severity never mutes a higher one",
        [("DiskFull", "info", "a"), ("DiskFull", "warning", "a"), ("DiskFull", "critical", "a")],
        {
            ("DiskFull", "warning", "a"): {("DiskFull", "critical", "a")},
            ("DiskFull", "info", "a"): {("DiskFull", "warning", "a")},
        },
    ),
    Case(
        "instance missing on both sides counts as equal",
        [("DiskFull", "critical", ""), ("DiskFull", "warning", "")],
        {("DiskFull", "warning", ""): {("DiskFull", "critical", "")}},
    ),
    Case(
        "a resolved critical no longer mutes the warning",
        [("DiskFull", "warning", "a")],
        {},
        ended=[("DiskFull", "critical", "a")],
    ),
]


def _labels(key: Key, cluster: str) -> dict[str, str]:
    alertname, severity, instance = key
    labels = {"alertname": f"{alertname}_{cluster}", "severity": severity, "cluster": cluster}
    if instance:
        labels["instance"] = f"{cluster}-{instance}"
    return labels


def _key(labels: dict[str, str]) -> Key:
    cluster = labels["cluster"]
    alertname = labels["alertname"].removesuffix(f"_{cluster}")
    instance = labels.get("instance", "").removeprefix(f"{cluster}-")
    return alertname, labels["severity"], instance


def _observed(
    server: ServerProcess, cluster: str, expected_count: int
) -> dict[Key, set[Key]] | None:
    """Which alert inhibits which, once all posted alerts are visible."""
    found = get_alerts(server, cluster=cluster)
    if len(found) != expected_count:
        return None
    by_fingerprint = {a["fingerprint"]: _key(a["labels"]) for a in found}
    return {
        _key(a["labels"]): {
            by_fingerprint.get(f, ("?", "?", f)) for f in a["status"]["inhibitedBy"]
        }
        for a in found
        if a["status"]["inhibitedBy"]
    }


@pytest.mark.parametrize("case", CASES, ids=[c.description for c in CASES])
def test_inhibition(alertmanager: ServerProcess, case: Case) -> None:
    cluster = unique_value("inhibit").replace("-", "_")
    post_alerts(
        alertmanager,
        [alert(_labels(k, cluster), ended=True) for k in case.ended]
        + [alert(_labels(k, cluster)) for k in case.alerts],
    )

    def observed() -> dict[Key, set[Key]] | None:
        return _observed(alertmanager, cluster, len(case.alerts))

    seen = poll(observed, lambda seen: seen == case.inhibited, timeout=10)
    assert seen == case.inhibited, _explain(case, seen)
    _wait_until_the_inhibitor_caught_up(alertmanager)
    seen = observed()  # and it stays so: a late inhibitor update would show here
    assert seen == case.inhibited, "once the inhibitor caught up: " + _explain(case, seen)


def _wait_until_the_inhibitor_caught_up(server: ServerProcess) -> None:
    """The package's probe pair: once it is muted, the inhibitor has seen every earlier alert."""
    Inhibitor(server).catch_up()


def _explain(case: Case, seen: dict[Key, set[Key]] | None) -> str:
    def show(found: dict[Key, set[Key]] | None) -> str:
        if found is None:
            return "(not all alerts visible)"
        pairs = [f"{t} by {sorted(s)}" for t, s in sorted(found.items())]
        return "; ".join(pairs) or "nothing inhibited"

    return f"inhibited alerts: expected {show(case.inhibited)}, got {show(seen)}"


def test_cluster_is_not_compared(alertmanager: ServerProcess) -> None:
    """Same alertname and instance in two clusters: the critical one mutes the other."""
    tag = unique_value("clusters").replace("-", "_")
    common = {"alertname": f"DiskFull_{tag}", "instance": f"{tag}-db-1"}
    post_alerts(
        alertmanager,
        [
            alert({**common, "severity": "critical", "cluster": "prod"}),
            alert({**common, "severity": "warning", "cluster": "staging"}),
        ],
    )

    def muted_warnings() -> list[str]:
        found = get_alerts(alertmanager, alertname=common["alertname"])
        return [a["labels"]["cluster"] for a in found if a["status"]["inhibitedBy"]]

    assert poll(muted_warnings, bool, timeout=10) == ["staging"]
