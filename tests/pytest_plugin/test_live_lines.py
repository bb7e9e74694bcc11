"""Live-derived cases point at the user's rule file and a line it has.

Their cases sit in a temp test file (written when the first of them runs), but the
items belong to the rule file:
a line of the temp file cited with the rule file's name would be a line that
does not exist (`rules/r.yml:137` in a 12-line file).
"""

from __future__ import annotations

import pytest

from promrules.pytest_plugin.live_items import LiveCaseItem
from tests.helpers import RULES


def test_live_items_cite_the_rules_line(pytester: pytest.Pytester, promtool_env: object) -> None:
    rules = pytester.mkdir("rules")
    (rules / "demo.yml").write_text(RULES)
    items = [i for i in pytester.getitems(rules) if isinstance(i, LiveCaseItem)]
    assert items, "nothing was planned"
    alert_line = RULES.splitlines().index("      - alert: HighValue") + 1
    for item in items:
        path, line, _ = item.reportinfo()
        assert path == rules / "demo.yml"
        assert line == alert_line - 1, item.nodeid  # reportinfo lines count from 0
        assert item._message().startswith(f"rules/demo.yml:{alert_line}: HighValue "), item.nodeid
