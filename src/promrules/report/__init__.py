"""The HTML report (`--promrules-html`): failures first, an index, coverage, every alert's cases.

`collect` gathers the data (coverage, rules, promtool's view of each test
group); `page` and `svg` turn it into one self-contained HTML file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from promrules.coverage import CoverageReport
from promrules.files.outputs import write_text
from promrules.promtool.binary import Promtool
from promrules.report.collect import RanCase, collect
from promrules.report.model import ReportData
from promrules.report.page import render

__all__ = ["RanCase", "ReportData", "collect", "render", "write"]


def write(
    path: Path,
    coverage: CoverageReport,
    ran: Sequence[RanCase],
    promtool: Promtool | None,
    rootdir: Path,
    charts: str = "failures",
    partial: str | None = None,
) -> ReportData:
    """Collect the data, write the page to `path`, and return the data it shows.

    `charts`: "failures" charts failed cases only (a page of 1,000 passing
    alerts stays small and needs no promtool run); "all" charts every case.
    `partial`: why the run was part of the suite; the page then says its
    coverage counts only what ran.
    """
    data = collect(coverage, ran, promtool, rootdir, charts)
    data.partial = partial
    write_text(path, render(data), "the HTML report")
    return data
