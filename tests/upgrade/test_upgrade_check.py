"""`promrules upgrade-check`: a line per changed case, a summary, three formats, a gating exit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from promrules.cli import command as cli
from tests.upgrade_support import EXAMPLES, PROMTOOL_2, PROMTOOL_3, both_promtools


@pytest.fixture
def examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    both_promtools()
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(*args: str) -> list[str]:
    return ["upgrade-check", f"--from={PROMTOOL_2}", f"--to={PROMTOOL_3}", *args]


def test_it_names_each_changed_case_and_exits_1(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(_check("interval_test.yml", "unchanged_test.yml"))
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0] == "interval_test.yml::group0::TargetUp@5m: fails on 2.42.0, passes on 3.5.3"
    assert lines[1].startswith("  cause: missing-interval: the group has no `interval`")
    assert lines[3] == (
        "  suggested edit: add `interval: 1m` to the test group "
        "(verified on both: a copy with it passes on 2.42.0 and 3.5.3)"
    )
    assert "    --- promtool 2.42.0" in lines  # the diff of the two results
    assert "    +(passed)" in lines
    assert lines[-2] == (
        "3 cases in 2 files compared on promtool 2.42.0 and 3.5.3: "
        "1 changed verdict in 1 file (1 missing-interval)"
    )
    assert lines[-1].startswith("times: ")


def test_it_exits_0_when_nothing_changes(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(_check("unchanged_test.yml")) == 0
    out = capsys.readouterr().out
    assert "2 cases in 1 file compared on promtool 2.42.0 and 3.5.3: 0 changed" in out


def test_json_lists_every_change_with_its_cause(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(_check("--format=json", ".")) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["before"] == "2.42.0" and report["after"] == "3.5.3"
    assert report["changed_by_cause"] == {
        "left-open-lookback": 1,
        "left-open-range": 4,
        "missing-interval": 1,
        "newer-field": 1,
        "regex-dot-newline": 1,
        "unclassified": 1,
    }
    lookback = next(c for c in report["changed"] if c["file"] == "lookback_test.yml")
    assert lookback["id"] == "lookback_test.yml::group0::expr:temperature@5m"
    assert lookback["before"]["status"] == "passed"
    assert lookback["after"]["status"] == "failed"
    assert "got: nil" in lookback["after"]["output"]
    assert lookback["suggested_edit"] == "`eval_time: 4m` (was 5m)"
    assert lookback["edit_verified"] is True


def test_markdown_is_a_table_for_a_pull_request(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(_check("--format=markdown", "lookback_test.yml")) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "### promtool upgrade check: 2.42.0 → 3.5.3"
    assert "| case | 2.42.0 | 3.5.3 | cause | suggested edit |" in out
    assert (
        "| `lookback_test.yml::group0::expr:temperature@5m` | passed | failed "
        "| left-open-lookback | `eval_time: 4m` (was 5m) (verified on both) |"
    ) in out
    assert "```diff" in out


def test_a_missing_promtool_is_one_line_and_exit_2(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["upgrade-check", f"--from={examples}/nope", f"--to={PROMTOOL_3}", "."])
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    missing = f"{examples}/nope"
    assert err == [f"promrules upgrade-check: --from={missing}: promtool not found at {missing!r}"]


def test_an_unreadable_file_is_named_and_not_compared(
    examples: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (examples / "broken_test.yml").write_text("tests: [\n", encoding="utf-8")
    assert cli.main(_check("broken_test.yml", "unchanged_test.yml")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("warning: not compared: broken_test.yml:")
    assert "2 cases in 1 file compared on promtool 2.42.0 and 3.5.3: 0 changed" in lines
