"""`promrules lint [PATHS] [--changed-since REF]`: the lint checks without pytest, like `pint ci`.

Prints each finding as the pytest items do and exits 1 when there is one,
2 on a usage problem (no [tool.promrules.lint], unknown revision).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from promrules.lint.base import load_policy
from promrules.lint.changed import DiffError, changed_lines
from promrules.lint.runner import lint_paths

__all__ = ["add_lint"]


def _run(args: argparse.Namespace) -> int:
    rootdir = Path(args.rootdir).resolve()
    try:
        policy = load_policy(rootdir)
        changed = changed_lines(rootdir, args.changed_since) if args.changed_since else None
    except (ValueError, DiffError) as exc:
        print(f"promrules lint: {exc}", file=sys.stderr)
        return 2
    if policy is None:
        print(f"promrules lint: no [tool.promrules.lint] in {rootdir / 'pyproject.toml'}",
              file=sys.stderr)  # fmt: skip
        return 2
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"promrules lint: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    findings, errors = lint_paths(rootdir, policy, [Path(p) for p in args.paths], changed)
    for error in errors:
        print(f"promrules lint: {error}", file=sys.stderr)
    for finding in findings:
        print(finding.render())
    scope = f" on rules changed since {args.changed_since}" if changed else ""
    print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}{scope}")
    return 1 if findings or errors else 0


def add_lint(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("lint", help="run the lint checks of [tool.promrules.lint]")
    command.add_argument("paths", nargs="*", default=["rules"], help="rule files or folders")
    command.add_argument(
        "--changed-since",
        metavar="REF",
        help="report only findings on rules changed since git revision REF (a PR's base)",
    )
    command.add_argument(
        "--rootdir", default=".", help="where pyproject.toml is (default: the current folder)"
    )
    command.set_defaults(run=_run)
