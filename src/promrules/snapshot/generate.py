"""`promrules generate` / `pytest --promrules-update`: derive, verify and write snapshots.

Every alert of every rule file is derived in shared promtool rounds, every
derived case is run once more with bare promtool (a case that does not pass
is not written, and is recorded with promtool's reason), and one generated
test file per rule file is written under the generated folder. Files are
rewritten only when their text changes, and generated files whose rule file
is gone are removed, so no orphaned cases stay behind. Only files generated
from the rule files this run was asked about are ever removed: generating one
rule file leaves every other rule file's snapshot alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from promrules.derive import Progress, derive_rule_files
from promrules.derive.verify import verify
from promrules.files import yamlnodes as yn
from promrules.files.alerts import load_alerts
from promrules.files.model import is_rule_file
from promrules.files.outputs import check_folder, write_text
from promrules.promtool.binary import Promtool
from promrules.snapshot.document import GapEntry, derived_entries, read_header, render

__all__ = ["GenerateReport", "find_rule_files", "generate", "snapshot_path"]


def snapshot_path(
    rule_file: Path, rule_roots: Sequence[Path], rootdir: Path, out_dir: Path
) -> Path:
    """Where a rule file's generated tests live: rules/api.yml -> <out>/api_test.yml."""
    resolved = rule_file.resolve()
    base = next((r.resolve() for r in rule_roots if resolved.is_relative_to(r.resolve())), None)
    if base is None:
        base = rootdir.resolve() if resolved.is_relative_to(rootdir.resolve()) else resolved.parent
    parts = resolved.relative_to(base).with_suffix("").parts
    return out_dir / ("__".join(parts) + "_test.yml")


def find_rule_files(roots: Sequence[Path]) -> list[Path]:
    """The Prometheus rule files under the given folders (or the files themselves)."""
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)  # named by the user: generate() says if it is no rule file
            continue
        candidates = sorted(root.rglob("*"))
        for path in candidates:
            if path.suffix not in (".yml", ".yaml") or not path.is_file():
                continue
            try:
                if is_rule_file(yn.compose_file(path)):
                    found.append(path)
            except yn.YamlError:
                found.append(path)  # reported by generate(), not skipped in silence
    return found


@dataclass(frozen=True)
class GeneratedFile:
    rule_file: Path
    path: Path
    alerts: int
    cases: int
    gaps: tuple[tuple[str, GapEntry], ...]  # (alert, gap) for applicable misses only
    written: bool  # False when the file already had this text
    complete: tuple[tuple[str, int], ...] = ()  # (alert, cases) with every case written


@dataclass
class GenerateReport:
    files: list[GeneratedFile] = field(default_factory=list)
    removed: list[tuple[Path, str]] = field(default_factory=list)  # (file, why)
    problems: list[str] = field(default_factory=list)

    def lines(self, shown: Path) -> list[str]:
        """A summary for the terminal, paths relative to `shown`."""

        def rel(path: Path) -> str:
            resolved = path.resolve()
            base = shown.resolve()
            return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(path)

        out = []
        for item in self.files:
            state = "written" if item.written else "unchanged"
            out.append(
                f"{rel(item.path)}: {item.cases} cases for {item.alerts} alerts "
                f"of {rel(item.rule_file)} ({state})"
            )
            for alert, cases in item.complete:
                done = f"derived ({cases} cases)" if cases else "nothing derived (no case applies)"
                out.append(f"  {alert}: {done}")
            for alert, gap in item.gaps:
                out.append(f"  {alert} {gap.item}: not derived: {gap.reason}")
        out += [f"{rel(path)}: removed ({why})" for path, why in self.removed]
        out += self.problems
        if self.problems:
            out.append(
                f"{len(self.problems)} rule file(s) could not be used (named above): "
                "nothing was generated from them and their old snapshots were kept"
            )
        return out


