"""The `promrules` command: a thin shell over the same calls the plugin makes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from promrules import diff_firing, diff_git, diff_render, mutate, snapshot
from promrules.derive.progress import Progress
from promrules.diff import DiffError
from promrules.promtool import Promtool, PromtoolError, locate


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


def _operators(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in mutate.OPERATORS]
    if unknown or not names:
        known = ",".join(mutate.OPERATORS)
        raise argparse.ArgumentTypeError(f"--operators={text!r}: choose from {known}")
    return names


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"--fail-under={text!r}: give a percentage, 0 to 100")
    return value


def _workers(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--workers={text!r}: give a whole number, 1 or more")
    return int(text)


def _mutate(args: argparse.Namespace) -> int:
    operators = args.operators or list(mutate.OPERATORS)
    try:
        promtool = locate(option=args.promtool)
        suite = mutate.discover(Path(args.rules), Path(args.tests))
        mutants = mutate.mutants(suite, operators)
        files = len(suite.rule_files)
        print(
            f"promrules mutate: {len(mutants)} mutants of {files} rule file{'s'[: files != 1]}",
            file=sys.stderr,
            flush=True,
        )
        with mutate.sigterm_as_interrupt():
            run = mutate.run_mutants(
                promtool, suite, mutants, workers=args.workers, python=args.python
            )
    except (PromtoolError, mutate.MutateError) as exc:
        print(f"promrules mutate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("promrules mutate: interrupted; no file was changed", file=sys.stderr)
        return 130
    report = mutate.MutationReport(run, operators)
    for line in report.lines():
        print(line)
    if args.fail_under is not None and report.score < args.fail_under:
        print(f"FAIL: mutation score {report.score:.1f}% is under --fail-under={args.fail_under:g}")
        return 1
    return 0


def _diff(args: argparse.Namespace) -> int:
    head = args.head or diff_git.WORKING_TREE
    try:
        old, new = diff_git.revision_texts(Path(args.repo), args.base, args.head, args.rules)
        found = diff_git.diff_texts(old, new, args.base, args.head)
        if args.derive:
            try:
                promtool: Promtool | PromtoolError = locate(option=args.promtool)
            except PromtoolError as exc:
                promtool = exc
            found = diff_firing.with_firing_points(found, old, new, promtool)
    except DiffError as exc:
        print(f"promrules diff: {exc}", file=sys.stderr)
        return 2
    render = diff_render.markdown_lines if args.format == "markdown" else diff_render.text_lines
    for line in render(found, args.base, head):
        print(line)
    return 0


def _generate(args: argparse.Namespace) -> int:
    roots = [Path(p) for p in args.rules]
    missing = [str(p) for p in roots if not p.exists()]
    if missing:
        print(
            f"promrules generate: no such rule file or folder: {', '.join(missing)}",
            file=sys.stderr,
        )
        return 2
    try:
        promtool = locate(option=args.promtool)
        report = snapshot.generate(
            promtool,
            snapshot.find_rule_files(roots),
            Path(args.out),
            rule_roots=[p for p in roots if p.is_dir()],
            rootdir=Path.cwd(),
            workers=args.workers or 2,
            progress=Progress(),
        )
    except PromtoolError as exc:
        print(f"promrules generate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("promrules generate: interrupted", file=sys.stderr)
        return 130
    for line in report.lines(Path.cwd()):
        print(line)
    return 1 if report.problems else 0


def _add_generate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "generate", help="derive boundary tests for every alert and write them as test files"
    )
    command.add_argument(
        "rules", nargs="*", default=["rules"], help="rule files or folders (default: rules)"
    )
    command.add_argument(
        "--out",
        default="rule_tests/generated",
        help="folder of the generated test files (default: rule_tests/generated)",
    )
    command.add_argument("--workers", type=_workers, help="parallel promtool runs (default: 2)")
    command.set_defaults(run=_generate)


def _add_mutate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "mutate", help="mutation score: do the rule tests notice small wrong changes?"
    )
    command.add_argument("--rules", default="rules", help="rule files folder (default: rules)")
    command.add_argument(
        "--tests", default="rule_tests", help="test files folder (default: rule_tests)"
    )
    command.add_argument(
        "--operators", type=_operators, help=f"comma list of: {','.join(mutate.OPERATORS)}"
    )
    command.add_argument("--workers", type=_workers, help="parallel runs (default: CPU count)")
    command.add_argument(
        "--python", action="store_true", help="also run the Python tests in the tests folder"
    )
    command.add_argument(
        "--fail-under", type=_percent, metavar="PCT", help="exit 1 when the score is lower"
    )
    command.set_defaults(run=_mutate)


def _add_diff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser("diff", help="alert rule changes between two git revisions")
    command.add_argument("base", help="the revision to compare from, e.g. origin/main")
    command.add_argument(
        "head", nargs="?", help="the revision to compare to (default: working tree)"
    )
    command.add_argument("--rules", default="rules", help="rule files folder (default: rules)")
    command.add_argument("--format", choices=("text", "markdown"), default="text")
    command.add_argument("-C", dest="repo", default=".", help="the git repository (default: .)")
    command.add_argument(
        "--no-derive",
        dest="derive",
        action="store_false",
        help="skip deriving when changed alerts fire (needs promtool; takes seconds)",
    )
    command.set_defaults(run=_diff)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promrules", description=__doc__)
    parser.add_argument("--promtool", metavar="PATH", help="promtool binary to use")
    commands = parser.add_subparsers(dest="command", required=True)
    which = commands.add_parser("which", help="show which promtool would be used, and its version")
    which.set_defaults(run=_which)
    test = commands.add_parser("test", help="run rule files and promtool test files as pytest")
    test.add_argument("paths", nargs="*", default=["rules", "rule_tests"])
    test.set_defaults(run=_test)
    _add_generate(commands)
    _add_mutate(commands)
    _add_diff(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
