"""Rule files as they are at a git revision, or in the working tree.

Revisions are read with `git ls-tree` and `git show REV:path`, so the
diff never checks anything out and never touches the working tree.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from promrules.diff.changes import AlertDiff, DiffError, diff_alerts, read_alerts

__all__ = ["WORKING_TREE", "diff_revisions", "diff_texts", "revision_texts", "rule_texts"]

WORKING_TREE = "working tree"
_SUFFIXES = (".yml", ".yaml")


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise DiffError(f"cannot run git: {exc.strerror}") from exc
    if done.returncode != 0:
        message = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        raise DiffError(f"git {' '.join(args)}: {message[0]}")
    return done.stdout


def toplevel(path: Path) -> Path:
    return Path(_git(path, "rev-parse", "--show-toplevel").strip())


def _check_revision(top: Path, revision: str) -> None:
    try:
        _git(top, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except DiffError:
        raise DiffError(f"unknown revision {revision!r}") from None


def rule_texts(top: Path, folder: str, revision: str | None) -> dict[str, str]:
    """{path from the repository root: text} of the YAML files under `folder`."""
    if revision is None:
        base = top / folder
        if not base.is_dir():
            raise DiffError(f"{folder}: no such folder in the working tree")
        return {
            str(p.relative_to(top)): p.read_text(encoding="utf-8")
            for p in sorted(base.rglob("*"))
            if p.is_file() and p.name.endswith(_SUFFIXES)
        }
    _check_revision(top, revision)
    listing = _git(top, "ls-tree", "-r", "-z", "--name-only", revision, "--", folder)
    return {
        path: _git(top, "show", f"{revision}:{path}")
        for path in listing.split("\0")
        if path.endswith(_SUFFIXES)
    }


def revision_texts(
    repo: Path, base: str, head: str | None = None, folder: str = "rules"
) -> tuple[dict[str, str], dict[str, str]]:
    """The YAML files in `folder` at `base` and at `head` (None: the working tree)."""
    top = toplevel(repo).resolve()
    try:
        where = (repo / folder).resolve().relative_to(top).as_posix()
    except ValueError:
        raise DiffError(f"{folder}: not inside the git repository at {top}") from None
    return rule_texts(top, where, base), rule_texts(top, where, head)


def diff_texts(
    old_texts: dict[str, str], new_texts: dict[str, str], base: str, head: str | None = None
) -> AlertDiff:
    """Alert changes from the rule files `old_texts` to `new_texts` ({path: text})."""
    old, _ = read_alerts(old_texts, base)
    new, ignored = read_alerts(new_texts, head or WORKING_TREE)
    found = diff_alerts(old, new)
    return AlertDiff(found.added, found.removed, found.renamed, found.changed, tuple(ignored))


def diff_revisions(
    repo: Path, base: str, head: str | None = None, folder: str = "rules"
) -> AlertDiff:
    """Alert changes in `folder` from revision `base` to `head` (None: the working tree)."""
    old_texts, new_texts = revision_texts(repo, base, head, folder)
    return diff_texts(old_texts, new_texts, base, head)
