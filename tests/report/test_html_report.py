"""The HTML report (--promrules-html): its content read back from the page, and Chromium's view.

The seed report comes from a real run of rules/ and rule_tests/*.yml; its
figures are checked against that run's coverage JSON and against the rule
and test files themselves. A small planted project adds a failing case, an
alert with no threshold, and markup in an annotation.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from promrules.derive.comparisons import comparisons, parse
from promrules.files.model import load_rule_file, load_test_file
from promrules.promtool.binary import Promtool
from tests import browser

REPO = Path(__file__).resolve().parent.parent.parent


class _Elements(HTMLParser):
    """Every element's tag and attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {k: v or "" for k, v in attrs}))


def elements(html: str, tag: str, **wanted: str) -> list[dict[str, str]]:
    parser = _Elements()
    parser.feed(html)
    return [
        attrs
        for name, attrs in parser.found
        if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in wanted.items())
    ]


def sections(page: str) -> dict[str, str]:
    """Each alert section's HTML by alert name."""
    found = {}
    for match in re.finditer(
        r'<section class="alert"[^>]*data-alert="([^"]*)".*?</section>', page, re.S
    ):
        found[match[1]] = match[0]
    return found


@dataclass(frozen=True)
class SeedRun:
    html: str
    page: Path
    coverage: dict[str, object]
    output: str


@pytest.fixture(scope="module")
def seed(promtool: Promtool, tmp_path_factory: pytest.TempPathFactory) -> SeedRun:
    out = tmp_path_factory.mktemp("seed-report")
    page, cov = out / "seed-report.html", out / "coverage.json"
    tests = sorted(str(p.relative_to(REPO)) for p in (REPO / "rule_tests").glob("*.yml"))
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "rules",
            *tests,
            f"--promrules-html={page}",
            "--promrules-html-charts=all",
            f"--promrules-cov-json={cov}",
            f"--promtool={promtool.path}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return SeedRun(page.read_text(), page, json.loads(cov.read_text()), run.stdout)


def test_seed_coverage_table_matches_the_run(seed: SeedRun) -> None:
    rows = {r["data-rule-file"]: r for r in elements(seed.html, "tr", **{"class": "file-row"})}
    by_file: dict[str, list[dict[str, object]]] = {}
    for alert in seed.coverage["alerts"]:  # type: ignore[attr-defined]
        by_file.setdefault(alert["rule_file"], []).append(alert)
    assert set(rows) == set(by_file) == {f"rules/{p.name}" for p in (REPO / "rules").glob("*.yml")}
    for name, alerts in by_file.items():
        row = rows[name]
        assert int(row["data-alerts"]) == len(alerts) == len(load_rule_file(REPO / name).alerts)
        assert int(row["data-firing"]) == sum(bool(a["firing"]) for a in alerts)
        assert int(row["data-quiet"]) == sum(bool(a["quiet"]) for a in alerts)
        covered = sum(bool(a["covered"]) for a in alerts)
        assert float(row["data-percent"]) == round(100 * covered / len(alerts), 1)
    (total,) = elements(seed.html, "tr", **{"class": "total"})
    assert float(total["data-percent"]) == seed.coverage["percent"] == 100.0
    assert int(total["data-alerts"]) == len(seed.coverage["alerts"])  # type: ignore[arg-type]
    assert "promrules: HTML report" in seed.output


def test_seed_every_alert_and_case_is_on_the_page(seed: SeedRun) -> None:
    alerts = {name for p in (REPO / "rules").glob("*.yml") for name, _ in load_rule_file(p).alerts}
    found = sections(seed.html)
    assert set(found) == alerts
    for path in sorted((REPO / "rule_tests").glob("*.yml")):
        shown = f"rule_tests/{path.name}"
        expected = sorted(
            (group.label, case.label)
            for group in load_test_file(path).groups
            for case in group.cases
            if case.kind == "alert"
        )
        on_page = sorted(
            (c["data-group"], c["data-case"])
            for c in elements(seed.html, "div", data_test_file=shown)
        )
        assert on_page == expected, shown
    for name, section in found.items():
        assert 'data-status="' in section, f"{name} has no case on the page"


def test_seed_charts_agree_with_the_verdicts(seed: SeedRun) -> None:
    cases = [c for c in elements(seed.html, "div") if "data-status" in c]
    assert cases and all(c["data-status"] == "passed" for c in cases)
    for case in cases:
        # The shaded state at the evaluation time is promtool's: firing exactly when expected.
        want = "firing" if case["data-expects"] == "firing" else ("inactive", "pending")
        assert case["data-state-at-eval"] in want, case
    svgs = re.findall(r"<svg.*?</svg>", seed.html, re.S)
    assert len(svgs) == len(cases)
    for drawn in svgs:
        ET.fromstring(drawn)  # well-formed
    for name, section in sections(seed.html).items():
        expr = re.search(r"<pre>(.*?)</pre>", section, re.S)
        assert expr, name
        found = comparisons(parse(html.unescape(expr[1])))
        assert ('class="threshold"' in section) == any(c.threshold is not None for c in found), name


