"""From a metric value to a notification: real Prometheus, real rules, real Alertmanager.

The unit tests prove each piece alone; this proves they fit: the rule files
load in Prometheus 2.42, their labels route through the shipped config, and
Prometheus' alerting config reaches Alertmanager. Prometheus loads a copy of
rules/*.yml whose `for:` durations are shortened to seconds, scrapes two
scenario exporters (two "hosts") every second, and sends to the session's
Alertmanager, whose receivers post to the in-process webhook recorder.
"""

from __future__ import annotations

import glob
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from alertmanager.exporter import ScenarioExporter, scenario_exporter
from alertmanager.harness import fast_rule_copy, poll, prometheus_server
from alertmanager.webhook import Notification, WebhookRecorder
from promrules.alertmanager.amtool import rule_alerts
from promrules.alertmanager.server import ServerError, ServerProcess, find_binary

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RULES = Path(__file__).resolve().parent.parent / "rules"
INTERVAL = "1s"  # scrape and evaluation
FOR_SECONDS = 3  # every `for:` in the copy; still long enough to see `pending` first
DEADLINE = 60.0  # from setting the values to the last expected notification, at most
JOB = "promrules-scenario"


@dataclass(frozen=True)
class Hosts:
    busy: ScenarioExporter
    calm: ScenarioExporter


@pytest.fixture(scope="module")
def hosts() -> Iterator[Hosts]:
    with scenario_exporter() as busy, scenario_exporter() as calm:
        yield Hosts(busy, calm)


@pytest.fixture(scope="module")
def prometheus(
    alertmanager: ServerProcess,
    hosts: Hosts,
    tmp_path_factory: pytest.TempPathFactory,
    pytestconfig: pytest.Config,
) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("prometheus")
    rules_dir = workdir / "rules"
    rules_dir.mkdir()
    copies = fast_rule_copy(str(RULES / "*.yml"), rules_dir, FOR_SECONDS, INTERVAL)
    if not copies:
        pytest.fail(f"no rule files in {RULES}", pytrace=False)
    targets = [hosts.busy.target, hosts.calm.target]
    with ExitStack() as stack:
        try:
            binary = find_binary("PROMETHEUS", "prometheus", rootdir=pytestconfig.rootpath)
            server = stack.enter_context(
                prometheus_server(
                    binary, copies, alertmanager, targets, workdir, interval=INTERVAL, job=JOB
                )
            )
        except ServerError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield server


def _firing(alertname: str, receiver: str, instance: str) -> Callable[[Notification], bool]:
    def match(n: Notification) -> bool:
        return (
            n.receiver == receiver
            and n.payload.get("status") == "firing"
            and any(
                a["labels"].get("alertname") == alertname
                and a["labels"].get("job") == JOB
                and a["labels"].get("instance") == instance
                for a in n.alerts
            )
        )

    return match


def _prometheus_alerts(prometheus: ServerProcess) -> list[tuple[str, str, str]]:
    """(alertname, instance, state) as Prometheus sees them, for failure messages."""
    alerts = prometheus.get_json("/api/v1/alerts")["data"]["alerts"]
    return sorted(
        (a["labels"]["alertname"], a["labels"].get("instance", ""), a["state"]) for a in alerts
    )


def test_every_rule_loads_and_evaluates_in_prometheus(prometheus: ServerProcess) -> None:
    def rules() -> list[dict[str, Any]]:
        groups = prometheus.get_json("/api/v1/rules")["data"]["groups"]
        return [rule for group in groups for rule in group["rules"]]

    evaluated = poll(rules, lambda rs: all(r["health"] != "unknown" for r in rs), timeout=15)
    shipped = rule_alerts([Path(p) for p in glob.glob(str(RULES / "*.yml"))])
    alerting = [r["name"] for r in evaluated if r["type"] == "alerting"]
    assert sorted(alerting) == sorted(a.alertname for a in shipped)
    assert [(r["name"], r.get("lastError")) for r in evaluated if r["health"] != "ok"] == []


def test_metric_values_reach_the_receiver_of_their_alerts_severity(
    prometheus: ServerProcess, hosts: Hosts, webhook: WebhookRecorder
) -> None:
    """A host at 95% CPU pages (HighCPUUsage) and warns (ElevatedCPUUsage: another
    alertname, so not inhibited); a quiet host sends SystemResourcesNormal to info."""

    def scraped() -> bool:
        targets = prometheus.get_json("/api/v1/targets")["data"]["activeTargets"]
        return [t["health"] for t in targets] == ["up", "up"]

    assert poll(scraped, bool, timeout=15), "Prometheus never scraped both exporters"

    started = time.monotonic()
    hosts.busy.set("system_cpu_usage_percent", 95.0)
    hosts.busy.set("system_memory_usage_percent", 40.0)
    hosts.calm.set("system_cpu_usage_percent", 20.0)
    hosts.calm.set("system_memory_usage_percent", 30.0)
    expected = [
        ("HighCPUUsage", "critical-alerts", hosts.busy.target),
        ("ElevatedCPUUsage", "warning-alerts", hosts.busy.target),
        ("SystemResourcesNormal", "info-alerts", hosts.calm.target),
    ]
    arrived = {}
    for alertname, receiver, instance in expected:
        left = max(1.0, DEADLINE - (time.monotonic() - started))
        try:
            webhook.wait_for(_firing(alertname, receiver, instance), timeout=left)
        except AssertionError as exc:
            seen = _prometheus_alerts(prometheus)
            raise AssertionError(f"{exc}\nPrometheus' alerts: {seen}") from None
        arrived[alertname] = round(time.monotonic() - started, 1)
    print(f"seconds from setting the values to each notification: {arrived}")

    wrong = webhook.notifications(
        lambda n: n.receiver != "critical-alerts" and "HighCPUUsage" in n.alertnames()
    )
    assert wrong == []
