"""Run a suite under two promtools and list the cases whose outcome differs.

Each run is a normal session's run (`SessionState`: files batched into shared
processes, trimmed per-group copies, one process per worker) with the given
promtool, so a case's verdict here is the one `pytest` would report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from promrules.engine.execution import case_results
from promrules.engine.results import CaseResult, FileResult
from promrules.files import yamlnodes as yn
from promrules.files.model import Case, TestFile, TestGroup, is_test_file, load_test_file
from promrules.promtool.binary import Promtool
from promrules.session.state import SessionState

__all__ = ["ChangedCase", "Groups", "Outcome", "compare", "find_test_files", "run_suite"]

# Per test file, the indexes of the groups that run (None: every group).
Groups = dict[Path, tuple[int, ...] | None]


@dataclass(frozen=True)
class Outcome:
    """A case's verdict under one promtool, and what promtool said about it."""

    status: str  # passed, failed or error
    text: str  # promtool's failure blocks or error message; "" when passed

    @classmethod
    def of(cls, verdict: CaseResult) -> Outcome:
        text = "\n\n".join(f.text for f in verdict.failures) or verdict.message
        return cls(verdict.status, text.strip() if verdict.status != "passed" else "")

    @property
    def summary(self) -> str:
        return {"passed": "passes", "failed": "fails", "error": "errors"}[self.status]


@dataclass(frozen=True)
class ChangedCase:
    """One case whose outcome differs between the two promtools."""

    test_file: TestFile
    group: TestGroup
    case: Case
    node_id: str  # as pytest names it: file::group::case
    before: Outcome
    after: Outcome


def find_test_files(paths: Iterable[Path]) -> tuple[list[TestFile], list[str]]:
    """The promtool test files under `paths` (files or folders), and one line per unreadable one."""
    found: list[TestFile] = []
    problems: list[str] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            problems.append(f"{path}: no such file or folder")
            continue
        candidates = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved in seen or candidate.suffix not in (".yml", ".yaml"):
                continue
            seen.add(resolved)
            try:
                root = yn.compose_file(candidate)
                if is_test_file(root):
                    found.append(load_test_file(candidate, root))
            except yn.YamlError as exc:
                problems.append(str(exc))
    return found, problems


def run_suite(
    promtool: Promtool,
    test_files: Sequence[TestFile],
    rootdir: Path,
    workers: int = 1,
    trim: bool = True,
    groups: Groups | None = None,
) -> dict[Path, FileResult]:
    """Every case's verdict under `promtool`, run the way a pytest session runs them.

    `groups`: per file, the groups to run (None or absent: all of them).
    """
    # A promtool of its own: stopping the session must leave the caller's usable.
    own = Promtool(promtool.path, promtool.version, promtool.source, timeout=promtool.timeout)
    state = SessionState(
        promtool_option=promtool.path,
        promtool_ini=None,
        rootdir=rootdir,
        timeout=promtool.timeout,
        workers=max(workers, 1),
        trim_rules=trim,
        prefetch_timelines=False,
        _promtool=own,
    )
    try:
        state.select((tf, (groups or {}).get(tf.path)) for tf in test_files)
        state.start()
        return {tf.path: state.test_file_result(tf) for tf in test_files}
    finally:
        state.stop()


def _unique(labels: Iterable[str]) -> Iterator[str]:
    """The plugin's node names: a repeated label gets #2, #3, ..."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        yield label if seen[label] == 1 else f"{label}#{seen[label]}"


def node_ids(test_file: TestFile, shown: str) -> dict[tuple[int, str, int], str]:
    """Each case's pytest node id, keyed like verdicts."""
    ids: dict[tuple[int, str, int], str] = {}
    groups = _unique(g.label for g in test_file.groups)
    for group, group_name in zip(test_file.groups, groups, strict=True):
        cases = _unique(c.label for c in group.cases)
        for case, case_name in zip(group.cases, cases, strict=True):
            ids[(group.index, case.kind, case.index)] = f"{shown}::{group_name}::{case_name}"
    return ids


def compare(
    test_files: Sequence[TestFile],
    before: dict[Path, FileResult],
    after: dict[Path, FileResult],
    shown: dict[Path, str] | None = None,
    groups: Groups | None = None,
) -> list[ChangedCase]:
    """The cases whose status differs between the two runs, in file order.

    `groups`: per file, the groups that ran (None or absent: all of them).
    """
    changed = []
    for test_file in test_files:
        name = (shown or {}).get(test_file.path, str(test_file.path))
        ids = node_ids(test_file, name)
        theirs = {(g.index, c.kind, c.index): v for g, c, v in case_results(after[test_file.path])}
        chosen = (groups or {}).get(test_file.path)
        for group, case, verdict in case_results(before[test_file.path]):
            if chosen is not None and group.index not in chosen:
                continue
            key = (group.index, case.kind, case.index)
            old, new = Outcome.of(verdict), Outcome.of(theirs[key])
            if old.status != new.status:
                changed.append(ChangedCase(test_file, group, case, ids[key], old, new))
    return changed
