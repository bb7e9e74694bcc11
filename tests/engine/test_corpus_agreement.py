"""Every real-world test file gets the same verdict from promrules as from bare promtool.

The verdict of bare promtool is measured in the same run with the same binary,
and also compared with the MANIFEST's record for the two versions it lists.
The plugin runs each file twice, with trimmed rule files (the default) and
without, and every case must get the same outcome both ways.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from tests.conftest import CORPUS

pytestmark = pytest.mark.corpus

_ROW_RE = re.compile(r"^\| (\S+) \| (\S+\.ya?ml) \| ([01]) \| ([01]) \| ([\d.]+) \|$")
# Files whose bare promtool run took this long in the MANIFEST are `slow` tests: the
# plugin runs them twice more (trimmed and not), which costs seconds to minutes.
SLOW_SECONDS = 1.0


def manifest_rows() -> list[tuple[str, str, int, int, float]]:
    manifest = CORPUS / "MANIFEST.md"
    if not manifest.exists():
        return []
    rows = []
    for line in manifest.read_text().splitlines():
        match = _ROW_RE.match(line.strip())
        if match:
            folder, test_file, rc2, rc3, seconds = match.groups()
            rows.append((folder, test_file, int(rc2), int(rc3), float(seconds)))
    return rows


ROWS = manifest_rows()
PARAMS = [
    pytest.param(*row[:4], marks=[pytest.mark.slow] if row[4] >= SLOW_SECONDS else [])
    for row in ROWS
]


def test_the_manifest_lists_the_corpus_test_files(corpus: Path) -> None:
    assert len(ROWS) == 25, "MANIFEST.md should list 25 test files"


@pytest.mark.parametrize(
    ("folder", "test_file", "rc2", "rc3"),
    PARAMS or [pytest.param("", "", 0, 0, marks=pytest.mark.skip(reason="corpus not found"))],
    ids=[f"{r[0]}/{r[1]}" for r in ROWS] or ["no-corpus"],
)
def test_plugin_agrees_with_bare_promtool(
    corpus: Path,
    promtool_env: Promtool,
    pytester: pytest.Pytester,
    folder: str,
    test_file: str,
    rc2: int,
    rc3: int,
) -> None:
    path = corpus / folder / test_file
    bare = subprocess.run(
        [promtool_env.path, "test", "rules", path.name],
        cwd=path.parent,
        capture_output=True,
        check=False,
    )
    recorded = {(2, 42): rc2, (3, 5): rc3}.get(promtool_env.version[:2])
    if recorded is not None:
        assert bare.returncode == recorded, "bare promtool differs from the MANIFEST record"

    trimmed = _outcomes(pytester, path, "on")
    assert trimmed, "the plugin collected nothing from the file"
    plugin_failed = any(outcome != "passed" for outcome in trimmed.values())
    assert plugin_failed == (bare.returncode != 0), (
        f"promtool exit {bare.returncode}, plugin outcomes {sorted(trimmed.items())}"
    )
    assert _outcomes(pytester, path, "off") == trimmed


def _outcomes(pytester: pytest.Pytester, path: Path, trim: str) -> dict[str, str]:
    """Each item's outcome: `passed`, or the first phase's `failed`/`skipped`."""
    recorder = pytester.inline_run(
        str(path), "-p", "no:cacheprovider", "-p", "no:randomly", f"--promrules-trim-rules={trim}"
    )
    outcomes: dict[str, str] = {}
    for report in recorder.getreports("pytest_runtest_logreport"):
        if outcomes.get(report.nodeid, "passed") == "passed":
            outcomes[report.nodeid] = report.outcome
    return outcomes
