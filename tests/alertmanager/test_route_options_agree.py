"""route_options' reading of `group_by` and receivers equals a running Alertmanager's grouping.

Differential: for each label set, the routes amtool matched, with the
`group_by` promrules inherited along their paths, must be exactly the
aggregation groups the real Alertmanager forms for that alert
(`/api/v2/alerts/groups`: one group per matched route, its receiver, its
group labels). Timers and time intervals are not visible through the API, so
only grouping and receivers are compared here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from promrules.alertmanager.amtool import Amtool, AmtoolError, locate_amtool
from promrules.alertmanager.api import alert, get_groups, poll, post_alerts
from promrules.alertmanager.route_options import matched_routes
from promrules.alertmanager.server import ServerError, ServerProcess
from promrules.pytest_plugin.alertmanager_fixtures import AlertmanagerPool

REPO = Path(__file__).resolve().parent.parent.parent

CONFIG = """\
route:
  receiver: root
  group_by: [alertname]
  routes:
    - matchers: ['team="a"']
      receiver: a
      group_by: [alertname, instance]
      continue: true
      routes:
        - matchers: ['severity="critical"']
          receiver: a-critical
        - matchers: ['severity="warning"']
          group_by: ['...']
          routes:
            - matchers: ['instance="x"']
              receiver: a-warning-x
    - matchers: ['team=~"a|b"']
      receiver: ab
      group_by: []
    - matchers: ['team="c"']
      receiver: c
      group_by:
receivers:
  - {name: root}
  - {name: a}
  - {name: a-critical}
  - {name: a-warning-x}
  - {name: ab}
  - {name: c}
"""

LABEL_SETS = [
    {"alertname": "A", "team": "a", "severity": "critical", "instance": "x"},
    {"alertname": "B", "team": "a", "severity": "warning", "instance": "x"},
    {"alertname": "C", "team": "a", "severity": "warning", "instance": "y"},
    {"alertname": "D", "team": "a", "instance": "z"},
    {"alertname": "E", "team": "b", "instance": "z"},
    {"alertname": "F", "team": "c", "instance": "z"},
    {"alertname": "G"},
]

Group = tuple[str, tuple[str, ...]]  # receiver, sorted group label names


@pytest.fixture(scope="module")
def amtool() -> Amtool:
    try:
        return locate_amtool(rootdir=REPO)
    except AmtoolError as exc:
        pytest.fail(f"this test needs the real amtool: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("agree") / "alertmanager.yml"
    path.write_text(CONFIG)
    return path


@pytest.fixture(scope="module")
def server(config: Path) -> Iterator[ServerProcess]:
    pool = AlertmanagerPool(REPO)
    try:
        yield pool(config).server
    except ServerError as exc:
        pytest.fail(f"this test needs the real Alertmanager: {exc}", pytrace=False)
    finally:
        pool.close()


def _groups(server: ServerProcess, case: str) -> list[Group]:
    found = get_groups(server, case=case)
    return sorted((g["receiver"]["name"], tuple(sorted(g["labels"]))) for g in found)


@pytest.mark.parametrize("labels", LABEL_SETS, ids=[s["alertname"] for s in LABEL_SETS])
def test_grouping_read_from_the_config_is_alertmanagers(
    amtool: Amtool, config: Path, server: ServerProcess, labels: dict[str, str]
) -> None:
    tagged = {**labels, "case": labels["alertname"]}
    expected = []
    for route in matched_routes(amtool, config, tagged):
        group_by = route.values["group_by"]
        assert isinstance(group_by, tuple)
        names = tagged if group_by == ("...",) else [n for n in group_by if n in tagged]
        expected.append((route.receiver, tuple(sorted(names))))
    post_alerts(server, [alert(tagged)])
    seen = poll(lambda: _groups(server, tagged["case"]), lambda g: len(g) >= len(expected), 10)
    assert seen == sorted(expected)
