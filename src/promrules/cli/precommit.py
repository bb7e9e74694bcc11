"""`promrules test` and `promrules pre-commit`: pytest over a repository's rules and tests.

`test` passes every pytest option through as given (no `--` needed) and adds
the configured rule and test folders when no path is given. `pre-commit` is
what the hook runs: pre-commit hands it the staged YAML files after the hook's
arguments; when none of them is a rule file or a promtool test file it passes
at once, and otherwise it runs the repository's rules and tests with live
derivation off (generated snapshots are still checked; deriving every alert
on every commit would cost seconds per alert). With no promtool anywhere, it
installs the pinned release into the user cache (promrules.promtool.install).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from promrules.cli.project import ProjectSettings, read_settings
from promrules.files import yamlnodes as yn
from promrules.files.model import is_rule_file, is_test_file
from promrules.promtool import install as promtool_install
from promrules.promtool.binary import PROJECT_PROMTOOL

__all__ = [
    "has_promtool",
    "relevant_files",
    "run_pre_commit",
    "run_tests",
    "split_files",
]


def _gives_a_path(args: Sequence[str]) -> bool:
    return any(not a.startswith("-") and Path(a.split("::")[0]).exists() for a in args)


class _DefaultPaths:
    """Adds the configured folders inside the one pytest run (a second run would re-import)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_load_initial_conftests(
        self, early_config: pytest.Config, parser: pytest.Parser, args: list[str]
    ) -> None:
        if _gives_a_path(args):
            return
        root = early_config.rootpath
        names = [
            *early_config.getini("promrules_rule_paths"),
            *early_config.getini("promrules_test_paths"),
        ]
        args.extend(os.path.relpath(root / name) for name in names if (root / name).exists())


# The command imported promrules before pytest could mark it for assertion rewriting;
# pytest's warning about that says nothing to the user.
_IMPORTED_FIRST = (
    "ignore:Module already imported so cannot be rewritten; promrules"
    ":pytest.PytestAssertRewriteWarning"
)


def run_tests(args: Sequence[str], promtool: str | None = None) -> int:
    extra = [f"--promtool={promtool}"] if promtool else []
    return int(pytest.main(["-W", _IMPORTED_FIRST, *extra, *args], plugins=[_DefaultPaths()]))


def split_files(args: Sequence[str]) -> tuple[list[str], list[Path]]:
    """The hook's pytest arguments and the file names pre-commit appended after them."""
    end = len(args)
    while end > 0 and not args[end - 1].startswith("-") and Path(args[end - 1]).is_file():
        end -= 1
    return list(args[:end]), [Path(a) for a in args[end:]]


def _is_rules_or_tests(path: Path) -> bool:
    try:
        root = yn.compose_file(path)
    except yn.YamlError:
        return True  # broken YAML may be a broken rule file: pytest says which
    return is_rule_file(root) or is_test_file(root)


def relevant_files(settings: ProjectSettings, files: Sequence[Path]) -> list[Path]:
    """The files that are rule or test files by content, or lie in the configured folders."""
    folders = [p.resolve() for p in (*settings.rule_paths, *settings.test_paths)]
    return [
        f
        for f in files
        if any(f.resolve().is_relative_to(folder) for folder in folders) or _is_rules_or_tests(f)
    ]


def has_promtool(settings: ProjectSettings, option: str | None) -> bool:
    """Is any promtool source set? A broken one is then pytest's to report, not replaced."""
    return bool(
        option
        or settings.promtool_option
        or os.environ.get("PROMTOOL")
        or settings.promtool_ini
        or (settings.rootdir / PROJECT_PROMTOOL).exists()
        or shutil.which("promtool")
    )


def run_pre_commit(args: Sequence[str], promtool: str | None = None) -> int:
    pytest_args, files = split_files(args)
    settings = read_settings()
    changed = relevant_files(settings, files) if files else []
    if files and not changed:
        print(f"promrules: none of the {len(files)} files is a rule or test file; nothing to run")
        return 0
    if not has_promtool(settings, promtool):
        try:
            promtool = str(promtool_install.install())
        except promtool_install.InstallError as exc:
            print(f"promrules pre-commit: {exc}", file=sys.stderr)
            return 2
        print(f"promrules: no promtool configured; using the pinned release at {promtool}")
    # Live derivation off unless the hook's arguments turn it on again (a later -o wins).
    return run_tests(["-o", "promrules_derive=off", "-q", *pytest_args], promtool)