def test_seed_page_is_self_contained(seed: SeedRun) -> None:
    assert not re.search(r"<(link|iframe|img)\b", seed.html)
    assert re.findall(r"<script\b[^>]*>", seed.html) == ["<script>"]  # inline, the filter's
    assert not re.search(r"\bsrc\s*=", seed.html)
    assert "url(" not in seed.html
    links = re.findall(r'\bhref="([^"]*)"', seed.html)
    ids = set(re.findall(r'\bid="([^"]*)"', seed.html))
    assert links and all(link.startswith("#") and link[1:] in ids for link in links)


PLANTED_RULES = """\
groups:
  - name: demo
    interval: 1m
    rules:
      - alert: HighValue
        expr: demo_value > 90
        for: 2m
        labels:
          severity: critical
        annotations:
          summary: "<script>alert('x')</script> & value {{ $value }}"
      - alert: DemoMissing
        expr: absent(demo_value)
"""

PLANTED_TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: high
    interval: 1m
    input_series:
      - series: demo_value
        values: "95x10"
    alert_rule_test:
      - eval_time: 1m
        alertname: HighValue
        exp_alerts: []
      - eval_time: 2m
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations: {summary: "<script>alert('x')</script> & value 95"}
      - eval_time: 3m
        alertname: HighValue
        exp_alerts: []
  - name: missing
    interval: 1m
    input_series:
      - series: other_value
        values: "1x5"
    alert_rule_test:
      - eval_time: 3m
        alertname: DemoMissing
        exp_alerts:
          - exp_labels: {}
"""


def planted_run(pytester: pytest.Pytester, *extra: str) -> tuple[str, pytest.RunResult]:
    pytester.makefile(".yml", rules=PLANTED_RULES, demo_test=PLANTED_TEST)
    result = pytester.runpytest("--promrules-html=report.html", "-p", "no:cacheprovider", *extra)
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["promrules: HTML report report.html (2 alerts, 4 cases, 1 promtool runs for the charts)"]
    )
    return (pytester.path / "report.html").read_text(), result


def planted_report(pytester: pytest.Pytester) -> str:
    """The planted project's page with a chart for every case."""
    return planted_run(pytester, "--promrules-html-charts=all")[0]


