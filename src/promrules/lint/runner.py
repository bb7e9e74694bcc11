"""Lint without pytest: the `promrules lint` command's work, over files and folders."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from promrules.files import yamlnodes as yn
from promrules.lint.base import Finding, LintContext, Policy, read_rules, run_checks
from promrules.lint.changed import ChangedLines

__all__ = ["lint_paths", "rule_files"]


def rule_files(paths: Sequence[Path]) -> list[Path]:
    """The YAML files named, and those under the folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yml", ".yaml"))
        else:
            found.append(path)
    return found


def _shown(path: Path, rootdir: Path) -> str:
    full = path.resolve()
    return str(full.relative_to(rootdir)) if full.is_relative_to(rootdir) else str(path)


def lint_paths(
    rootdir: Path,
    policy: Policy,
    paths: Sequence[Path],
    changed: ChangedLines | None = None,
) -> tuple[list[Finding], list[str]]:
    """(findings, errors) of every check over the rule files under `paths`.

    Files that are not rule files (no `groups:`) are skipped; unreadable YAML is
    an error line naming the file, as promtool would report it.
    """
    rootdir = rootdir.resolve()
    files = rule_files(paths)
    rules = []
    errors = []
    shown = []
    for path in files:
        try:
            rules += read_rules(path, _shown(path, rootdir))
            shown.append(_shown(path, rootdir))
        except yn.YamlError as exc:
            errors.append(exc.shown_from(rootdir))
    context = LintContext(rootdir, policy, tuple(rules))
    findings = []
    for path_shown in shown:
        for found in run_checks(context, path_shown).values():
            findings += [f for f in found if changed is None or changed.touches(f)]
    findings.sort(key=lambda f: (f.path, f.line, f.code))
    return findings, errors
