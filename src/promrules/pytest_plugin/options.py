"""promrules' options: their definitions, and the session settings read from them.

The plugin's hooks call these; a bad value is a pytest.UsageError naming the
option or ini key, before any promtool runs.
"""

from __future__ import annotations

import argparse

import pytest

from promrules import lint
from promrules.engine.slow_notice import DEFAULT_SECONDS as SLOW_NOTICE_SECONDS
from promrules.promtool.binary import DEFAULT_TIMEOUT
from promrules.pytest_plugin.distribution import default_workers
from promrules.pytest_plugin.live import LiveDerivation
from promrules.session.state import SessionState


def _positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"--promrules-timeout={value!r}: expected seconds > 0")
    return seconds


def ini_seconds(config: pytest.Config, name: str) -> float | None:
    """An ini duration in seconds (None when unset); a bad value names the ini key."""
    value = str(config.getini(name)).strip()
    if not value:
        return None
    try:
        return _positive_seconds(value)
    except argparse.ArgumentTypeError:
        raise pytest.UsageError(
            f"promrules: ini {name} = {value!r}: expected seconds > 0"
        ) from None


def _workers(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(
            f"--promrules-workers={value!r}: expected a whole number >= 1"
        )
    return int(value)


def _percent(value: str) -> float:
    try:
        percent = float(value)
    except ValueError:
        percent = -1.0
    if not 0 <= percent <= 100:
        raise argparse.ArgumentTypeError(
            f"--promrules-cov-fail-under={value!r}: expected a percentage from 0 to 100"
        )
    return percent


def add(parser: pytest.Parser) -> None:
    """Every promrules command-line option and ini key."""
    group = parser.getgroup("promrules", "promrules: unit tests for Prometheus rules")
    group.addoption(
        "--promtool",
        "--promrules-promtool",
        dest="promrules_promtool",
        metavar="PATH",
        help="promtool binary to use (else $PROMTOOL, the `promtool` ini option, "
        ".tools/bin/promtool, PATH)",
    )
    group.addoption(
        "--promrules-workers",
        dest="promrules_workers",
        type=_workers,
        metavar="N",
        help="promtool processes to run side by side (default: CPU count; 1 turns it off)",
    )
    group.addoption(
        "--promrules-trim-rules",
        dest="promrules_trim_rules",
        choices=("on", "off"),
        help="on (default): each test group loads only the rules it can observe; "
        "off: every group loads all its rule files, as bare promtool does",
    )
    group.addoption(
        "--promrules-timeout",
        dest="promrules_timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help=f"end a promtool run that takes longer than this (default {DEFAULT_TIMEOUT:g})",
    )
    group.addoption(
        "--promrules-cov-fail-under",
        dest="promrules_cov_fail_under",
        type=_percent,
        metavar="PERCENT",
        help="fail the run when alert coverage is below PERCENT",
    )
    group.addoption(
        "--promrules-cov-require-hand-written",
        dest="promrules_cov_require_hand_written",
        action="store_true",
        default=None,
        help="fail the run when an alert has no passing hand-written case "
        "(derived and generated cases alone do not count); also ini "
        "promrules_cov_require_hand_written",
    )
    group.addoption(
        "--promrules-cov-json",
        dest="promrules_cov_json",
        metavar="PATH",
        help="write the alert coverage report as JSON to PATH",
    )
    group.addoption(
        "--promrules-update",
        dest="promrules_update",
        action="store_true",
        help="derive every alert again and rewrite the generated tests before running "
        "(what `promrules generate` does)",
    )
    group.addoption(
        "--promrules-html",
        dest="promrules_html",
        metavar="PATH",
        help="write an HTML report (coverage, every alert's cases with charts) to PATH",
    )
    group.addoption(
        "--promrules-html-charts",
        dest="promrules_html_charts",
        choices=("failures", "all"),
        help="failures (default): charts for failed cases only, passing cases collapsed; "
        "all: a chart for every case (a larger page, more promtool runs)",
    )
    group.addoption(
        "--promrules-lint-changed-since",
        dest="promrules_lint_changed_since",
        metavar="REF",
        help="lint: report only findings on rules changed since git revision REF (a PR's base)",
    )
    parser.addini("promtool", "path of the promtool binary to use", default="")
    parser.addini(
        "promrules_generated_path",
        "folder (from the rootdir) of the generated boundary tests",
        default="rule_tests/generated",
    )
    parser.addini(
        "promrules_derive",
        "`auto`: derive boundary cases live for rule files without generated tests; `off`: never",
        default="auto",
    )
    parser.addini(
        "promrules_test_paths",
        "folders (from the rootdir) whose YAML files must all be promtool test files",
        type="linelist",
        default=["rule_tests"],
    )
    parser.addini(
        "promrules_rule_paths",
        "folders (from the rootdir) whose YAML files must all be rule files",
        type="linelist",
        default=["rules"],
    )
    parser.addini(
        "promrules_cov_require_hand_written",
        "true: fail the run when an alert has no passing hand-written case",
        type="bool",
        default=False,
    )
    parser.addini("promrules_timeout", "seconds before a promtool run is ended", default="")
    parser.addini(
        "promrules_slow_notice",
        f"seconds of promtool work before the files still running are named "
        f"(default {SLOW_NOTICE_SECONDS:g})",
        default="",
    )
    parser.addini(
        "promrules_trim_rules",
        "`on`: each test group loads only the rules it can observe; `off`: all of them",
        default="on",
    )


def lint_changed(config: pytest.Config) -> lint.ChangedLines | None:
    """--promrules-lint-changed-since: the lines changed since that revision, or None."""
    since = config.getoption("promrules_lint_changed_since")
    try:
        return lint.changed_lines(config.rootpath, since) if since else None
    except lint.DiffError as exc:
        raise pytest.UsageError(f"promrules: {exc}") from None


def session_state(config: pytest.Config) -> SessionState:
    """The run's state, from the promtool, timeout, workers, trim and lint settings."""
    timeout = config.getoption("promrules_timeout") or ini_seconds(config, "promrules_timeout")
    try:
        policy = lint.load_policy(config.rootpath)
    except ValueError as exc:
        raise pytest.UsageError(f"promrules: {exc}") from None
    trim = (
        config.getoption("promrules_trim_rules") or config.getini("promrules_trim_rules")
    ).strip()
    if trim not in ("on", "off"):
        raise pytest.UsageError(f"promrules: promrules_trim_rules = {trim!r}: expected on or off")
    return SessionState(
        promtool_option=config.getoption("promrules_promtool"),
        promtool_ini=config.getini("promtool") or None,
        rootdir=config.rootpath,
        timeout=timeout or DEFAULT_TIMEOUT,
        workers=config.getoption("promrules_workers") or default_workers(config),
        trim_rules=trim == "on",
        lint_policy=policy,
        rule_paths=tuple(config.rootpath / p for p in config.getini("promrules_rule_paths")),
    )


def slow_notice_seconds(config: pytest.Config) -> float:
    return ini_seconds(config, "promrules_slow_notice") or SLOW_NOTICE_SECONDS


def live_derivation(config: pytest.Config, state: SessionState) -> LiveDerivation:
    """Live mode's settings: promrules_derive, the rule and generated folders, the cache."""
    derive = config.getini("promrules_derive").strip().lower()
    if derive not in ("auto", "off"):
        raise pytest.UsageError(f"promrules: promrules_derive = {derive!r}: expected auto or off")
    return LiveDerivation(
        enabled=derive == "auto",
        rule_roots=state.rule_paths,
        rootdir=config.rootpath,
        generated_dir=config.rootpath / config.getini("promrules_generated_path"),
        workers=state.workers,
        store=getattr(config, "cache", None),  # None under `-p no:cacheprovider`
    )
