"""promrules.alertmanager.amtool: finding amtool, reading its verdicts, and reading routing cases.

The verdicts come from the real amtool; a fake one stands in only for output
the real one never prints.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from promrules.alertmanager.amtool import (
    AmtoolError,
    YamlError,
    default_receiver,
    load_routing_cases,
    locate_amtool,
    rule_alerts,
)

CONFIG = """\
route:
  receiver: fallback
  routes:
    - receiver: pager
      matchers: ['severity="critical"']
      continue: true
    - receiver: chat
      matchers: ['severity=~"critical|warning"']
receivers: [{name: fallback}, {name: pager}, {name: chat}]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "am.yml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def amtool_path() -> str:
    found = os.environ.get("AMTOOL") or shutil.which("amtool")  # AMTOOL: tests/conftest.py
    if found is None:
        pytest.fail("these tests need the real amtool (AMTOOL, or on PATH)", pytrace=False)
    return found


def _fake(tmp_path: Path, script: str) -> str:
    path = tmp_path / "amtool"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_it_reports_receivers_in_tree_order(config: Path, amtool_path: str) -> None:
    amtool = locate_amtool(env={"AMTOOL": amtool_path})
    route = amtool.route(config, {"severity": "critical"}, expected=["pager", "chat"])
    assert route.receivers == ("pager", "chat")
    assert route.matches


def test_it_reports_a_mismatch_with_what_was_routed_instead(config: Path, amtool_path: str) -> None:
    amtool = locate_amtool(env={"AMTOOL": amtool_path})
    route = amtool.route(config, {"severity": "warning"}, expected=["pager"])
    assert (route.matches, route.receivers) == (False, ("chat",))
    assert "--verify.receivers=pager" in route.argv


def test_label_values_with_quotes_and_spaces_survive(config: Path, amtool_path: str) -> None:
    amtool = locate_amtool(env={"AMTOOL": amtool_path})
    route = amtool.route(config, {"alertname": 'a "b" c', "severity": "critical"})
    assert route.receivers == ("pager", "chat")


def test_check_config_names_the_problem(tmp_path: Path, amtool_path: str) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(CONFIG.replace("{name: chat}", "{name: chatt}"))
    check = locate_amtool(env={"AMTOOL": amtool_path}).check_config(bad)
    assert not check.ok
    assert "chat" in check.problem


def test_amtool_env_wins_even_when_broken(tmp_path: Path) -> None:
    with pytest.raises(AmtoolError, match="AMTOOL environment variable"):
        locate_amtool(rootdir=tmp_path, env={"AMTOOL": str(tmp_path / "nope"), "PATH": os.defpath})


def test_the_projects_amtool_comes_before_path(tmp_path: Path, amtool_path: str) -> None:
    (tmp_path / ".tools" / "bin").mkdir(parents=True)
    (tmp_path / ".tools" / "bin" / "amtool").symlink_to(amtool_path)
    found = locate_amtool(rootdir=tmp_path, env={"PATH": os.path.dirname(amtool_path)})
    assert found.source.startswith("the project's set-up")


def test_a_binary_that_is_not_amtool_is_refused(tmp_path: Path) -> None:
    fake = _fake(tmp_path, "echo 'something else'\n")
    with pytest.raises(AmtoolError, match="did not report an amtool version"):
        locate_amtool(env={"AMTOOL": fake})


def test_unreadable_route_output_is_an_error_not_a_verdict(tmp_path: Path, config: Path) -> None:
    fake = _fake(
        tmp_path,
        'case "$1" in --version) echo "amtool, version 0.25.0";; *) echo "a"; echo "b";; esac\n',
    )
    with pytest.raises(AmtoolError, match="could not route"):
        locate_amtool(env={"AMTOOL": fake}).route(config, {"x": "y"})


def test_a_hanging_amtool_is_stopped(tmp_path: Path, config: Path) -> None:
    fake = _fake(
        tmp_path,
        'case "$1" in --version) echo "amtool, version 0.25.0";; *) exec sleep 30;; esac\n',
    )
    with pytest.raises(AmtoolError, match=r"did not finish within 0\.5s"):
        locate_amtool(env={"AMTOOL": fake}, timeout=0.5).route(config, {"x": "y"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config: am.yml\ncases: []\n", ":2: `cases:` must be a non-empty list"),
        (
            "config: am.yml\ncases:\n  - {name: a, labels: {}, reciever: [x]}\n",
            ":3: unknown key 'reciever'",
        ),
        (
            "config: am.yml\ncases:\n  - {name: a, labels: {}, receivers: [x]}\n"
            "  - {name: a, labels: {}, receivers: [x]}\n",
            ":4: case name 'a' is already used on line 3",
        ),
        (
            "config: missing.yml\ncases:\n  - {name: a, labels: {}, receivers: [x]}\n",
            ":1: `config:`",
        ),
        (
            "config: am.yml\ncases:\n  - {name: a, labels: {1x: y}, receivers: [x]}\n",
            ":3: label '1x'",
        ),
    ],
    ids=["no cases", "misspelt key", "duplicate name", "missing config", "bad label name"],
)
def test_bad_routing_case_files_name_the_line(
    tmp_path: Path, config: Path, text: str, message: str
) -> None:
    cases = tmp_path / "cases.yml"
    cases.write_text(text)
    with pytest.raises(YamlError) as caught:
        load_routing_cases(cases)
    assert message in str(caught.value)


def test_it_reads_alert_labels_and_the_default_receiver(tmp_path: Path, config: Path) -> None:
    rules = tmp_path / "r.yml"
    rules.write_text(
        "groups:\n  - name: g\n    rules:\n"
        "      - record: r\n        expr: up\n"
        "      - alert: A\n        expr: up == 0\n        labels: {severity: info}\n"
    )
    [alert] = rule_alerts([rules])
    assert (alert.alertname, alert.labels, alert.line) == ("A", (("severity", "info"),), 6)
    assert default_receiver(config) == "fallback"
