"""The lines a change touched, for reporting only findings a pull request is responsible for.

`git diff --unified=0 REF` against the working tree (so uncommitted edits
count, as in a pre-commit run) gives each file's new line ranges; files git
does not track yet are new in full. A finding is kept when a touched line
falls inside the rule it is about: editing a threshold in `expr` brings
back the annotation that no longer quotes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from promrules.diff.changes import DiffError
from promrules.diff.revisions import _git, toplevel
from promrules.lint.base import Finding

__all__ = ["ChangedLines", "DiffError", "changed_lines"]

_HUNK_RE = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
_FILE_RE = re.compile(r"^\+\+\+ (?:b/(.*)|/dev/null)$", re.MULTILINE)


@dataclass(frozen=True)
class ChangedLines:
    """Touched lines by path from the rootdir; `whole` files count as touched everywhere."""

    ref: str
    lines: dict[str, frozenset[int]]
    whole: frozenset[str]

    def touches(self, finding: Finding) -> bool:
        if finding.path in self.whole:
            return True
        touched = self.lines.get(finding.path, frozenset())
        last = max(finding.last_line, finding.first_line, finding.line)
        first = min(finding.first_line or finding.line, finding.line)
        return any(first <= n <= last for n in touched)


def _parse(diff: str) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        file = _FILE_RE.match(line)
        if file:
            current = found.setdefault(file.group(1), set()) if file.group(1) else None
            continue
        hunk = _HUNK_RE.match(line)
        if hunk and current is not None:
            start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
            # A pure deletion (count 0) touches the lines on either side of the gap.
            current.update(range(start, start + count) if count else (start, start + 1))
    return found


def changed_lines(rootdir: Path, ref: str) -> ChangedLines:
    """What changed since `ref` in the git repository holding `rootdir` (raises DiffError)."""
    top = toplevel(rootdir).resolve()
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except DiffError:
        raise DiffError(f"--changed-since {ref!r}: unknown git revision") from None
    diff = _git(top, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--relative", ref)
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    root = rootdir.resolve()

    def shown(path: str) -> str:
        full = top / path
        return str(full.relative_to(root)) if full.is_relative_to(root) else str(full)

    lines = {shown(p): frozenset(n) for p, n in _parse(diff).items()}
    whole = frozenset(shown(p) for p in untracked.split("\0") if p)
    return ChangedLines(ref, lines, whole)
