"""Parse what `promtool test rules` prints into per-file reports of failures.

promtool prints, per test file given, `  SUCCESS` or `  FAILED:` followed by
error blocks (2.x also prints `Unit Testing:  FILE` first). Error blocks are
alert mismatches, PromQL sample mismatches or errors, rule evaluation errors,
or anything else (YAML, series and rule-file problems), which we keep as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from promrules.files.durations import DurationError, parse_duration
from promrules.promtool.goquote import GoQuoteError, unquote

__all__ = ["Failure", "FileReport", "OutputFormatError", "parse_test_output"]

Kind = Literal["alert", "expr", "rule", "other"]

_ALERT_RE = re.compile(
    r"^(?:    name: (?P<group>.*),\n)?"
    r"    alertname: (?P<subject>.*?), time: (?P<time>\S+?), ?\n"
    r"\s+exp:(?P<exp>.*?), ?\n"
    r"\s+got:(?P<got>.*)$",
    re.DOTALL,
)
_EXPR_RE = re.compile(
    r"^(?:    name: (?P<group>.*),\n)?"
    r'    expr: (?P<subject>"(?:[^"\\]|\\.)*"), time: (?P<time>\S+?),'
    r"(?: err: (?P<err>.*)|\s*\n\s+exp: (?P<exp>.*?)\n\s+got: (?P<got>.*))$",
    re.DOTALL,
)
_RULE_RE = re.compile(
    r"^    rule: (?P<subject>.*?), time: (?P<time>\S+?), err: (?P<err>.*)$", re.DOTALL
)
_BLOCK_START_RE = re.compile(r"^(    (name|alertname|expr|rule): |\S)")


class OutputFormatError(Exception):
    """promtool printed something this parser does not understand."""


@dataclass(frozen=True)
class Failure:
    """One error block promtool printed."""

    kind: Kind
    text: str
    subject: str | None = None  # alertname, expression or rule name
    time_ms: int | None = None
    group: str | None = None
    expected: str | None = None
    got: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class FileReport:
    """The verdict promtool printed for one test file argument."""

    failed: bool
    failures: tuple[Failure, ...]
    warnings: tuple[str, ...]


def _time_ms(text: str) -> int | None:
    try:
        return parse_duration(text)
    except DurationError:
        return None


def _go_unquote(quoted: str) -> str:
    """Undo Go's %q (without `ast`: see promrules.promtool.goquote)."""
    try:
        return unquote(quoted)
    except GoQuoteError:
        return quoted[1:-1]


def parse_failure(text: str) -> Failure:
    match = _ALERT_RE.match(text)
    if match:
        return Failure(
            "alert",
            text,
            subject=match["subject"],
            time_ms=_time_ms(match["time"]),
            group=match["group"],
            expected=match["exp"].strip(),
            got=match["got"].strip(),
        )
    match = _EXPR_RE.match(text)
    if match:
        return Failure(
            "expr",
            text,
            subject=_go_unquote(match["subject"]),
            time_ms=_time_ms(match["time"]),
            group=match["group"],
            expected=match["exp"],
            got=match["got"],
            error=match["err"],
        )
    match = _RULE_RE.match(text)
    if match:
        return Failure(
            "rule",
            text,
            subject=match["subject"],
            time_ms=_time_ms(match["time"]),
            error=match["err"],
        )
    return Failure("other", text, error=text.strip())


def _split_blocks(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = []
    for line in lines:
        if not line.strip():
            if blocks and blocks[-1]:
                blocks.append([])
            continue
        starts = _BLOCK_START_RE.match(line) is not None
        after_name = bool(blocks and blocks[-1] and blocks[-1][-1].startswith("    name: "))
        if starts and not after_name and blocks and blocks[-1]:
            blocks.append([])
        if not blocks:
            blocks.append([])
        blocks[-1].append(line)
    return ["\n".join(block) for block in blocks if block]


def parse_test_output(output: str) -> list[FileReport]:
    """One FileReport per test file promtool was given, in order."""
    reports: list[FileReport] = []
    pending_warnings: list[str] = []
    current: list[str] | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            failures = tuple(parse_failure(block) for block in _split_blocks(current))
            reports.append(FileReport(True, failures, tuple(pending_warnings)))
            pending_warnings.clear()
        current = None

    for line in output.splitlines():
        if line.startswith("Unit Testing:"):
            close()
        elif line.rstrip() == "  FAILED:":
            close()
            current = []
        elif line.rstrip() == "  SUCCESS":
            close()
            reports.append(FileReport(False, (), tuple(pending_warnings)))
            pending_warnings.clear()
        elif line.startswith("  WARNING:"):
            pending_warnings.append(line.strip())
        elif current is not None:
            current.append(line)
        elif line.strip():
            pending_warnings.append(line.strip())
    close()
    return reports
