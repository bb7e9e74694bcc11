"""Turn the shipped config and rules into fast, local test copies, and talk to the servers.

The routing tree and inhibition rules under test are the shipped ones,
unchanged; only what cannot run in a test is swapped out: Slack, email and
PagerDuty become webhooks to the in-process recorder (one URL path per
receiver), the 10s group timers become about a second, and the rules' `for:`
durations and evaluation intervals shrink to seconds.
"""

from __future__ import annotations

import copy
import glob
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from promrules.alertmanager.api import alert, get_alerts, poll, post_alerts
from promrules.alertmanager.inhibition import PROBE_RULE
from promrules.alertmanager.server import ServerProcess, running, start_alertmanager

__all__ = [
    "alert",
    "deployed_test_config",
    "fast_rule_copy",
    "get_alerts",
    "poll",
    "post_alerts",
    "prometheus_server",
    "secret_files",
    "start_alertmanager",
    "unique_value",
    "webhook_test_config",
]

TEST_GROUP_WAIT = "1s"
TEST_GROUP_INTERVAL = "1s"


def webhook_test_config(source: Path, webhook_url: str) -> dict[str, Any]:
    """The shipped config with every receiver sending to `webhook_url/<receiver name>`.

    The package's probe inhibit rule goes first, so tests can wait for the
    inhibitor to catch up (promrules.alertmanager.inhibition); it only relates probe alerts.
    """
    config = yaml.safe_load(source.read_text())
    shipped_global = config.get("global") or {}
    config["global"] = {"resolve_timeout": shipped_global.get("resolve_timeout", "5m")}
    config["receivers"] = [
        {
            "name": receiver["name"],
            "webhook_configs": [
                {"url": f"{webhook_url}/{receiver['name']}", "send_resolved": True}
            ],
        }
        for receiver in config["receivers"]
    ]
    config.pop("templates", None)
    config["inhibit_rules"] = [PROBE_RULE, *config.get("inhibit_rules", [])]
    _shorten_timers(config["route"], is_root=True)
    return dict(config)


SECRETS_DIR = "/etc/alertmanager/secrets"
SMARTHOST_PLACEHOLDER = "smtp.example.com:587"


def secret_files(source: Path) -> list[str]:
    """The names of the secret files the shipped config reads (from values, not comments)."""

    def values(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            for value in node.values():
                yield from values(value)
        elif isinstance(node, list):
            for value in node:
                yield from values(value)
        elif isinstance(node, str):
            yield node

    prefix = SECRETS_DIR + "/"
    found = {v for v in values(yaml.safe_load(source.read_text())) if v.startswith(prefix)}
    return sorted(path.removeprefix(prefix) for path in found)


def deployed_test_config(
    source: Path, secrets: Path, smarthost: str, pagerduty_url: str
) -> dict[str, Any]:
    """The shipped config as a deployment would install it, pointed at local sinks.

    The secrets folder and the SMTP relay are substituted in the text, as
    docs/alertmanager.md tells a deployment to do. Beyond that, only what a
    test cannot reach changes: no TLS to the local SMTP sink, PagerDuty's
    events URL, and the group timers.
    """
    text = source.read_text().replace(SECRETS_DIR, str(secrets))
    config = yaml.safe_load(text.replace(SMARTHOST_PLACEHOLDER, smarthost))
    config["global"]["smtp_require_tls"] = False
    for receiver in config["receivers"]:
        for pagerduty in receiver.get("pagerduty_configs") or []:
            pagerduty["url"] = pagerduty_url
    _shorten_timers(config["route"], is_root=True)
    return dict(config)


def _shorten_timers(route: dict[str, Any], is_root: bool) -> None:
    """Only where a timer is set (or at the root), so inheritance stays as shipped."""
    if is_root or "group_wait" in route:
        route["group_wait"] = TEST_GROUP_WAIT
    if is_root or "group_interval" in route:
        route["group_interval"] = TEST_GROUP_INTERVAL
    for child in route.get("routes") or []:
        _shorten_timers(child, is_root=False)


_unique = itertools.count(1)


def unique_value(prefix: str) -> str:
    """A label value no other test uses, so tests sharing one Alertmanager stay apart."""
    return f"{prefix}-{next(_unique)}-{time.monotonic_ns() % 1_000_000}"


def fast_rule_copy(pattern: str, target: Path, for_seconds: int, interval: str) -> list[Path]:
    """Copy the rule files matching `pattern` into `target` with short `for:` and intervals.

    Every `for:` above zero becomes `for_seconds` (so an alert still goes through
    pending first), every group evaluates at `interval`. Nothing else changes.
    """
    written = []
    for source in sorted(glob.glob(pattern)):
        document = copy.deepcopy(yaml.safe_load(Path(source).read_text()))
        for group in document.get("groups") or []:
            group["interval"] = interval
            for rule in group.get("rules") or []:
                if "for" in rule and str(rule["for"]) not in ("0", "0s"):
                    rule["for"] = f"{for_seconds}s"
        path = target / Path(source).name
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        written.append(path)
    return written


@contextmanager
def prometheus_server(
    binary: str,
    rule_files: list[Path],
    alertmanager: ServerProcess,
    targets: list[str],
    workdir: Path,
    *,
    interval: str,
    job: str,
) -> Iterator[ServerProcess]:
    """Prometheus on loopback: scrapes `targets` as `job`, evaluates the rules, alerts one
    Alertmanager. Several targets give several `instance` values, as several hosts would."""
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "alerting": {
            "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager.port}"]}]}]
        },
        "rule_files": [str(path) for path in rule_files],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": targets}]}],
    }
    config_path = workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    storage = workdir / "prometheus-data"
    storage.mkdir(exist_ok=True)

    def argv(port: int) -> list[str]:
        return [
            binary,
            f"--config.file={config_path}",
            f"--storage.tsdb.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
        ]

    with running("prometheus", argv, workdir) as server:
        yield server
