"""The report as one self-contained HTML page: inline CSS, SVG and script, no external URL.

Failures come first, each with its diff (the text the terminal showed) and
its chart; then the coverage table; then an index of every alert, with links
and a filter (a few lines of inline script); then every alert with its cases,
passing ones collapsed. Every piece of text from the user's files (alert
names, expressions, labels, annotations, series) goes through `escape`.
Elements carry `data-*` attributes with the figures they show, so tests can
read the page back.
"""

from __future__ import annotations

import re
from html import escape

from promrules.report import svg
from promrules.report.model import AlertView, CaseView, Chart, ReportData

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#24292f;
  margin:24px;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
h3{font-size:16px;margin:20px 0 4px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:bold}
.bad{color:#cf222e}
.good{color:#1a7f37}
pre{background:#f6f8fa;padding:6px 8px;overflow-x:auto;margin:4px 0;font-size:12px}
.case{border:1px solid #d0d7de;border-radius:6px;padding:6px 10px;width:572px;
  margin:8px 8px 0 0;display:inline-block;vertical-align:top}
.case.failed,.case.error{border-color:#cf222e;background:#fff5f5}
.status{font-weight:bold;text-transform:uppercase;
  font-size:12px;padding:1px 6px;border-radius:8px}
.status.passed{background:#dafbe1;color:#1a7f37}
.status.failed,.status.error{background:#ffebe9;color:#cf222e}
.chart text{font:10px sans-serif}
.note{color:#57606a;font-size:12px;margin:2px 0}
.legend{font-size:12px;color:#57606a}
.swatch{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px}
.meta{color:#57606a;font-size:12px}
.nochart{color:#9a6700;font-size:12px}
pre.diff{background:#fff;border:1px solid #d0d7de;white-space:pre-wrap;max-height:420px}
details>summary{cursor:pointer;color:#57606a;margin:6px 0}
#alert-index td{padding:1px 8px}
#alert-index tr[data-state=failed] td:last-child{color:#cf222e}
#alert-index tr[data-state=not-covered] td:last-child{color:#9a6700}
.brief{margin:2px 0 2px 12px;font-size:13px}
.tools{margin:6px 0}
"""

# The index filter: hide index rows and alert sections whose alert and rule file
# do not contain the text typed (and, if ticked, that have no problem).
SCRIPT = """
(function () {
  var text = document.getElementById('filter');
  var only = document.getElementById('problems-only');
  var items = document.querySelectorAll('#alert-index tr[data-alert], section.alert');
  function apply() {
    var wanted = text.value.trim().toLowerCase();
    var shown = 0;
    items.forEach(function (el) {
      var name = (el.getAttribute('data-alert') + ' ' +
                  el.getAttribute('data-rule-file')).toLowerCase();
      var hide = (wanted && name.indexOf(wanted) < 0) ||
                 (only.checked && el.getAttribute('data-state') === 'ok');
      el.hidden = hide;
      if (!hide && el.tagName === 'TR') { shown += 1; }
    });
    document.getElementById('index-count').textContent = String(shown);
  }
  text.addEventListener('input', apply);
  only.addEventListener('change', apply);
})();
"""


def _anchor(alert: AlertView) -> str:
    """The section's id: rule file, name and line (two rules may share a name)."""
    return "alert-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{alert.rule_file}-{alert.name}-{alert.line}")


def _coverage_table(data: ReportData) -> list[str]:
    out = [
        '<table id="coverage"><tr><th>rule file</th><th>alerts</th><th>with firing case</th>'
        "<th>with quiet case</th><th>covered</th><th>uncovered alerts</th></tr>"
    ]
    for row in data.rows:
        css = "good" if not row.uncovered else "bad"
        out.append(
            f'<tr class="file-row" data-rule-file="{escape(row.rule_file)}" '
            f'data-alerts="{row.alerts}" data-firing="{row.firing}" data-quiet="{row.quiet}" '
            f'data-percent="{row.percent:.1f}"><td>{escape(row.rule_file)}</td>'
            f"<td>{row.alerts}</td><td>{row.firing}</td><td>{row.quiet}</td>"
            f'<td class="{css}">{row.percent:.1f}%</td>'
            f"<td>{escape(', '.join(row.uncovered)) or '-'}</td></tr>"
        )
    out.append(
        f'<tr class="total" data-alerts="{data.total_alerts}" '
        f'data-percent="{data.total_percent:.1f}">'
        f"<td>total</td><td>{data.total_alerts}</td><td></td><td></td>"
        f"<td>{data.total_percent:.1f}%</td><td></td></tr></table>"
    )
    return out


def _legend(chart: Chart) -> str:
    items = []
    for index, line in enumerate(chart.compared):
        items.append(
            f'<span class="swatch" style="background:{svg.colour(index)}"></span>'
            f"{escape(line.label)}"
        )
    if chart.inputs:
        common = f" {escape(chart.inputs_common)}" if chart.inputs_common else ""
        items.append(f"<br>input series{common}:")
    for index, line in enumerate(chart.inputs):
        items.append(
            f'<span class="swatch" style="background:{svg.colour(index, inputs=True)}"></span>'
            f"{escape(line.label)}"
        )
    items.insert(
        0,
        '<span class="swatch" style="background:#f2cc60"></span>pending'
        '<span class="swatch" style="background:#ff8182"></span>firing',
    )
    return '<div class="legend">' + " ".join(items) + "</div>"


def _brief(case: CaseView) -> str:
    """A case without a chart, in a line (at 1,000 alerts every byte a case counts)."""
    return (
        f'<div class="case-brief brief" data-case="{escape(case.name)}" '
        f'data-group="{escape(case.group)}" data-status="{escape(case.status)}" '
        f'data-test-file="{escape(case.test_file)}">{escape(case.status)}: '
        f"<b>{escape(case.group)}</b> :: {escape(case.name)} "
        f'<span class="meta">{escape(case.test_file)}:{case.line}, expects '
        f"{'firing' if case.expects_firing else 'quiet'} at {escape(case.eval_time)}</span></div>"
    )


def _case(case: CaseView, alert: AlertView | None = None, number: int = 0) -> list[str]:
    """One case; with `alert` (the failures list) also its alert, its diff and an id."""
    seen = None
    if case.chart is not None and case.eval_ms is not None:
        seen = case.chart.state_at(case.eval_ms)
    css = escape(case.status.replace(" ", "-"))
    ident = f' id="failure-{number}"' if alert is not None else ""
    of_alert = ""
    if alert is not None:
        of_alert = f'<a href="#{_anchor(alert)}">{escape(alert.name)}</a> '
    out = [
        f'<div class="case {css}"{ident} data-case="{escape(case.name)}" '
        f'data-group="{escape(case.group)}" data-status="{escape(case.status)}" '
        f'data-expects="{"firing" if case.expects_firing else "quiet"}" '
        f'data-state-at-eval="{seen or "unknown"}" data-test-file="{escape(case.test_file)}">',
        f'<div><span class="status {css}">{escape(case.status)}</span> {of_alert}'
        f"<b>{escape(case.group)}</b> :: {escape(case.name)} "
        f'<span class="meta">{escape(case.test_file)}:{case.line}, '
        f"expects {'firing' if case.expects_firing else 'quiet'} at {escape(case.eval_time)}"
        "</span></div>",
    ]
    if alert is not None and case.detail:
        out.append(f'<pre class="diff">{escape(case.detail.rstrip())}</pre>')
    if case.charted:  # else a passing case under charts of failures only
        out += _chart_block(case)
    out.append("</div>")
    return out


def _chart_block(case: CaseView) -> list[str]:
    chart = case.chart
    if chart is None:
        return ['<div class="nochart">no chart: promtool was not available to evaluate it</div>']
    drawn = svg.render(chart, case.eval_ms, case.expects_firing)
    if drawn:
        out = [
            f'<div class="meta">value of <code>{escape(chart.compared_text)}</code> against '
            f"threshold <code>{escape(chart.threshold_text)}</code></div>",
            drawn,
            _legend(chart),
        ]
    else:
        out = ['<div class="nochart">no chart: nothing in this group could be drawn</div>']
    return out + [f'<div class="note">{escape(note)}</div>' for note in chart.notes]


def _alert(alert: AlertView, failure_ids: dict[int, int], charts: str) -> list[str]:
    """An alert's section; its passing cases collapsed (left open when each has a chart)."""
    state = "covered" if alert.covered else "not covered"
    missing = [w for w, ok in (("firing", alert.firing), ("quiet", alert.quiet)) if not ok]
    out = [
        f'<section class="alert" id="{_anchor(alert)}" data-alert="{escape(alert.name)}" '
        f'data-rule-file="{escape(alert.rule_file)}" data-state="{alert.state}" '
        f'data-covered="{str(alert.covered).lower()}">',
        f"<h3>{escape(alert.name)} "
        f'<span class="{"good" if alert.covered else "bad"}">({state}'
        f"{': no passing ' + ' or '.join(missing) + ' case' if missing else ''})</span></h3>",
        f'<div class="meta">{escape(alert.rule_file)}:{alert.line}, for: {escape(alert.for_text)}'
        + "".join(f", {escape(k)}={escape(v)}" for k, v in alert.labels)
        + "</div>",
    ]
    if alert.expr:
        out.append(f"<pre>{escape(alert.expr.strip())}</pre>")
    out += [
        f'<div class="meta annotation">{escape(k)}: {escape(v)}</div>' for k, v in alert.annotations
    ]
    if not alert.cases:
        out.append(
            '<div class="nochart">no promtool case of this run tested this alert '
            "(Python scenarios count for coverage but are not listed)</div>"
        )
    for case in alert.cases:
        if case.failed:  # shown in full among the failures, at the top
            out.append(
                f'<div class="meta">{escape(case.status)}: <a href="#failure-'
                f'{failure_ids[id(case)]}">{escape(case.group)} :: {escape(case.name)}</a></div>'
            )
    rest = [case for case in alert.cases if not case.failed]
    if rest:
        passed = sum(case.status == "passed" for case in rest)
        opened = " open" if charts == "all" else ""
        out.append(
            f"<details{opened}><summary>{len(rest)} case{'s' if len(rest) != 1 else ''} "
            f"({passed} passed)</summary>"
        )
        for case in rest:
            out += _case(case) if case.charted else [_brief(case)]
        out.append("</details>")
    out.append("</section>")
    return out


def _failures(data: ReportData) -> tuple[list[str], dict[int, int]]:
    """The failures section, and the number of each failed case (its `failure-N` id)."""
    found = [(alert, case) for alert in data.alerts for case in alert.cases if case.failed]
    out = [f'<h2 id="failures">Failures ({len(found)})</h2>']
    if not found:
        out.append('<p class="good">Every case passed.</p>')
    numbers: dict[int, int] = {}
    for number, (alert, case) in enumerate(found, start=1):
        numbers[id(case)] = number
        out += _case(case, alert, number)
    return out, numbers


def _index(data: ReportData) -> list[str]:
    """Every alert with a link to it, its state and case count, and the filter above."""
    out = [
        '<h2 id="index">Alerts (<span id="index-count">' + str(len(data.alerts)) + "</span>)</h2>",
        '<div class="tools"><input id="filter" type="search" placeholder="filter by alert or '
        'rule file" aria-label="filter alerts"> <label><input id="problems-only" '
        'type="checkbox"> failed or not covered only</label></div>',
        '<table id="alert-index"><tr><th>alert</th><th>rule file</th><th>cases</th>'
        "<th>state</th></tr>",
    ]
    for alert in data.alerts:
        out.append(
            f'<tr data-alert="{escape(alert.name)}" '
            f'data-rule-file="{escape(alert.rule_file)}" data-state="{alert.state}">'
            f'<td><a href="#{_anchor(alert)}">{escape(alert.name)}</a></td>'
            f"<td>{escape(alert.rule_file)}:{alert.line}</td><td>{len(alert.cases)}</td>"
            f"<td>{alert.state.replace('-', ' ')}</td></tr>"
        )
    out.append("</table>")
    return out


def render(data: ReportData, title: str = "promrules report") -> str:
    cases = data.cases
    failed = sum(c.failed for c in cases)
    not_passed = sum(c.status != "passed" for c in cases)
    charts = (
        "a chart per case"
        if data.charts == "all"
        else "charts for failed cases (--promrules-html-charts=all charts every case)"
    )
    failures, failure_ids = _failures(data)
    coverage = f"alert coverage {data.total_percent:.1f}%"
    coverage_note = []
    if data.partial:
        coverage = "alert coverage not computed (part of the suite)"
        coverage_note = [
            f'<p class="bad" id="partial">This run is part of the suite ({escape(data.partial)}):'
            " the coverage below counts only the cases it ran.</p>"
        ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta" id="summary" data-alerts="{len(data.alerts)}" data-cases="{len(cases)}" '
        f'data-failed="{not_passed}">{len(data.alerts)} alerts, {len(cases)} alert cases '
        f"({not_passed} not passed, {failed} failed), {coverage}; "
        f"{charts}. Charts: the value the "
        "alert compares (lines) against its threshold (dashed), the alert pending (amber) and "
        "firing (red) as promtool evaluated it, the case's evaluation time (black), and below, "
        "the test group's input series.</p>",
        '<p class="meta"><a href="#failures">failures</a> · <a href="#coverage">coverage</a> · '
        '<a href="#index">alerts</a></p>',
        *failures,
        "<h2>Alert coverage</h2>",
        *coverage_note,
        *_coverage_table(data),
        *_index(data),
    ]
    current = None
    for alert in data.alerts:
        if alert.rule_file != current:
            current = alert.rule_file
            out.append(f"<h2>{escape(current)}</h2>")
        out += _alert(alert, failure_ids, data.charts)
    out.append(f"<script>{SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"
