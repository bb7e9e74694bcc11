"""Collect alertmanager/routing_cases.yml as tests, and run the real servers for the rest.

Routing cases are data, so they live in YAML and each becomes one pytest item
that asks the real amtool; the file also yields an item for `amtool
check-config` and one that routes every alert of rules/. amtool itself is run
by promrules.alertmanager; the nodes here only hold data and render failures.

The inhibition, delivery and end-to-end tests share one Alertmanager and one
webhook recorder per session (both on 127.0.0.1, free ports); tests keep out
of each other's way with unique label values, not with restarts.
"""

from __future__ import annotations

import glob
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from alertmanager.harness import alertmanager_server, webhook_test_config
from alertmanager.servers import ServerError, ServerProcess, find_binary
from alertmanager.webhook import WebhookRecorder, webhook_receiver
from promrules.alertmanager import (
    Amtool,
    AmtoolError,
    RoutingCase,
    RoutingCases,
    YamlError,
    default_receiver,
    load_routing_cases,
    locate_amtool,
    rule_alerts,
)

HERE = Path(__file__).resolve().parent
CASES_FILE = HERE / "routing_cases.yml"
CONFIG_FILE = HERE / "config.yml"

AMTOOL = pytest.StashKey["Amtool | AmtoolError"]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: runs real Prometheus and Alertmanager servers end to end (slow)"
    )


def pytest_report_header(config: pytest.Config) -> str:
    """Which amtool checks routing (shown when alertmanager/ is on the command line)."""
    try:
        found = _amtool(config)
    except AmtoolError as exc:
        return f"alertmanager: amtool unavailable: {exc}"
    return f"alertmanager: amtool {found.version} at {found.path} (from {found.source})"


def _amtool(config: pytest.Config) -> Amtool:
    """Located once per session; a missing amtool fails each routing item with one line."""
    if AMTOOL not in config.stash:
        try:
            config.stash[AMTOOL] = locate_amtool(rootdir=config.rootpath)
        except AmtoolError as exc:
            config.stash[AMTOOL] = exc
    found = config.stash[AMTOOL]
    if isinstance(found, AmtoolError):
        raise found
    return found


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path == CASES_FILE:
        return RoutingCasesFile.from_parent(parent, path=file_path)
    return None


class RoutingFailure(Exception):
    """A routing verdict that went the wrong way; its lines are the whole report."""


def _relative(path: Path | str, root: Path) -> str:
    path = Path(path)
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


class RoutingCasesFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            cases = load_routing_cases(self.path)
        except YamlError as exc:
            raise self.CollectError(exc.shown_from(self.config.rootpath)) from None
        yield ConfigCheckItem.from_parent(self, name="check-config", cases=cases)
        for case in cases.cases:
            yield RoutingCaseItem.from_parent(self, name=case.name, cases=cases, case=case)
        yield RuleAlertsItem.from_parent(
            self, name="rule-alerts-reach-severity-receivers", cases=cases
        )


class _RoutingItem(pytest.Item):
    """Shared by the items of a routing-cases file: data in, amtool's verdict out."""

    line = 1

    def __init__(self, *, cases: RoutingCases, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cases = cases

    def shown(self, path: Path | str) -> str:
        return _relative(path, self.config.rootpath)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RoutingFailure):
            return "\n".join(excinfo.value.args)
        if isinstance(excinfo.value, AmtoolError | YamlError):
            return f"{self.shown(self.path)}:{self.line}: {excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"routing: {self.name}"


class ConfigCheckItem(_RoutingItem):
    def runtest(self) -> None:
        check = _amtool(self.config).check_config(self.cases.config)
        if not check.ok:
            raise RoutingFailure(
                f"amtool check-config rejects {self.shown(check.config)}:", f"  {check.problem}"
            )


class RoutingCaseItem(_RoutingItem):
    def __init__(self, *, case: RoutingCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line = case.line

    def runtest(self) -> None:
        route = _amtool(self.config).route(
            self.cases.config, dict(self.case.labels), expected=self.case.receivers
        )
        if not route.matches:
            labels = ", ".join(f'{k}="{v}"' for k, v in self.case.labels) or "(none)"
            raise RoutingFailure(
                f"routing case {self.case.name!r} ({self.shown(self.path)}:{self.case.line})",
                *([f"  why:      {self.case.description}"] if self.case.description else []),
                f"  labels:   {labels}",
                f"  expected: {', '.join(self.case.receivers)}",
                f"  got:      {', '.join(route.receivers)}",
                f"  config:   {self.shown(self.cases.config)}",
                f"  repeat:   {shlex.join(route.argv)}",
            )


class RuleAlertsItem(_RoutingItem):
    """Every alert the rules can raise must reach a receiver other than the default one."""

    def runtest(self) -> None:
        if not self.cases.rules:
            raise RoutingFailure(f"{self.shown(self.path)}: set `rules:` to the rule files' glob")
        paths = [Path(p) for p in sorted(glob.glob(self.cases.rules))]
        alerts = rule_alerts(paths)
        if not alerts:
            raise RoutingFailure(
                f"no alerting rules match `rules:` ({self.shown(self.cases.rules)})"
            )
        default = default_receiver(self.cases.config)
        amtool = _amtool(self.config)
        unrouted = []
        for rule in alerts:
            labels = {"alertname": rule.alertname, **dict(rule.labels)}
            route = amtool.route(self.cases.config, labels)
            if default in route.receivers:
                severity = labels.get("severity", "(no severity label)")
                unrouted.append(
                    f"  {self.shown(rule.path)}:{rule.line} {rule.alertname} "
                    f"severity={severity} -> {', '.join(route.receivers)}"
                )
        if unrouted:
            raise RoutingFailure(
                f"{len(unrouted)} of {len(alerts)} alerts in rules/ reach the default "
                f"receiver {default!r} instead of a severity receiver:",
                *unrouted,
            )


# --- the real servers, shared by the inhibition, delivery and end-to-end tests ---


@pytest.fixture(scope="session")
def webhook() -> Iterator[WebhookRecorder]:
    with webhook_receiver() as recorder:
        yield recorder


@pytest.fixture(scope="session")
def alertmanager(
    webhook: WebhookRecorder, tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[ServerProcess]:
    """The shipped routing and inhibition, with webhook receivers and 1s group timers."""
    workdir = tmp_path_factory.mktemp("alertmanager")
    config = workdir / "alertmanager.yml"
    config.write_text(yaml.safe_dump(webhook_test_config(CONFIG_FILE, webhook.url)))
    try:
        binary = find_binary(
            "ALERTMANAGER", "prometheus-alertmanager", "alertmanager", rootdir=pytestconfig.rootpath
        )
        with alertmanager_server(binary, config, workdir) as server:
            yield server
    except ServerError as exc:
        pytest.fail(str(exc), pytrace=False)
