"""`promrules upgrade-check`: the argparse side, kept here so that cli.py only registers it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from promrules.promtool.binary import PromtoolError, locate
from promrules.upgrade import report
from promrules.upgrade.check import run_check

__all__ = ["add_command"]


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--workers={text!r}: give a whole number, 1 or more")
    return int(text)


def _run(args: argparse.Namespace) -> int:
    found = []
    for flag, path in (("--from", args.before), ("--to", args.after)):
        try:
            found.append(locate(option=path))
        except PromtoolError as exc:
            why = str(exc).replace(" (from --promtool)", "")
            print(f"promrules upgrade-check: {flag}={path}: {why}", file=sys.stderr)
            return 2
    before, after = found
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(
            f"promrules upgrade-check: no such file or folder: {', '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    try:
        check = run_check(
            [Path(p) for p in args.paths],
            before,
            after,
            Path.cwd(),
            workers=args.workers or os.cpu_count() or 1,
            trim=args.trim_rules == "on",
            python=args.python,
        )
    except KeyboardInterrupt:
        print("promrules upgrade-check: interrupted", file=sys.stderr)
        return 130
    if args.format == "json":
        print(report.json_text(check))
    else:
        render = report.markdown_lines if args.format == "markdown" else report.text_lines
        for line in render(check):
            print(line)
    return 1 if check.any_changed else 0


def add_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "upgrade-check",
        help="run the tests under two promtools; report the cases that change verdict, and why",
    )
    command.add_argument(
        "--from", dest="before", required=True, metavar="PATH", help="the promtool in use now"
    )
    command.add_argument(
        "--to", dest="after", required=True, metavar="PATH", help="the promtool to upgrade to"
    )
    command.add_argument(
        "paths",
        nargs="*",
        default=["rule_tests"],
        help="promtool test files or folders (default: rule_tests)",
    )
    command.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    command.add_argument(
        "--workers", type=_workers, help="parallel promtool runs (default: CPU count)"
    )
    command.add_argument(
        "--trim-rules",
        choices=("on", "off"),
        default="on",
        help="load only the rules each test group needs (default: on)",
    )
    command.add_argument(
        "--python",
        action="store_true",
        help="also run the Python test files under the paths with each promtool (unclassified)",
    )
    command.set_defaults(run=_run)
