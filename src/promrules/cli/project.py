"""A repository's promrules settings, read by pytest itself, for the `promrules` command.

`promrules which`, `generate`, `diff` and `mutate` must pick the same promtool
and folders as `pytest` in the same repository. Rather than a second reader of
pytest.ini / pyproject.toml / tox.ini / setup.cfg that could drift from
pytest's rules (which file wins, rootdir, `addopts`, PYTEST_ADDOPTS), pytest
is asked: it parses the command line and ini files as for a run, and stops
before configuring plugins or collecting anything. conftest.py files are not
imported (`--noconftest`): they cannot set ini values, and importing a test
suite's conftest has side effects a settings lookup must not have.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from promrules.promtool.binary import DEFAULT_TIMEOUT, Promtool, PromtoolError, locate

__all__ = ["ProjectSettings", "SettingsError", "locate_promtool", "read_settings"]


class SettingsError(Exception):
    """pytest refused the repository's settings (a bad ini file or addopts)."""


@dataclass(frozen=True)
class ProjectSettings:
    """What pytest would use: rootdir, the promtool choice, rule and generated folders."""

    rootdir: Path
    inifile: Path | None
    promtool_option: str | None  # --promtool from addopts or PYTEST_ADDOPTS
    promtool_ini: str | None  # the `promtool` ini setting
    rule_paths: tuple[Path, ...]
    test_paths: tuple[Path, ...]
    generated_dir: Path
    timeout: float = DEFAULT_TIMEOUT


class _Capture:
    """A plugin that takes pytest's parsed config and ends the run before it starts."""

    def __init__(self) -> None:
        self.config: pytest.Config | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> int:
        self.config = config
        return 0


def _ini(config: pytest.Config, name: str) -> object:
    try:
        return config.getini(name)
    except ValueError:  # the plugin is disabled (-p no:promrules): pytest's defaults apply
        return None


def read_settings(args: Sequence[str] = ()) -> ProjectSettings:
    """The settings `pytest ARGS` would run with, from the current directory."""
    capture = _Capture()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = pytest.main(["--noconftest", *args], plugins=[capture])
    config = capture.config
    if config is None:
        lines = [line for line in printed.getvalue().splitlines() if line.strip()]
        raise SettingsError(
            f"pytest could not read this repository's settings (exit {int(code)}): "
            + (lines[-1].strip() if lines else "no message")
        )
    root = config.rootpath
    promtool_ini = _ini(config, "promtool")
    rule_paths = _ini(config, "promrules_rule_paths")
    test_paths = _ini(config, "promrules_test_paths")
    generated = _ini(config, "promrules_generated_path")
    timeout = _ini(config, "promrules_timeout")
    return ProjectSettings(
        rootdir=root,
        inifile=config.inipath,
        promtool_option=config.getoption("promrules_promtool", None),
        promtool_ini=str(promtool_ini) if promtool_ini else None,
        rule_paths=tuple(root / p for p in rule_paths) if isinstance(rule_paths, list) else (),
        test_paths=tuple(root / p for p in test_paths) if isinstance(test_paths, list) else (),
        generated_dir=root / str(generated or "rule_tests/generated"),
        timeout=_seconds(timeout),
    )


def _seconds(value: object) -> float:
    try:
        seconds = float(str(value))
    except ValueError:
        return DEFAULT_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_TIMEOUT


def locate_promtool(settings: ProjectSettings, option: str | None = None) -> Promtool:
    """The promtool pytest would use here; `option` (the command's --promtool) wins.

    Raises PromtoolError, as `locate` does.
    """
    return locate(
        option or settings.promtool_option,
        settings.promtool_ini,
        settings.rootdir,
        timeout=settings.timeout,
    )


def promtool_or_error(settings: ProjectSettings, option: str | None) -> Promtool | PromtoolError:
    try:
        return locate_promtool(settings, option)
    except PromtoolError as exc:
        return exc
