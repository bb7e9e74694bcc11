"""Temporary copies of the rules and tests folders, one per mutant.

Mutants never touch the user's files: each one lives in its own copy of
the rules and tests folders, laid out as in the source tree so that
`rule_files: [../rules/x.yml]` still resolves, and every copy sits in one
session folder that is removed however the run ends.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from promrules.mutate.project import Suite

__all__ = ["PYTEST_CONFIG_FILES", "copy_suite", "session_folder"]

# Root files a Python test run needs to behave as it does in the source tree.
PYTEST_CONFIG_FILES = ("conftest.py", "pyproject.toml", "pytest.ini", "tox.ini", "setup.cfg")
_IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache")


@contextmanager
def session_folder() -> Iterator[Path]:
    """A temporary folder for all copies of one run, removed even on Ctrl-C."""
    folder = Path(tempfile.mkdtemp(prefix="promrules-mutate-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_suite(
    suite: Suite, destination: Path, python: bool = False, source: Path | None = None
) -> None:
    """Copy the rules and tests folders (and, for Python tests, the root's config).

    `source` is a copy made earlier to copy from instead of the user's folders.
    """
    root = source or suite.root
    folders = [suite.rules_dir.relative_to(suite.root), suite.tests_dir.relative_to(suite.root)]
    for folder in folders:
        if any(folder != other and folder.is_relative_to(other) for other in folders):
            continue  # inside the other folder: copied with it
        target = destination / folder
        if target == destination:
            shutil.copytree(root / folder, target, ignore=_IGNORED, dirs_exist_ok=True)
        elif not target.exists():
            shutil.copytree(root / folder, target, ignore=_IGNORED)
    if python:
        for name in PYTEST_CONFIG_FILES:
            if (root / name).is_file() and not (destination / name).exists():
                shutil.copy2(root / name, destination / name)
