"""promrules reads YAML the way promtool does, and runs as written where it can't be sure.

Each behaviour below is checked against the real promtool too: a file that
passes only under one reading of the YAML shows which reading promtool has.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from promrules.files import goyaml
from promrules.promtool.binary import Promtool

RULES = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: m > 1\n"

# The alert fires at 1m only with `interval: 1m` (with 2m or 5m, m is 0 there).
GROUP_BODY = """\
  input_series:
  - series: m
    values: 0 5 5 5
  alert_rule_test:
  - alertname: A
    eval_time: 1m
    exp_alerts: [{exp_labels: {alertname: A}}]
"""


def _keys(node: yaml.Node) -> dict[str, str]:
    assert isinstance(node, yaml.MappingNode)
    return {k.value: v.value if isinstance(v, yaml.ScalarNode) else "..." for k, v in node.value}


def _read(text: str) -> goyaml.Reading:
    return goyaml.resolve(yaml.compose(textwrap.dedent(text)))


def _bare_passes(promtool: Promtool, folder: Path, test: str) -> bool:
    (folder / "r.yml").write_text(RULES)
    (folder / "t.yml").write_text(test)
    run = subprocess.run(
        [promtool.path, "test", "rules", "t.yml"], cwd=folder, capture_output=True, check=False
    )
    return run.returncode == 0


MERGE_THEN_KEY = "tests:\n- &b\n  interval: 5m\n- <<: *b\n  interval: 1m\n" + GROUP_BODY
KEY_THEN_MERGE = "tests:\n- &b\n  interval: 1m\n- interval: 5m\n  <<: *b\n" + GROUP_BODY
LIST_MERGE = "tests:\n- &a\n  interval: 1m\n- &b\n  interval: 5m\n- <<: [*a, *b]\n" + GROUP_BODY


@pytest.mark.parametrize(
    "text",
    [MERGE_THEN_KEY, KEY_THEN_MERGE, LIST_MERGE],
    ids=["key-after-merge-wins", "merge-after-key-wins", "first-map-of-a-list-wins"],
)
def test_merge_keys_resolve_as_promtool_reads_them(
    text: str, promtool: Promtool, tmp_path: Path
) -> None:
    reading = _read(text)
    assert reading.doubts == ()
    last = reading.root.value[0][1].value[-1]  # type: ignore[union-attr]
    assert _keys(last)["interval"] == "1m"
    assert "<<" not in _keys(last)
    assert _bare_passes(promtool, tmp_path, "rule_files: [r.yml]\n" + text)


def test_a_merge_brings_the_cases_it_merges() -> None:
    reading = _read("tests:\n- &b\n  interval: 1m\n" + GROUP_BODY + "- <<: *b\n  name: c\n")
    merged = reading.root.value[0][1].value[1]  # type: ignore[union-attr]
    assert set(_keys(merged)) == {"interval", "input_series", "alert_rule_test", "name"}


@pytest.mark.parametrize(
    ("text", "doubt"),
    [
        ("tests:\n- interval: 1m\n  interval: 2m\n", "the key 'interval' is written twice"),
        (
            "tests:\n- alert_rule_test:\n  - exp_alerts:\n    - exp_labels: &l {a: b}\n"
            "    - exp_labels: {<<: *l, a: c}\n",
            "the key 'a' is also set by a merge",
        ),
        ("tests:\n- name: !custom x\n", "the tag !custom"),
        ("tests:\n- <<: 5\n", "a merge key whose value is not a mapping"),
        ("groups:\n- &g {name: a}\n- <<: *g\n", "a merge key in a rule file"),
    ],
    ids=["repeated-key", "merge-into-a-map", "unknown-tag", "merge-of-a-scalar", "rule-file"],
)
def test_what_promrules_cannot_be_sure_of_is_a_doubt(text: str, doubt: str) -> None:
    assert any(doubt in d for d in _read(text).doubts), _read(text).doubts


def test_promtool_rejects_what_promrules_doubts(promtool: Promtool, tmp_path: Path) -> None:
    """Repeated keys: promtool refuses the file, so running it as written gives that verdict."""
    text = "rule_files: [r.yml]\ntests:\n- interval: 1m\n  interval: 1m\n" + GROUP_BODY
    assert not _bare_passes(promtool, tmp_path, text)


def test_plain_tags_and_styles_are_read_as_written() -> None:
    reading = _read("tests:\n- name: !!str 10\n  interval: '1m'\n  x: !!int 3\n")
    assert reading.doubts == ()


def test_a_doubtful_file_runs_as_written_and_says_why_under_v(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    pytester.makefile(".yml", r=RULES)
    test = "rule_files: [r.yml]\ntests:\n- interval: 1m\n  name: !custom x\n" + GROUP_BODY
    pytester.makefile(".yml", t=test)
    result = pytester.runpytest("t.yml", "-v")
    result.stdout.fnmatch_lines(["*promrules: t.yml runs as written, untrimmed: line 4: the tag*"])
    bare = subprocess.run([promtool_env.path, "test", "rules", "t.yml"], cwd=pytester.path)
    assert (result.ret == 0) == (bare.returncode == 0)  # whatever promtool makes of the tag


def test_a_rule_file_with_a_merge_key_is_never_trimmed(tmp_path: Path) -> None:
    """promtool reads rule files with yaml.v3, whose merges promrules does not model."""
    from promrules.engine import rule_slices

    plain = tmp_path / "plain.yml"
    plain.write_text(RULES)
    merged = tmp_path / "merged.yml"
    merged.write_text(
        "groups:\n- name: g\n  rules:\n  - &a {alert: A, expr: m > 1}\n  - <<: *a\n    alert: B\n"
    )
    assert rule_slices.rule_file_root(plain) is not None
    assert rule_slices.rule_file_root(merged) is None  # read as "can't be trimmed"


def test_only_the_first_yaml_document_counts_as_for_promtool(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    """promtool reads the first document and ignores the rest, even a broken one."""
    pytester.makefile(".yml", r=RULES)
    test = "rule_files: [r.yml]\ntests:\n- interval: 1m\n" + GROUP_BODY + "---\nfoo: [bar\n"
    pytester.makefile(".yml", t=test)
    bare = subprocess.run([promtool_env.path, "test", "rules", "t.yml"], cwd=pytester.path)
    assert bare.returncode == 0
    result = pytester.runpytest("t.yml", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*runs as written*more than one YAML document*"])
