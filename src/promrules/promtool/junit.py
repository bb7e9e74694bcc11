"""Read promtool 3.x's `--junit` report: a testsuite per file, a testcase per group.

It says which group each failure belongs to, so a failing file needs no
second run to attribute its failures (2.x has no `--junit`; see execution).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from promrules.promtool.output import FileReport, parse_failure

__all__ = ["read_junit"]


def read_junit(path: Path) -> list[list[FileReport]] | None:
    """Per file, per group, a report; None when the file is missing or unreadable."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return None
    files = []
    for suite in root.iter("testsuite"):
        groups = []
        for case in suite.iter("testcase"):
            texts = [
                (node.text or "").strip("\n") for node in case if node.tag in ("failure", "error")
            ]
            failures = tuple(parse_failure(text) for text in texts)
            groups.append(FileReport(bool(failures), failures, ()))
        files.append(groups)
    return files
