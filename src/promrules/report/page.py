"""The report as one self-contained HTML page: inline CSS and SVG, no script, no external URL.

Every piece of text from the user's files (alert names, expressions, labels,
annotations, series) goes through `escape`. Elements carry `data-*`
attributes with the figures they show, so tests can read the page back.
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
"""


def _anchor(alert: AlertView) -> str:
    return "alert-" + re.sub(r"[^A-Za-z0-9_-]", "-", f"{alert.rule_file}-{alert.name}")


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


def _case(case: CaseView) -> list[str]:
    seen = None
    if case.chart is not None and case.eval_ms is not None:
        seen = case.chart.state_at(case.eval_ms)
    css = escape(case.status.replace(" ", "-"))
    out = [
        f'<div class="case {css}" data-case="{escape(case.name)}" '
        f'data-group="{escape(case.group)}" data-status="{escape(case.status)}" '
        f'data-expects="{"firing" if case.expects_firing else "quiet"}" '
        f'data-state-at-eval="{seen or "unknown"}" data-test-file="{escape(case.test_file)}">',
        f'<div><span class="status {css}">{escape(case.status)}</span> '
        f"<b>{escape(case.group)}</b> :: {escape(case.name)} "
        f'<span class="meta">{escape(case.test_file)}:{case.line}, '
        f"expects {'firing' if case.expects_firing else 'quiet'} at {escape(case.eval_time)}"
        "</span></div>",
    ]
    chart = case.chart
    if chart is None:
        out.append('<div class="nochart">no chart: promtool was not available to evaluate it</div>')
    else:
        drawn = svg.render(chart, case.eval_ms, case.expects_firing)
        if drawn:
            out.append(
                f'<div class="meta">value of <code>{escape(chart.compared_text)}</code> against '
                f"threshold <code>{escape(chart.threshold_text)}</code></div>"
            )
            out.append(drawn)
            out.append(_legend(chart))
        else:
            out.append('<div class="nochart">no chart: nothing in this group could be drawn</div>')
        out += [f'<div class="note">{escape(note)}</div>' for note in chart.notes]
    out.append("</div>")
    return out


def _alert(alert: AlertView) -> list[str]:
    state = "covered" if alert.covered else "not covered"
    missing = [w for w, ok in (("firing", alert.firing), ("quiet", alert.quiet)) if not ok]
    out = [
        f'<section class="alert" id="{_anchor(alert)}" data-alert="{escape(alert.name)}" '
        f'data-rule-file="{escape(alert.rule_file)}" data-covered="{str(alert.covered).lower()}">',
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
            '<div class="nochart">no YAML promtool case ran for this alert '
            "(Python scenarios and generated tests count for coverage but have no chart)</div>"
        )
    for case in alert.cases:
        out += _case(case)
    out.append("</section>")
    return out


def render(data: ReportData, title: str = "promrules report") -> str:
    cases = data.cases
    failed = sum(c.status != "passed" for c in cases)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta" id="summary" data-alerts="{len(data.alerts)}" data-cases="{len(cases)}" '
        f'data-failed="{failed}">{len(data.alerts)} alerts, {len(cases)} alert cases '
        f"({failed} not passed), alert coverage {data.total_percent:.1f}%. Charts: the value the "
        "alert compares (lines) against its threshold (dashed), the alert pending (amber) and "
        "firing (red) as promtool evaluated it, the case's evaluation time (black), and below, "
        "the test group's input series.</p>",
        "<h2>Alert coverage</h2>",
        *_coverage_table(data),
    ]
    current = None
    for alert in data.alerts:
        if alert.rule_file != current:
            current = alert.rule_file
            out.append(f"<h2>{escape(current)}</h2>")
        out += _alert(alert)
    out.append("</body></html>")
    return "\n".join(out) + "\n"