def test_planted_failure_threshold_and_markup(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    html = planted_report(pytester)
    (failed,) = elements(html, "div", data_status="failed")
    assert failed["data-case"] == "HighValue@3m" and failed["data-expects"] == "quiet"
    assert failed["data-state-at-eval"] == "firing"  # why it failed: firing since 2m
    (summary,) = elements(html, "p", id="summary")
    assert (summary["data-alerts"], summary["data-cases"], summary["data-failed"]) == (
        "2",
        "4",
        "1",
    )
    assert html.count("<script") == 1  # the filter's own; the annotation's is escaped
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; value" in html
    found = sections(html)
    assert 'data-covered="true"' in found["HighValue"]
    assert 'data-covered="false"' in found["DemoMissing"]
    assert "no threshold line" in found["DemoMissing"]
    assert "<svg" in found["DemoMissing"] and 'class="threshold"' not in found["DemoMissing"]
    (row,) = elements(html, "tr", **{"class": "file-row"})
    assert (row["data-alerts"], row["data-percent"]) == ("2", "50.0")
    assert "DemoMissing" in html.split('id="coverage"')[1].split("</table>")[0]


def test_seed_report_renders_in_chromium(seed: SeedRun, tmp_path: Path) -> None:
    shown = browser.render(seed.page, tmp_path / "seed-report.png")
    kept = browser.keep_artifact(shown.screenshot)
    browser.keep_artifact(seed.page)
    print(
        f"seed report: {len(seed.html)} bytes, {shown.svg_count} charts, loaded in "
        f"{shown.seconds:.2f}s, {len(shown.problems)} console problems; screenshot {kept}"
    )
    assert shown.problems == []
    assert shown.svg_count == len(re.findall(r"<svg", seed.html)) > 0
    assert shown.empty_svgs == 0
    assert shown.screenshot.stat().st_size > 10_000


def test_planted_report_renders_in_chromium(
    pytester: pytest.Pytester, promtool_env: Promtool, tmp_path: Path
) -> None:
    page = pytester.path / "report.html"
    page.write_text(planted_report(pytester))
    shown = browser.render(page, tmp_path / "planted-report.png", height=1000)
    browser.keep_artifact(shown.screenshot)
    assert shown.problems == []
    assert shown.svg_count == 4 and shown.empty_svgs == 0


def test_chromium_check_sees_console_errors(tmp_path: Path) -> None:
    """The check above can fail: a console error, an exception and a missing file are caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><svg width='10' height='10'></svg>"
        "<script>console.error('planted'); undefinedFunction();</script>"
        "<img src='missing.png'></body></html>"
    )
    shown = browser.render(page, tmp_path / "broken.png", height=300)
    text = "\n".join(shown.problems)
    assert "planted" in text and "undefinedFunction" in text and "missing.png" in text
    assert shown.svg_count == 1


BROKEN_TEST = """\
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - name: fine
    interval: 1m
    input_series:
      - series: demo_value
        values: "95x10"
    alert_rule_test:
      - eval_time: 3m
        alertname: HighValue
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations: {summary: "<script>alert('x')</script> & value 95"}
  - name: bad-series
    interval: 1m
    input_series:
      - series: demo_value
        values: "95 96 oops"
    alert_rule_test:
      - eval_time: 3m
        alertname: HighValue
        exp_alerts: []
"""


def test_a_group_that_cannot_be_charted_says_why(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    pytester.makefile(".yml", rules=PLANTED_RULES, broken_test=BROKEN_TEST)
    result = pytester.runpytest(
        "--promrules-html=report.html", "--promrules-html-charts=all", "-p", "no:cacheprovider"
    )
    # promtool rejects the whole file for one group's series: the report's single run
    # fails, so each group is asked alone; the good one gets its chart, the bad one
    # says why it has none.
    result.stdout.fnmatch_lines(["*HTML report report.html (2 alerts, 2 cases, 3 promtool runs*"])
    page = (pytester.path / "report.html").read_text()
    cases = {c["data-group"]: c for c in elements(page, "div") if "data-status" in c}
    assert {g: c["data-status"] for g, c in cases.items()} == {
        "fine": "passed",
        "bad-series": "error",
    }
    assert cases["fine"]["data-state-at-eval"] == "firing"
    assert cases["bad-series"]["data-state-at-eval"] == "unknown"
    blocks = page.split('<div class="case ')[1:]  # each case up to the next one
    fine = next(b for b in blocks if 'data-group="fine"' in b)
    bad = next(b for b in blocks if 'data-group="bad-series"' in b)
    assert "<svg" in fine
    assert "promtool could not evaluate this group for the chart" in bad
    assert "input series demo_value not charted" in bad and "<svg" not in bad


@pytest.mark.parametrize(
    ("expr", "exprs", "threshold", "note"),
    [
        ("cpu > 90", ("cpu",), 90.0, None),
        ("90 < cpu", ("cpu",), 90.0, None),
        ("a > 10 or b > 10", ("a", "b"), 10.0, None),
        ("cpu < 50 and mem < 60", ("cpu",), 50.0, "not charted: mem < 60"),
        ("absent(up)", ("absent(up)",), None, "no threshold line"),
        ("a > b", ("a > b",), None, "compares two series"),
    ],
)
def test_what_a_chart_compares(
    expr: str, exprs: tuple[str, ...], threshold: float | None, note: str | None
) -> None:
    from promrules.report.threshold import target

    found = target(expr)
    assert (found.exprs, found.threshold) == (exprs, threshold)
    assert (note is None) == (not found.notes)
    assert note is None or note in found.notes[0]


def test_input_legends_keep_only_what_tells_series_apart() -> None:
    from promrules.report.inputs import short_labels

    buckets = [f'lat_bucket{{job="a", le="{le}"}}' for le in ("0.5", "1")]
    assert short_labels(buckets) == (['{le="0.5"}', '{le="1"}'], 'lat_bucket{job="a"}')
    assert short_labels(['cpu{i="1"}', 'mem{i="1"}']) == (["cpu", "mem"], '{i="1"}')
    assert short_labels(["up"]) == (["up"], "")


@pytest.mark.slow
def test_under_xdist_the_report_shows_every_workers_cases(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    """Workers send their cases to the controller, which writes the one page."""
    pytest.importorskip("xdist", reason="pytest-xdist is a dev extra")
    single = planted_report(pytester)
    pytester.makefile(".yml", second_test=PLANTED_TEST)  # a file for each worker
    result = pytester.runpytest_subprocess(
        "-n", "2", "--promrules-html=xdist.html", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=7, failed=2)
    result.stdout.fnmatch_lines(["promrules: HTML report xdist.html (2 alerts, 8 cases, *"])
    html = (pytester.path / "xdist.html").read_text()
    assert case_statuses(html) == sorted(case_statuses(single) * 2)


def case_statuses(html: str) -> list[str]:
    return sorted(div["data-status"] for div in elements(html, "div") if "data-status" in div)
