"""Over the real-world corpus, the upgrade check finds exactly the files whose verdict changes.

The MANIFEST records bare promtool's exit code per file on 2.42 and 3.5.3.
Every changed case gets a cause, and where a single edit was found, bare
promtool passes the edited copy on both versions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.promtool import Promtool
from promrules.upgrade.check import UpgradeCheck, run_check
from tests.test_corpus_agreement import ROWS
from tests.upgrade_support import bare_returncode, both_promtools

pytestmark = [pytest.mark.corpus, pytest.mark.slow]  # both promtools each run: one lane is enough


@pytest.fixture(scope="module")
def promtools() -> tuple[Promtool, Promtool]:
    return both_promtools()


@pytest.fixture(scope="module")
def check(corpus: Path, promtools: tuple[Promtool, Promtool]) -> UpgradeCheck:
    return run_check([corpus], *promtools, corpus, workers=2)


def test_it_finds_the_files_the_manifest_lists_as_changing(check: UpgradeCheck) -> None:
    flipped = sorted(f"{row[0]}/{row[1]}" for row in ROWS if row[2] != row[3])
    assert len(flipped) == 4
    assert sorted(check.changed_files) == flipped
    assert check.files == len(ROWS)


def test_every_changed_case_has_a_cause(check: UpgradeCheck) -> None:
    unclassified = [i.changed.node_id for i in check.changed if i.cause is None]
    assert unclassified == []


@pytest.mark.parametrize("cause", ["left-open-lookback", "left-open-range"])
def test_the_suggested_edits_pass_on_both_versions(
    check: UpgradeCheck, promtools: tuple[Promtool, Promtool], tmp_path: Path, cause: str
) -> None:
    verified = [i for i in check.changed if i.cause and i.cause.code == cause and i.edited_copy]
    assert verified, f"no {cause} case with a verified edit"
    for n, item in enumerate(verified):
        assert item.edited_copy is not None
        edited = tmp_path / f"edited{n}_test.yml"
        edited.write_text(item.edited_copy, encoding="utf-8")
        codes = [bare_returncode(p, edited) for p in promtools]
        assert codes == [0, 0], f"{item.changed.node_id}: {item.edit}"
