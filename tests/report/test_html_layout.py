"""The HTML report's layout: failures first with their diff, an index with links and a
filter, passing cases collapsed without charts by default, small at 1,000 alerts."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool
from promrules.report.model import AlertView, CaseView, Chart, Line, ReportData, Span
from promrules.report.page import render
from tests import browser
from tests.report.test_html_report import elements, planted_run, sections


def test_failures_come_first_with_the_diff_the_terminal_showed(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    page, result = planted_run(pytester)
    (failure,) = result.reprec.getfailures()  # type: ignore[attr-defined]
    failures_at = page.index('<h2 id="failures">Failures (1)</h2>')
    assert failures_at < page.index('id="coverage"') < page.index('<section class="alert"')
    (failed,) = elements(page, "div", data_status="failed")
    assert failed["id"] == "failure-1" and failed["data-case"] == "HighValue@3m"
    block = page[failures_at : page.index("<h2>Alert coverage</h2>")]
    diff = re.search(r'<pre class="diff">(.*?)</pre>', block, re.S)
    assert diff and html.unescape(diff[1]) == failure.longreprtext.rstrip()
    assert "alert HighValue at 3m (failed)" in failure.longreprtext
    # By default only the failure has a chart; the passing cases are collapsed.
    assert block.count("<svg") == 1 and page.count("<svg") == 1
    high = sections(page)["HighValue"]
    assert '<a href="#failure-1">high :: HighValue@3m</a>' in high
    assert "<details><summary>2 cases (2 passed)</summary>" in high
    assert 'data-state="failed"' in high


def test_the_index_links_every_alert_and_has_a_filter(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    page, _ = planted_run(pytester)
    rows = elements(page, "tr", data_state="failed") + elements(
        page, "tr", data_state="not-covered"
    )
    assert {(r["data-alert"], r["data-state"]) for r in rows} == {
        ("HighValue", "failed"),
        ("DemoMissing", "not-covered"),
    }
    ids = set(re.findall(r'\bid="([^"]*)"', page))
    links = re.findall(r'<a href="#([^"]*)">', page)
    assert {"failures", "coverage", "index"} <= set(links)
    assert all(link in ids for link in links)
    start = page.index('id="alert-index"')
    index = page[start : page.index("</table>", start)]
    assert len(re.findall(r'<a href="#alert-', index)) == 2
    for used in re.findall(r"getElementById\('([^']*)'\)", page):
        assert used in ids, used


def test_a_selected_run_says_its_coverage_is_not_the_suites(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    page, _ = planted_run(pytester)
    assert 'id="partial"' not in page and "alert coverage 50.0%" in page
    args = ("--promrules-html=part.html", "-p", "no:cacheprovider", "-k", "missing")
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1, deselected=4)  # +1: the rules.yml check
    part = (pytester.path / "part.html").read_text()
    assert "alert coverage not computed (part of the suite)" in part
    (note,) = re.findall(r'<p class="bad" id="partial">(.*?)</p>', part)
    assert "4 items deselected" in note


def _chart(i: int) -> Chart:
    points = tuple((m * 60_000, 51.0) for m in range(9))
    return Chart(
        end_ms=480_000,
        step_ms=60_000,
        compared=(Line(f'synthetic_metric{{index="{i}"}}', points),),
        compared_text=f'synthetic_metric{{index="{i}"}}',
        threshold=50.0,
        threshold_text="50",
        inputs=(Line(f'synthetic_metric{{index="{i}"}}', points),),
        spans=(Span("pending", 0, 300_000), Span("firing", 300_000, 480_000)),
    )


def _synthetic(alerts: int, failing: int, charts: str) -> ReportData:
    """`alerts` alerts of ten rule files, one case each, the first `failing` failed."""
    views = []
    for i in range(alerts):
        status = "failed" if i < failing else "passed"
        charted = charts == "all" or status == "failed"
        case = CaseView(
            test_file=f"synthetic{i // 100}_test.yml",
            line=5 + 6 * (i % 100),
            group=f"synthetic{i}",
            name=f"Synthetic{i}@6m",
            eval_ms=360_000,
            eval_time="6m",
            expects_firing=True,
            status=status,
            chart=_chart(i) if charted else None,
            detail=f"alert Synthetic{i} at 6m (failed)\n  expected: 1 alert\n  got: none"
            if status == "failed"
            else "",
            charted=charted,
        )
        view = AlertView(
            rule_file=f"rules{i // 100}.yml",
            name=f"Synthetic{i}",
            line=4 + 4 * (i % 100),
            expr=f'synthetic_metric{{index="{i}"}} > 50',
            for_text="5m",
            labels=(("severity", "warning"),),
            annotations=(),
            firing=status == "passed",
            quiet=status == "passed",  # a passing alert is covered: the filter keeps only failures
            cases=[case],
        )
        views.append(view)
    return ReportData(rows=[], total_alerts=alerts, total_percent=0.0, alerts=views, charts=charts)


def test_a_page_of_1000_alerts_stays_small_by_default() -> None:
    page = render(_synthetic(1000, 3, "failures"))
    charted = render(_synthetic(1000, 3, "all"))
    print(f"1,000 alerts: {len(page.encode())} bytes by default, {len(charted.encode())} charted")
    assert len(page.encode()) < 1_000_000
    assert page.count("<svg") == 3 and charted.count("<svg") == 1000
    assert len(page) * 3 < len(charted)
    assert len(elements(page, "tr", data_state="failed")) == 3
    assert page.index("Synthetic2@6m") < page.index('id="alert-index"')


def test_the_filter_hides_alerts_in_chromium(tmp_path: Path) -> None:
    page = tmp_path / "synthetic.html"
    page.write_text(render(_synthetic(300, 2, "failures")))
    assert browser.visible_rows_after_filter(page, "Synthetic12", problems_only=False) == 11
    assert browser.visible_rows_after_filter(page, "", problems_only=True) == 2