def generate(
    promtool: Promtool,
    rule_files: Sequence[Path],
    out_dir: Path,
    *,
    rule_roots: Sequence[Path],
    rootdir: Path,
    workers: int = 2,
    scope: Sequence[Path] | None = None,
    progress: Progress | None = None,
) -> GenerateReport:
    """Derive, verify and write the snapshots of `rule_files`.

    `scope` is what the user asked for (rule files and folders; default: the
    rule roots and `rule_files`): only snapshots generated from a rule file in
    it may be removed. A rule file that is not one, or that promtool rejects, is
    a problem (the command exits non-zero) and keeps its old snapshot.
    """
    check_folder(out_dir, "the generated tests")  # before the derivation, not after
    report = GenerateReport()
    readable: list[Path] = []
    rule_only: list[Path] = []  # rule files without alerts: checked, nothing to derive
    for path in rule_files:
        try:
            root = yn.compose_file(path)
            if not is_rule_file(root):
                report.problems.append(
                    f"{_shown(path, rootdir)}: not a rule file (no `groups:` with `rules:`); "
                    "not generated"
                )
            elif load_alerts(path):
                readable.append(path)
            else:
                rule_only.append(path)
        except yn.YamlError as exc:
            report.problems.append(f"{exc.shown_from(rootdir)}: not generated")
    # A rule file promtool rejects would break every test that loads it, so it is named
    # even when it has no alerts (a recording rule that does not parse).
    rejected = rejected_by_promtool(promtool, [*readable, *rule_only], workers)
    for path, reason in rejected.items():
        report.problems.append(f"{_shown(path, rootdir)}: {reason}; not generated")
    readable = [p for p in readable if p not in rejected]
    derived = (
        derive_rule_files(readable, promtool, workers=workers, progress=progress)
        if readable
        else {}
    )
    failing = verify(promtool, list(derived.items()), workers=workers) if derived else {}
    kept: set[Path] = set()
    for rule_file in readable:
        derivations = derived[rule_file]
        out_path = snapshot_path(rule_file, rule_roots, rootdir, out_dir)
        kept.add(out_path.resolve())
        extra = []
        for derivation in derivations:
            for entry in derived_entries(derivation)[0]:
                text = failing.get((rule_file, entry.case.name))
                if text is not None:
                    reason = f"the derived case did not pass on promtool {promtool.version_text}: "
                    extra.append(
                        GapEntry(entry.alert, entry.item, reason + _first_line(text), True)
                    )
        text = render(load_alerts(rule_file), derivations, rule_file, out_path, extra)
        written = _write_if_changed(out_path, text)
        gaps = [(g.alert, g) for d in derivations for g in derived_entries(d)[1] if g.applies]
        gaps += [(g.alert, g) for g in extra]
        cases = sum(len(d.cases) for d in derivations) - len(extra)
        missing = {alert for alert, _gap in gaps}
        complete = tuple((d.label, len(d.cases)) for d in derivations if d.label not in missing)
        report.files.append(
            GeneratedFile(
                rule_file, out_path, len(derivations), cases, tuple(gaps), written, complete
            )
        )
    if not report.problems:  # an unreadable rule file keeps its old snapshot
        asked = [*rule_roots, *rule_files] if scope is None else scope
        report.removed = _remove_orphans(out_dir, kept, asked, rule_files, readable, rootdir)
    return report


def _shown(path: Path, rootdir: Path) -> str:
    resolved, base = path.resolve(), rootdir.resolve()
    return str(resolved.relative_to(base)) if resolved.is_relative_to(base) else str(path)


def rejected_by_promtool(
    promtool: Promtool, rule_files: Sequence[Path], workers: int = 2
) -> dict[Path, str]:
    """Rule files bare `promtool check rules` rejects, with its reason (invalid PromQL ...)."""

    def check(path: Path) -> str | None:
        run = promtool.run("check", "rules", str(path))
        if run.returncode == 0:
            return None
        lines = [line.strip() for line in run.output.splitlines() if line.strip()]
        found = [line for line in lines if line not in ("FAILED:",) and "Checking " not in line]
        return "promtool check rules rejects it: " + (found[0] if found else "failed")

    with ThreadPoolExecutor(max_workers=max(workers, 1)) as pool:
        answers = list(pool.map(check, rule_files))
    return {p: a for p, a in zip(rule_files, answers, strict=True) if a is not None}


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else "failed"


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    write_text(path, text, "a generated test file")
    return True


def _within(path: Path, scope: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in scope)


def _remove_orphans(
    out_dir: Path,
    kept: set[Path],
    scope: Sequence[Path],
    found: Sequence[Path],
    readable: Sequence[Path],
    rootdir: Path,
) -> list[tuple[Path, str]]:
    """Generated files (marker in the header) of rule files in scope not written this time.

    A snapshot is removed only when its header names a rule file inside
    `scope` and that rule file is gone, has no alerts, or now has its
    snapshot under another name; every other file is left alone.
    """
    if not out_dir.is_dir():
        return []
    roots = [root.resolve() for root in scope]
    found_here = {path.resolve() for path in found}
    with_alerts = {path.resolve() for path in readable}
    removed = []
    for path in sorted(out_dir.glob("*_test.yml")):
        header = None if path.resolve() in kept else read_header(path)
        if header is None:
            continue
        source = (path.parent / header.source).resolve()
        shown = os.path.relpath(source, rootdir.resolve())
        if not _within(source, roots):
            continue
        if not source.exists():
            why = f"its rule file {shown} is gone"
        elif source in with_alerts:
            why = f"{shown} is now generated into another file"
        elif source in found_here:
            why = f"{shown} has no alerts"
        else:
            continue  # no longer a rule file: left for the stale check to report
        path.unlink()
        removed.append((path, why))
    return removed
