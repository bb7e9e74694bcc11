"""Over the real-world corpus, the upgrade check finds exactly the files whose verdict changes.

The MANIFEST records bare promtool's exit code per file on 2.42 and 3.5.3.
Every changed case gets a cause and a suggested edit. For the window-edge
and missing-interval causes the edit is verified: bare promtool passes the
edited copy on both versions. The one exception the check may make is a
value computed inside a recording rule, where the copies show that no edit
of eval_time or of the expected value can pass on both; then the case's
expression must indeed read a recording rule with a range selector.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from promrules.upgrade import case_rules
from promrules.upgrade.check import UpgradeCheck, run_check
from promrules.upgrade.classify import NO_EDIT, Classification
from promrules.upgrade.copies import one_case
from tests.engine.test_corpus_agreement import ROWS
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


VERIFIED_CAUSES = ("left-open-lookback", "left-open-range", "missing-interval")


def _reads_a_ranged_recording_rule(item: Classification) -> bool:
    changed = item.changed
    copy = one_case(changed.test_file, changed.group, changed.case)
    records = case_rules.recording_rules_read(copy.entry, copy.rule_files)
    exprs = case_rules.case_exprs(copy.entry, copy.rule_files)
    return bool(records) and bool(case_rules.range_ms(exprs[1:]))


def test_every_changed_case_has_a_suggested_edit_or_says_why_not(check: UpgradeCheck) -> None:
    for item in check.changed:
        assert item.cause is not None
        assert bool(item.edit) != bool(item.unverified), item.changed.node_id


@pytest.mark.parametrize("cause", VERIFIED_CAUSES)
def test_the_suggested_edits_pass_on_both_versions(
    check: UpgradeCheck, promtools: tuple[Promtool, Promtool], tmp_path: Path, cause: str
) -> None:
    mine = [i for i in check.changed if i.cause and i.cause.code == cause]
    for n, item in enumerate(mine):
        if item.edit is None:
            assert item.unverified.startswith(NO_EDIT), f"{item.changed.node_id}: {item.unverified}"
            assert _reads_a_ranged_recording_rule(item), item.changed.node_id
            continue
        assert item.edited_copy is not None
        edited = tmp_path / f"edited{n}_test.yml"
        edited.write_text(item.edited_copy, encoding="utf-8")
        codes = [bare_returncode(p, edited) for p in promtools]
        assert codes == [0, 0], f"{item.changed.node_id}: {item.edit}"
