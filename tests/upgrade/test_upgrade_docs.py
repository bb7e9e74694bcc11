"""docs/upgrade.md shows the example files the tests run, and a section for every cause."""

from __future__ import annotations

import re

from promrules.upgrade.causes import CAUSES
from tests.conftest import REPO
from tests.upgrade_support import EXAMPLES

DOC = (REPO / "docs" / "upgrade.md").read_text(encoding="utf-8")


def _yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, re.DOTALL)


def test_every_cause_has_a_section() -> None:
    sections = set(re.findall(r"^### (\S+)$", DOC, re.MULTILINE))
    assert {cause.code for cause in CAUSES} | {"unclassified"} == sections


def test_every_example_shown_is_a_file_the_tests_run() -> None:
    files = {
        path.name: "\n".join(
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")
        )
        + "\n"
        for path in EXAMPLES.glob("*.yml")
    }
    shown = _yaml_blocks()
    assert len(shown) == 10
    for block in shown:
        assert block in files.values(), block
