"""The `promrules` command: a thin shell over the same calls the plugin makes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import pytest

from promrules.promtool import PromtoolError, locate


def _which(args: argparse.Namespace) -> int:
    try:
        found = locate(option=args.promtool)
    except PromtoolError as exc:
        print(f"promrules: {exc}", file=sys.stderr)
        return 2
    print(f"promtool {found.version_text} at {found.path} (from {found.source})")
    return 0


def _test(args: argparse.Namespace) -> int:
    extra = [f"--promtool={args.promtool}"] if args.promtool else []
    return int(pytest.main([*extra, *args.paths]))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promrules", description=__doc__)
    parser.add_argument("--promtool", metavar="PATH", help="promtool binary to use")
    commands = parser.add_subparsers(dest="command", required=True)
    which = commands.add_parser("which", help="show which promtool would be used, and its version")
    which.set_defaults(run=_which)
    test = commands.add_parser("test", help="run rule files and promtool test files as pytest")
    test.add_argument("paths", nargs="*", default=["rules", "rule_tests"])
    test.set_defaults(run=_test)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
