"""The `promrules` command: a thin shell over the same calls the plugin makes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from promrules import __version__, mutate, snapshot
from promrules.cli import precommit, project
from promrules.derive.progress import Progress
from promrules.diff import firing as diff_firing
from promrules.diff import render as diff_render
from promrules.diff import revisions as diff_git
from promrules.diff.changes import DiffError
from promrules.files.outputs import OutputError
from promrules.lint.command import add_lint
from promrules.promtool import install as promtool_install
from promrules.promtool.binary import PromtoolError
from promrules.upgrade.command import add_command as add_upgrade_check


def _which(args: argparse.Namespace) -> int:
    try:
        found = project.locate_promtool(project.read_settings(), args.promtool)
    except (PromtoolError, project.SettingsError) as exc:
        print(f"promrules: {exc}", file=sys.stderr)
        return 2
    print(f"promtool {found.version_text} at {found.path} (from {found.source})")
    return 0


def _test(args: argparse.Namespace) -> int:
    try:
        return precommit.run_tests(args.pytest_args, args.promtool)
    except project.SettingsError as exc:
        print(f"promrules test: {exc}", file=sys.stderr)
        return 4


def _pre_commit(args: argparse.Namespace) -> int:
    try:
        return precommit.run_pre_commit(args.pytest_args, args.promtool)
    except project.SettingsError as exc:
        print(f"promrules pre-commit: {exc}", file=sys.stderr)
        return 4


def _install_promtool(args: argparse.Namespace) -> int:
    try:
        if args.if_missing and precommit.has_promtool(project.read_settings(), args.promtool):
            return 0  # the repository's own choice stands, even a broken one: pytest reports it
        path = promtool_install.install(args.version)
    except (promtool_install.InstallError, project.SettingsError) as exc:
        print(f"promrules install-promtool: {exc}", file=sys.stderr)
        return 2
    print(path)
    return 0


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
        promtool = project.locate_promtool(project.read_settings(), args.promtool)
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
    except (PromtoolError, project.SettingsError, mutate.MutateError) as exc:
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
            settings = project.read_settings([args.repo])
            promtool = project.promtool_or_error(settings, args.promtool)
            found = diff_firing.with_firing_points(found, old, new, promtool)
    except (DiffError, project.SettingsError) as exc:
        print(f"promrules diff: {exc}", file=sys.stderr)
        return 2
    render = diff_render.markdown_lines if args.format == "markdown" else diff_render.text_lines
    for line in render(found, args.base, head):
        print(line)
    return 0


def _generate(args: argparse.Namespace) -> int:
    try:
        settings = project.read_settings(args.rules)
    except project.SettingsError as exc:
        print(f"promrules generate: {exc}", file=sys.stderr)
        return 2
    # The configured rule folders first, so that a file is named as pytest looks for it.
    configured = [p for p in settings.rule_paths if p.is_dir()]
    roots = [Path(p) for p in args.rules] or configured
    missing = [str(p) for p in roots if not p.exists()]
    if missing or not roots:
        shown = ", ".join(missing) or ", ".join(str(p) for p in settings.rule_paths) or "none"
        print(f"promrules generate: no such rule file or folder: {shown}", file=sys.stderr)
        return 2
    try:
        promtool = project.locate_promtool(settings, args.promtool)
        report = snapshot.generate(
            promtool,
            snapshot.find_rule_files(roots),
            Path(args.out) if args.out else settings.generated_dir,
            rule_roots=[*configured, *(p for p in roots if p.is_dir())],
            rootdir=settings.rootdir,
            workers=args.workers or 2,
            scope=roots,
            progress=Progress(),
        )
    except (PromtoolError, OutputError) as exc:
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
        "rules",
        nargs="*",
        help="rule files or folders (default: the `promrules_rule_paths` ini setting, rules)",
    )
    command.add_argument(
        "--out",
        help="folder of the generated test files "
        "(default: the `promrules_generated_path` ini setting, rule_tests/generated)",
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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--promtool", metavar="PATH", help="promtool binary to use")
    commands = parser.add_subparsers(dest="command", required=True)
    which = commands.add_parser("which", help="show which promtool would be used, and its version")
    which.set_defaults(run=_which)
    test = commands.add_parser(
        "test",
        help="pytest over the rule and test folders; pytest options pass through as given",
    )
    test.add_argument("pytest_args", nargs="*", metavar="PYTEST ARGS")
    test.set_defaults(run=_test)
    hook = commands.add_parser(
        "pre-commit", help="the pre-commit hook: `test` when a staged file is a rule or test file"
    )
    hook.add_argument("pytest_args", nargs="*", metavar="PYTEST ARGS AND FILES")
    hook.set_defaults(run=_pre_commit)
    install = commands.add_parser(
        "install-promtool",
        help="download a pinned promtool release (sha256-checked) and print its path",
    )
    install.add_argument("--version", default=promtool_install.DEFAULT_VERSION)
    install.add_argument(
        "--if-missing",
        action="store_true",
        help="print nothing and install nothing when a promtool is configured or on PATH",
    )
    install.set_defaults(run=_install_promtool)
    _add_generate(commands)
    _add_mutate(commands)
    _add_diff(commands)
    add_lint(commands)
    add_upgrade_check(commands)
    return parser


_PASSED_THROUGH = ("test", "pre-commit")


def _split_pass_through(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """The command line up to `test`/`pre-commit`, and what follows it for pytest, untouched."""
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] == "--promtool" else 1
    if i < len(argv) and argv[i] in _PASSED_THROUGH:
        rest = argv[i + 1 :]
        return argv[: i + 1], rest[1:] if rest[:1] == ["--"] else rest
    return argv, None


def main(argv: Sequence[str] | None = None) -> int:
    head, rest = _split_pass_through(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(head)
    if rest is not None:
        args.pytest_args = rest
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
