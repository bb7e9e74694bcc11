"""The upgrade check's report: text for a terminal, Markdown for a pull request, JSON for tools.

Each form is built from the same `UpgradeCheck`; the text and Markdown forms
are line generators, so the CLI and the pytest summary only print them.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from promrules.upgrade.check import UpgradeCheck
from promrules.upgrade.classify import NO_EDIT, Classification
from promrules.upgrade.compare import Outcome
from promrules.upgrade.python_tests import ChangedTest

__all__ = ["json_text", "markdown_lines", "summary_line", "text_lines"]

UNCLASSIFIED = "unclassified"


def _code(item: Classification) -> str:
    return item.cause.code if item.cause else UNCLASSIFIED


def _headline(item: Classification, check: UpgradeCheck) -> str:
    changed = item.changed
    return (
        f"{changed.node_id}: {changed.before.summary} on {check.before}, "
        f"{changed.after.summary} on {check.after}"
    )


def _shown(outcome: Outcome) -> list[str]:
    return outcome.text.splitlines() if outcome.text else ["(passed)"]


def result_diff(item: Classification, check: UpgradeCheck) -> list[str]:
    """The two versions' results as a unified diff (promtool's exp/got blocks)."""
    before, after = _shown(item.changed.before), _shown(item.changed.after)
    lines = difflib.unified_diff(
        before, after, f"promtool {check.before}", f"promtool {check.after}", lineterm="", n=50
    )
    return [line for line in lines if not line.startswith("@@")]


def _verification(item: Classification, check: UpgradeCheck) -> str:
    if item.edit:
        return f"verified on both: a copy with it passes on {check.before} and {check.after}"
    return f"not verified: {item.unverified}"


def _suggested(item: Classification) -> str:
    if item.edit:
        return item.edit
    if item.unverified.startswith(NO_EDIT):
        return "none: the value differs by version; expect the one of the promtool you run"
    return item.cause.advice if item.cause else ""


def _cause_lines(item: Classification, check: UpgradeCheck) -> list[str]:
    if item.cause is None:
        return [f"cause: unclassified ({item.diagnosis})"]
    return [
        f"cause: {item.cause.code}: {item.cause.explanation}",
        f"shown by: with only this change both versions agree: {item.diagnosis}",
        f"suggested edit: {_suggested(item)} ({_verification(item, check)})",
    ]


def counts(check: UpgradeCheck) -> Counter[str]:
    found = Counter(_code(item) for item in check.changed)
    found[UNCLASSIFIED] += len(check.python_changed)
    return +found


_PYTHON_WHY = "a Python test: it cannot be re-run with one change; compare the two outputs"
_VERBS = {"passed": "passes", "failed": "fails", "error": "errors", "skipped": "is skipped"}


def _python_headline(test: ChangedTest, check: UpgradeCheck) -> str:
    before = _VERBS.get(test.before[0], test.before[0])
    after = _VERBS.get(test.after[0], test.after[0])
    return f"{test.node_id}: {before} on {check.before}, {after} on {check.after}"


def _python_diff(test: ChangedTest, check: UpgradeCheck) -> list[str]:
    before = test.before[1].splitlines() or [f"({test.before[0]})"]
    after = test.after[1].splitlines() or [f"({test.after[0]})"]
    lines = difflib.unified_diff(
        before, after, f"promtool {check.before}", f"promtool {check.after}", lineterm="", n=3
    )
    return [line for line in lines if not line.startswith("@@")]


def summary_line(check: UpgradeCheck) -> str:
    """One line: what was compared and how many cases changed, by cause."""
    files = len(check.changed_files)
    python = check.python_tests
    compared = (
        f"{check.cases} case{'s'[: check.cases != 1]} in {check.files} "
        f"file{'s'[: check.files != 1]}"
        + (f" and {python} Python test{'s'[: python != 1]}" if python else "")
        + f" compared on promtool {check.before} and {check.after}"
    )
    if not check.any_changed:
        return f"{compared}: 0 changed"
    by_cause = ", ".join(f"{n} {code}" for code, n in sorted(counts(check).items()))
    changed = len(check.changed) + len(check.python_changed)
    return f"{compared}: {changed} changed verdict in {files} file{'s'[: files != 1]} ({by_cause})"


def _timing(check: UpgradeCheck) -> str:
    first, second, classify = check.seconds
    return (
        f"times: {first:.1f}s on {check.before}, {second:.1f}s on {check.after}, "
        f"{classify:.1f}s finding causes"
    )


def text_lines(check: UpgradeCheck) -> Iterator[str]:
    for problem in check.problems:
        yield f"warning: not compared: {problem}"
    for item in check.changed:
        yield _headline(item, check)
        for line in _cause_lines(item, check):
            yield f"  {line}"
        for line in result_diff(item, check):
            yield f"    {line}"
    for test in check.python_changed:
        yield _python_headline(test, check)
        yield f"  cause: unclassified ({_PYTHON_WHY})"
        for line in _python_diff(test, check):
            yield f"    {line}"
    yield summary_line(check)
    yield _timing(check)


def markdown_lines(check: UpgradeCheck) -> Iterator[str]:
    yield f"### promtool upgrade check: {check.before} → {check.after}"
    yield ""
    yield summary_line(check) + "."
    for problem in check.problems:
        yield f"- not compared: `{problem}`"
    if not check.any_changed:
        return
    yield ""
    yield f"| case | {check.before} | {check.after} | cause | suggested edit |"
    yield "|---|---|---|---|---|"
    for item in check.changed:
        changed = item.changed
        edit = f"{item.edit} (verified on both)" if item.edit else ""
        if item.cause and not item.edit:
            edit = f"{_suggested(item)} (not verified: {item.unverified})"
        cells = [f"`{changed.node_id}`", changed.before.status, changed.after.status]
        cells += [_code(item), edit]
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    for test in check.python_changed:
        cells = [f"`{test.node_id}`", test.before[0], test.after[0], UNCLASSIFIED, _PYTHON_WHY]
        yield "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
    yield ""
    for item in check.changed:
        yield f"<details><summary><code>{item.changed.node_id}</code></summary>"
        yield ""
        for line in _cause_lines(item, check):
            yield f"- {line}"
        yield ""
        yield "```diff"
        yield from result_diff(item, check)
        yield "```"
        yield "</details>"
    yield ""
    yield _timing(check)


def _item(item: Classification) -> dict[str, Any]:
    changed = item.changed
    return {
        "id": changed.node_id,
        "file": changed.node_id.split("::")[0],
        "line": changed.case.line,
        "before": {"status": changed.before.status, "output": changed.before.text},
        "after": {"status": changed.after.status, "output": changed.after.text},
        "cause": _code(item),
        "explanation": item.cause.explanation if item.cause else None,
        "diagnosis": item.diagnosis,
        "suggested_edit": _suggested(item) or None,
        "edit_verified": item.edit is not None,
        "not_verified_because": (item.unverified or None) if item.cause else None,
    }


def _python_item(test: ChangedTest) -> dict[str, Any]:
    return {
        "id": test.node_id,
        "file": test.node_id.split("::")[0],
        "line": None,
        "before": {"status": test.before[0], "output": test.before[1]},
        "after": {"status": test.after[0], "output": test.after[1]},
        "cause": UNCLASSIFIED,
        "explanation": None,
        "diagnosis": _PYTHON_WHY,
        "suggested_edit": None,
        "edit_verified": False,
        "not_verified_because": None,
    }


def json_text(check: UpgradeCheck) -> str:
    first, second, classify = check.seconds
    document = {
        "before": check.before,
        "after": check.after,
        "files": check.files,
        "cases": check.cases,
        "changed_files": check.changed_files,
        "changed_by_cause": dict(sorted(counts(check).items())),
        "changed": [_item(item) for item in check.changed]
        + [_python_item(test) for test in check.python_changed],
        "python_tests": check.python_tests,
        "not_compared": list(check.problems),
        "seconds": {"before": first, "after": second, "causes": classify},
    }
    return json.dumps(document, indent=2)
