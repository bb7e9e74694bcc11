"""Alertmanager routing and inhibition cases as pytest items, in any repository.

A YAML file is a routing-cases file when its top level has `config:` (the
Alertmanager configuration, relative to the file) and `cases:` whose entries
list `receivers:`, or `inhibitions:`. Wherever pytest collects it, it becomes
an item for `amtool check-config`, one item per routing case (the labels must
reach exactly those receivers, in routing-tree order, as the real `amtool
config routes test` resolves them, and the matched routes must have the
expected `group_by`, timers, `continue` and time intervals: route_options;
`group_by` confirmed by a running Alertmanager: grouping),
one item per inhibition case (a real Alertmanager must mute exactly the
alerts listed: inhibition), and, with `rules:` (a glob of rule files), an
item checking that every alert of those rules reaches a receiver other than
the default one. The nodes only hold data and render failures.
docs/alertmanager.md describes the format.
"""

from __future__ import annotations

import glob
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from promrules.alertmanager.amtool import (
    Amtool,
    AmtoolError,
    InhibitionCase,
    RoutingCase,
    RoutingCases,
    YamlError,
    default_receiver,
    load_routing_cases,
    locate_amtool,
    rule_alerts,
)
from promrules.alertmanager.grouping import alertmanager_grouping, expected_grouping
from promrules.alertmanager.inhibition import Muting, alert_key, labels_text
from promrules.alertmanager.route_options import RouteOptions, matched_routes, option_differences
from promrules.alertmanager.server import ServerError
from promrules.files import yamlnodes as yn
from promrules.pytest_plugin.alertmanager_fixtures import alertmanager_pool

__all__ = ["RoutingCasesFile", "amtool_header", "is_routing_cases"]

AMTOOL = pytest.StashKey["Amtool | AmtoolError"]()


def is_routing_cases(root: yaml.Node | None) -> bool:
    """`config:` plus `cases:` whose entries have `receivers:`, or plus `inhibitions:`."""
    if yn.scalar(yn.get(root, "config")) is None:
        return False
    cases = yn.sequence(yn.get(root, "cases"))
    if cases and all(yn.get(case, "receivers") is not None for case in cases):
        return True
    return yn.get(root, "inhibitions") is not None  # a malformed list is then an error, not ignored


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


def amtool_header(config: pytest.Config) -> str:
    """The report header line: which amtool checked routing."""
    try:
        found = _amtool(config)
    except AmtoolError as exc:
        return f"promrules: amtool unavailable: {exc}"
    return f"promrules: amtool {found.version} at {found.path} (from {found.source})"


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
        for inhibition in cases.inhibitions:
            yield InhibitionCaseItem.from_parent(
                self, name=f"inhibition:{inhibition.name}", cases=cases, case=inhibition
            )
        if cases.rules:
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
        if isinstance(excinfo.value, AmtoolError | YamlError | ServerError):
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

    def _head(self) -> list[str]:
        labels = ", ".join(f'{k}="{v}"' for k, v in self.case.labels) or "(none)"
        return [
            f"routing case {self.case.name!r} ({self.shown(self.path)}:{self.case.line})",
            *([f"  why:      {self.case.description}"] if self.case.description else []),
            f"  labels:   {labels}",
        ]

    def runtest(self) -> None:
        amtool = _amtool(self.config)
        route = amtool.route(
            self.cases.config, dict(self.case.labels), expected=self.case.receivers
        )
        if not route.matches:
            raise RoutingFailure(
                *self._head(),
                f"  expected: {', '.join(self.case.receivers)}",
                f"  got:      {', '.join(route.receivers)}",
                f"  config:   {self.shown(self.cases.config)}",
                f"  repeat:   {shlex.join(route.argv)}",
            )
        if self.case.checks_options:
            self._check_options(matched_routes(amtool, self.cases.config, dict(self.case.labels)))

    def _check_options(self, routes: list[RouteOptions]) -> None:
        if [r.receiver for r in routes] != list(self.case.receivers):
            raise AmtoolError(  # both answers come from amtool; they can only differ by a bug here
                f"the marked routing tree reached {[r.receiver for r in routes]}, "
                f"amtool's own answer was {list(self.case.receivers)}"
            )
        config = self.shown(self.cases.config)
        problems = []
        for index, matched in enumerate(routes):
            expected = dict(self.case.expect)
            if self.case.per_route:
                expected.update(self.case.per_route[index])
            for line in option_differences(matched, expected, config):
                problems.append(
                    f"  route {index + 1} of {len(routes)} ({config}:{matched.line}, "
                    f"receiver {matched.receiver}): {line}"
                )
        if problems:
            raise RoutingFailure(*self._head(), *problems)
        if any(key == "group_by" for key, _v in self.case.expect) or any(
            key == "group_by" for route in self.case.per_route for key, _v in route
        ):
            self._confirm_grouping(routes)

    def _confirm_grouping(self, routes: list[RouteOptions]) -> None:
        """The grouping read from the config must be the one a running Alertmanager forms."""
        labels = dict(self.case.labels)
        read = expected_grouping(routes, labels)
        server = alertmanager_pool(self.config)(self.cases.config).server
        seen = alertmanager_grouping(server, labels, len(read))
        if seen != read:
            raise RoutingFailure(
                *self._head(),
                "  Alertmanager groups this alert otherwise than promrules reads the config "
                "(a promrules bug; please report it):",
                f"    promrules:    {_groups_text(read)}",
                f"    Alertmanager: {_groups_text(seen)}",
            )


def _groups_text(groups: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    return "; ".join(f"{receiver} by [{', '.join(names)}]" for receiver, names in groups) or "none"


class InhibitionCaseItem(_RoutingItem):
    """Alerts posted to a real Alertmanager must be muted exactly as listed."""

    def __init__(self, *, case: InhibitionCase, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.line = case.line

    def runtest(self) -> None:
        case = self.case
        inhibitor = alertmanager_pool(self.config)(self.cases.config)
        posted = [*case.firing, *case.muted, *case.not_muted]
        seen = {
            m.labels: m
            for m in inhibitor.observe([dict(k) for k in posted], [dict(k) for k in case.resolved])
        }
        wrong = [("muted", k) for k in case.muted if not seen[alert_key(k)].muted]
        wrong += [("not muted", k) for k in case.not_muted if seen[alert_key(k)].muted]
        if wrong:
            raise RoutingFailure(
                f"inhibition case {case.name!r} ({self.shown(self.path)}:{case.line})",
                *([f"  why:      {case.description}"] if case.description else []),
                *(f"  expected {want}: {labels_text(k)}" for want, k in wrong),
                "  Alertmanager's verdict for every firing alert of the case:",
                *(f"    {_verdict(m)}" for m in seen.values()),
                f"  config:   {self.shown(self.cases.config)}",
            )


def _verdict(muting: Muting) -> str:
    if not muting.muted:
        return f"{labels_text(muting.labels)}: not muted"
    by = "; ".join(labels_text(k) for k in muting.inhibited_by)
    return f"{labels_text(muting.labels)}: muted by {by}"


class RuleAlertsItem(_RoutingItem):
    """Every alert the rules can raise must reach a receiver other than the default one."""

    def runtest(self) -> None:
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
                f"{len(unrouted)} of {len(alerts)} alerts of `rules:` reach the default "
                f"receiver {default!r} instead of a severity receiver:",
                *unrouted,
            )
