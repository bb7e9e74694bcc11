"""Both promtools for the upgrade-check tests, or a skip that says which one is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool, PromtoolError, locate
from tests.conftest import REPO

PROMTOOL_2 = REPO / ".tools" / "promtool-2" / "promtool"
PROMTOOL_3 = REPO / ".tools" / "promtool-3" / "promtool"
EXAMPLES = Path(__file__).resolve().parent / "upgrade_examples"


def both_promtools() -> tuple[Promtool, Promtool]:
    """promtool 2.42 and 3.x as the project installs them (`make tools`)."""
    found = []
    for path in (PROMTOOL_2, PROMTOOL_3):
        if not path.exists():
            pytest.skip(f"the upgrade check needs both promtools; {path} is missing (make tools)")
        try:
            found.append(locate(option=str(path)))
        except PromtoolError as exc:
            pytest.skip(f"the upgrade check needs both promtools: {exc}")
    return found[0], found[1]


def bare_returncode(promtool: Promtool, test_file: Path) -> int:
    """`promtool test rules FILE` run from the file's folder, as a user would."""
    run = subprocess.run(
        [promtool.path, "test", "rules", test_file.name],
        cwd=test_file.parent,
        capture_output=True,
        check=False,
    )
    return run.returncode
