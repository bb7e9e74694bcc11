"""The pytest plugin: options, collection of promtool files, and reporting.

Hooks stay a few lines each; the work happens in `session`, `execution` and
`render`. Test files become a collector per file, a collector per test group
and an item per case; rule files become one `promtool check rules` item.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from promrules import lint, report
from promrules.authoring.scenario import reporting_passes_to
from promrules.coverage import DERIVED, HAND_WRITTEN, recording_as
from promrules.engine.render import render_failure
from promrules.engine.results import CaseResult, case_key
from promrules.engine.slow_notice import SlowNotice
from promrules.files import yamlnodes as yn
from promrules.files.folders import unreadable_entries
from promrules.files.model import (
    Case,
    TestFile,
    TestGroup,
    is_rule_file,
    is_test_file,
    load_test_file,
)
from promrules.files.outputs import OutputError
from promrules.promtool.binary import PromtoolError
from promrules.pytest_plugin import coverage_gate, options, partial_run
from promrules.pytest_plugin.distribution import (
    WORKER_CASES,
    CaseRecord,
    is_xdist_worker,
    may_start_early,
)
from promrules.pytest_plugin.failure_texts import failure_texts
from promrules.pytest_plugin.interrupt import restore_sigterm, sigterm_as_interrupt
from promrules.pytest_plugin.live import LIVE, live_nodes
from promrules.pytest_plugin.overlap import prepare_session_end
from promrules.pytest_plugin.routing_items import RoutingCasesFile, is_routing_cases
from promrules.pytest_plugin.scenario_coverage import scenario_coverage
from promrules.pytest_plugin.snapshot_update import update_snapshots
from promrules.session.state import SessionState
from promrules.snapshot import is_generated

# The scenario and Alertmanager fixtures, the pytest-xdist hooks and the upgrade check live in
# their own modules.
pytest_plugins = [
    "promrules.pytest_plugin.fixtures",
    "promrules.pytest_plugin.alertmanager_fixtures",  # alertmanager_server
    "promrules.pytest_plugin.distribution",
    "promrules.pytest_plugin.compare_promtool",  # --promrules-compare-promtool
]

STATE = pytest.StashKey[SessionState]()
HTML_WRITTEN = pytest.StashKey[str]()
LINT_CHANGED = pytest.StashKey["lint.ChangedLines | None"]()
OUTPUT_ERRORS = pytest.StashKey[list[str]]()  # outputs that could not be written
SIGTERM = pytest.StashKey[Any]()  # the SIGTERM handler to put back at the end
_YAML_SUFFIXES = (".yml", ".yaml")
_FOLDER_INIS = ("promrules_test_paths", "promrules_rule_paths")


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SIGTERM] = sigterm_as_interrupt()
    if config.getoption("promrules_html"):
        failure_texts(config)  # the page shows each failure as the terminal did
    config.stash[STATE] = state = options.session_state(config)
    config.stash[LINT_CHANGED] = options.lint_changed(config)
    if not is_xdist_worker(config):  # a worker's terminal is not the user's
        notice = SlowNotice(options.slow_notice_seconds(config), _terminal_line(config))
        state.slow_notice = notice
    config.stash[LIVE] = options.live_derivation(config, state)


def _terminal_line(config: pytest.Config) -> Any:
    """A writer of one line to the terminal from any thread, past output capture."""
    lock = threading.Lock()

    def write(line: str) -> None:
        capture = config.pluginmanager.getplugin("capturemanager")
        reporter = config.pluginmanager.getplugin("terminalreporter")
        if reporter is None:
            return
        with lock, capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            reporter.write_line(line, yellow=True)  # on a line of its own

    return write


def pytest_sessionstart(session: pytest.Session) -> None:
    """--promrules-update: regenerate the snapshot files before they are collected."""
    config = session.config
    partial_run.note_last_failed(config)
    if config.getoption("promrules_update") and not hasattr(config, "workerinput"):
        try:
            lines = update_snapshots(config.stash[STATE], config.stash[LIVE])
        except OutputError as exc:  # the tests still run, against the snapshots on disk
            lines = []
            config.stash.setdefault(OUTPUT_ERRORS, []).append(str(exc))
        config.stash[LIVE].update_lines = lines


def pytest_unconfigure(config: pytest.Config) -> None:
    restore_sigterm(config.stash.get(SIGTERM, None))
    state = config.stash.get(STATE, None)  # absent when configure refused the options
    if state is not None:
        state.stop()
    live = config.stash.get(LIVE, None)
    if live is not None:
        live.cleanup()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Enforce the coverage gates (full runs only) and write the JSON and HTML reports."""
    errors = session.config.stash.setdefault(OUTPUT_ERRORS, [])
    errors += _write_reports(session)
    if errors and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    if exitstatus == 0 and _coverage_gate_fails(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _write_reports(session: pytest.Session) -> list[str]:
    """The HTML page and the coverage JSON, as asked; what could not be written."""
    coverage = session.config.stash[STATE].coverage
    html = session.config.getoption("promrules_html")
    try:
        if html and not is_xdist_worker(session.config):  # workers hand their cases over
            _write_html(session, Path(html))
        if (path := session.config.getoption("promrules_cov_json")) and coverage.alerts:
            coverage.write_json(Path(path), partial_run.partial_reason(session.config))
    except OutputError as exc:
        return [str(exc)]
    return []


def _coverage_gate_fails(config: pytest.Config) -> bool:
    """A gate is only for a whole run that has alerts (partial runs are not gated)."""
    coverage = config.stash[STATE].coverage
    if not coverage.alerts or partial_run.partial_reason(config):
        return False
    return bool(coverage_gate.gate_failures(config, coverage))


def case_kind(item: pytest.Item) -> str:
    """Whether an item's cases are hand-written or derived, for coverage.

    Derived: items under a rule file (cases derived live) or in a generated
    snapshot file (its marker says so); everything else was written by someone.
    """
    if item.getparent(RuleFileNode) is not None:
        return DERIVED
    if item.path.suffix in _YAML_SUFFIXES and is_generated(item.path):
        return DERIVED
    return HAND_WRITTEN


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Coverage an item records, YAML cases or Python scenarios, counts as its kind."""
    coverage = item.config.stash[STATE].coverage
    with recording_as(case_kind(item)), reporting_passes_to(scenario_coverage(coverage)):
        return (yield)


def pytest_deselected(items: list[pytest.Item]) -> None:
    partial_run.count_deselected(items)


def _write_html(session: pytest.Session, path: Path) -> None:
    """The --promrules-html page, from the cases this session judged."""
    state = session.config.stash[STATE]
    found = state.promtool_or_error()
    texts = failure_texts(session.config).by_nodeid
    ran = [
        report.RanCase(test_file, group, case, _status(verdict), texts.get(nodeid, ""))
        for nodeid, test_file, group, case, verdict in _judged(session.items)
    ]
    ran += _ran_cases(session.config.stash.get(WORKER_CASES, []), texts)
    data = report.write(
        path,
        state.coverage,
        ran,
        None if isinstance(found, PromtoolError) else found,
        session.config.rootpath,
        charts=session.config.getoption("promrules_html_charts") or "failures",
        partial=partial_run.partial_reason(session.config),
    )
    session.config.stash[HTML_WRITTEN] = (
        f"promrules: HTML report {path} ({len(data.alerts)} alerts, {len(data.cases)} cases, "
        f"{data.promtool_runs} promtool runs for the charts)"
    )


def case_records(items: list[pytest.Item]) -> list[CaseRecord]:
    """The cases these items ran, as plain data an xdist worker can send."""
    return [
        (
            str(test_file.path),
            group.index,
            next(n for n, c in enumerate(group.cases) if c is case),
            _status(verdict),
            nodeid,
        )
        for nodeid, test_file, group, case, verdict in _judged(items)
    ]


JudgedCase = tuple[str, TestFile, TestGroup, Case, CaseResult]  # node id, where, what, verdict


def _judged(items: list[pytest.Item]) -> Iterator[JudgedCase]:
    """Each case an item stands for, with its node id and verdict (live items: once derived)."""
    for item in items:
        if isinstance(item, PromrulesItem) and (judged := item.judged_case()) is not None:
            yield (item.nodeid, *judged)


def _ran_cases(records: list[CaseRecord], texts: dict[str, str]) -> list[report.RanCase]:
    """Cases xdist workers ran, for the report; each test file is read once.

    Every worker collects every item but runs only its share: a case another
    worker ran is reported with that worker's status, not as "not run".
    """
    statuses: dict[tuple[str, int, int], tuple[str, str]] = {}
    for path, group_index, position, status, nodeid in records:
        key = (path, group_index, position)
        if statuses.get(key, ("not run", ""))[0] == "not run":
            statuses[key] = (status, nodeid)
    files: dict[str, TestFile] = {}
    ran = []
    for (path, group_index, position), (status, nodeid) in statuses.items():
        if path not in files:
            files[path] = load_test_file(Path(path))
        group = files[path].groups[group_index]
        case = group.cases[position]
        ran.append(report.RanCase(files[path], group, case, status, texts.get(nodeid, "")))
    return ran


def _status(verdict: CaseResult) -> str:
    """passed, failed, error, or "not run" (deselected by -x, interrupted)."""
    return "not run" if verdict == CaseResult("error", message="not run") else verdict.status


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for error in config.stash.get(OUTPUT_ERRORS, []):
        terminalreporter.write_line(f"ERROR: promrules: {_relative(error, config)}", red=True)
    live = config.stash[LIVE]
    _section(terminalreporter, "promrules --promrules-update", live.update_lines)
    _section(terminalreporter, "promrules: boundary cases not derived", live.not_derived)
    if written := config.stash.get(HTML_WRITTEN, None):
        terminalreporter.write_line(written)
    _coverage_summary(terminalreporter, config)


def _section(terminalreporter: Any, title: str, lines: list[str]) -> None:
    if lines:
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)


def _coverage_summary(terminalreporter: Any, config: pytest.Config) -> None:
    coverage = config.stash[STATE].coverage
    if not coverage.alerts:
        return
    if partial_run.partial_reason(config) is None:
        terminalreporter.section("promrules alert coverage")
    for line, failed in coverage_gate.summary_lines(config, coverage):
        terminalreporter.write_line(line, red=failed)


def pytest_report_header(config: pytest.Config) -> str:
    found = config.stash[STATE].promtool_or_error()
    if isinstance(found, PromtoolError):
        return f"promrules: promtool unavailable: {found}"
    return f"promrules: promtool {found.version_text} at {found.path} (from {found.source})"


def _looks_like_ours(path: Path) -> bool:
    """For YAML that does not parse: is it plausibly a rule or test file?"""
    try:
        head = path.read_bytes()[:65536]
    except OSError:
        return False
    return b"rule_files" in head or b"groups" in head


def _required_kind(path: Path, config: pytest.Config) -> str | None:
    """'test' or 'rule' when the file sits in a folder configured to hold only those."""
    for kind, option in (("test", "promrules_test_paths"), ("rule", "promrules_rule_paths")):
        for folder in config.getini(option):
            if path.is_relative_to(config.rootpath / folder):
                return kind
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in _YAML_SUFFIXES:
        return None
    required = _required_kind(file_path, parent.config)
    try:
        root = parent.config.stash[STATE].yaml_root(file_path)
    except yn.YamlError:
        broken = required or _looks_like_ours(file_path)
        return BrokenYamlFile.from_parent(parent, path=file_path) if broken else None
    node_class = _node_class(root, file_path)
    if node_class is None and required:
        node_class = BrokenYamlFile
    return node_class.from_parent(parent, path=file_path) if node_class else None


def _node_class(root: Any, file_path: Path) -> Any:
    """The collector for a YAML file that parses: test, generated, rule or routing file."""
    if is_test_file(root):
        if is_generated(file_path):
            from promrules.pytest_plugin.derived_items import GeneratedTestFile

            return GeneratedTestFile
        return PromtoolTestFile
    if is_rule_file(root):
        return RuleFileNode
    if is_routing_cases(root):
        return RoutingCasesFile
    return None


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    """Add a load error for each YAML entry of a rule or test folder pytest skips."""
    report = yield
    if isinstance(collector, pytest.Dir | pytest.Package) and report.outcome == "passed":
        config = collector.config
        roots = [
            config.rootpath / folder for option in _FOLDER_INIS for folder in config.getini(option)
        ]
        report.result.extend(
            BrokenYamlFile.from_parent(collector, path=path)
            for path in unreadable_entries(collector.path, roots)
        )
    return report


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse with one clear line when there is promtool work but no usable promtool."""
    if any(isinstance(item, PromrulesItem) for item in session.items):
        state = session.config.stash[STATE]
        found = state.promtool_or_error()
        if isinstance(found, PromtoolError):
            raise pytest.UsageError(f"promrules: {found}")
        if not session.config.getoption("collectonly"):
            state.select(_selections(session.items))
            if not is_xdist_worker(session.config):  # a worker runs what it is given, on demand
                state.start()
            prepare_session_end(session.config)


def _selections(items: list[pytest.Item]) -> list[tuple[TestFile, tuple[int, ...] | None]]:
    """Per test file, the groups that selected items belong to (None: every group)."""
    chosen: dict[Path, tuple[TestFile, set[int]]] = {}
    for item in items:
        if isinstance(item, CaseItem):
            chosen.setdefault(item.path, (item.test_file, set()))[1].add(item.group.index)
    return [
        (test_file, None if len(groups) == len(test_file.groups) else tuple(sorted(groups)))
        for test_file, groups in chosen.values()
    ]


class PromrulesWarning(UserWarning):
    """Something in a test file that is legal but rarely meant."""


class PromrulesError(Exception):
    """A failure or error of a promrules item, already rendered for the reader."""


class PromrulesItem(pytest.Item):
    """Base of every promrules item: failures render as our text, not a traceback."""

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        if isinstance(excinfo.value, PromrulesError | PromtoolError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    @property
    def state(self) -> SessionState:
        return self.config.stash[STATE]

    def judged_case(self) -> tuple[TestFile, TestGroup, Case, CaseResult] | None:
        """The promtool case this item stands for, for reports; None when there is none."""
        return None


class BrokenYamlFile(pytest.File):
    """A YAML file that looks like a rule or test file but cannot be read."""

    def collect(self) -> Iterator[pytest.Item]:
        yield LoadErrorItem.from_parent(self, name="load")


class LoadErrorItem(PromrulesItem):
    """Stands for a file whose cases cannot be listed; it errors with the reason."""

    def setup(self) -> None:
        try:
            root = self.state.yaml_root(self.path)
        except yn.YamlError as exc:
            problem: str | None = exc.shown_from(self.config.rootpath)
        else:
            problem = None
        if problem:  # raised outside `except`, so no chained YAML traceback is shown
            pytest.fail(problem, pytrace=False)
        shown = _shown(self.path, self.config)
        if is_test_file(root):
            pytest.fail(f"{shown}: `tests:` has no test groups", pytrace=False)
        kind = _required_kind(self.path, self.config)
        what = "a promtool test file" if kind == "test" else "a Prometheus rule file"
        expected = "`rule_files:` and `tests:`" if kind == "test" else "`groups:` with `rules:`"
        pytest.fail(
            f"{shown}: not {what}: {yn.describe(root)}, expected a mapping with {expected} "
            f"(files in {kind} folders must be {kind} files; see the promrules_{kind}_paths ini)",
            pytrace=False,
        )

    def runtest(self) -> None:
        """Never reached: setup always errors."""

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: load"


class PromtoolTestFile(pytest.File):
    """A promtool unit-test file: one child per test group."""

    def collect(self) -> Iterator[pytest.Collector | pytest.Item]:
        state = self.config.stash[STATE]
        test_file = state.load_test_file(self.path)
        if test_file.doubts:
            _say_verbose(self.config, _as_written_note(_shown(self.path, self.config), test_file))
        for matches in test_file.resolve_rule_files().values():
            for match in matches:
                state.add_rule_file(Path(match), _shown(Path(match).resolve(), self.config))
        if not test_file.groups:
            yield LoadErrorItem.from_parent(self, name="load")
            return
        if may_start_early(self.config):
            state.speculate(test_file)
        names = _unique(g.label for g in test_file.groups)
        for group, name in zip(test_file.groups, names, strict=True):
            yield GroupNode.from_parent(self, name=name, test_file=test_file, group=group)


class GroupNode(pytest.Collector):
    """One entry of the file's `tests:` list."""

    def __init__(self, *, test_file: TestFile, group: TestGroup, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test_file = test_file
        self.group = group

    def collect(self) -> Iterator[pytest.Item]:
        names = _unique(c.label for c in self.group.cases)
        for case, name in zip(self.group.cases, names, strict=True):
            yield CaseItem.from_parent(
                self, name=name, test_file=self.test_file, group=self.group, case=case
            )


class CaseItem(PromrulesItem):
    """One alert_rule_test or promql_expr_test case; its file runs once for all cases."""

    def __init__(self, *, test_file: TestFile, group: TestGroup, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.test_file = test_file
        self.group = group
        self.case = case
        self.verdict = CaseResult("error", message="not run")

    def judged_case(self) -> tuple[TestFile, TestGroup, Case, CaseResult] | None:
        return self.test_file, self.group, self.case, self.verdict

    def setup(self) -> None:
        """Run the file (once) here, so that a case promtool could not judge is an ERROR."""
        late = self.state.late_evaluations(self.test_file).get(case_key(self.group, self.case))
        if late:  # shown at the case's line in the user's file, not here
            warnings.warn_explicit(
                PromrulesWarning(late), PromrulesWarning, str(self.path), self.case.line
            )
        result = self.state.test_file_result(self.test_file)
        self.verdict = result.result_for(self.group, self.case)
        if self.verdict.status == "error":
            pytest.fail(self._describe(self.verdict), pytrace=False)

    def runtest(self) -> None:
        if self.verdict.status != "passed":
            raise PromrulesError(self._describe(self.verdict))
        if self.case.kind == "alert":
            self.state.coverage.record(self.case.subject, firing=self.case.expected_alerts > 0)

    def _describe(self, verdict: CaseResult) -> str:
        where = f"{_shown(self.path, self.config)}:{self.case.line}"
        if self.case.kind == "group":
            what = f"test group {self.group.label}"
        elif self.case.kind == "alert":
            what = f"alert {self.case.subject} at {self.case.eval_time}"
        else:
            what = f"expression `{self.case.subject}` at {self.case.eval_time}"
        body = [render_failure(f) for f in verdict.failures] or [verdict.message]
        if verdict.status == "failed" and self.case.kind == "alert":
            body.append(self.state.failure_timeline(self.test_file, self.group, self.case))
        kind = "failed" if verdict.status == "failed" else "error"
        return _relative("\n".join([f"{where}: {what} ({kind})", *body]), self.config)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, self.case.line - 1, f"{self.group.label}::{self.name}"


class RuleFileNode(pytest.File):
    """A Prometheus rule file: checked by `promtool check rules` with lint."""

    def collect(self) -> Iterator[pytest.Collector | pytest.Item]:
        state = self.config.stash[STATE]
        state.add_rule_file(self.path, _shown(self.path, self.config))
        yield RuleCheckItem.from_parent(self, name="check")
        if state.lint_policy is not None:
            for code in lint.enabled_checks(state.lint_policy):
                yield LintItem.from_parent(self, name=f"lint/{code}", code=code)
        yield from live_nodes(self)


class RuleCheckItem(PromrulesItem):
    def runtest(self) -> None:
        run = self.state.rule_check(self.path)
        if run.returncode != 0:
            raise PromrulesError(
                _relative(
                    f"{self.path}: `promtool check rules` "
                    f"{'crashed' if run.returncode < 0 else 'found problems'} "
                    f"({run.exit_text}):\n{run.shown_output.rstrip()}",
                    self.config,
                )
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: promtool check rules"


class LintItem(PromrulesItem):
    """One lint check of the policy in pyproject.toml, over one rule file."""

    def __init__(self, *, code: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.code = code

    def runtest(self) -> None:
        shown = _shown(self.path, self.config)
        changed = self.config.stash.get(LINT_CHANGED, None)
        findings = self.state.lint_findings(shown).get(self.code, [])
        findings = [f for f in findings if changed is None or changed.touches(f)]
        if findings:
            count = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            raise PromrulesError(
                "\n".join([f"lint/{self.code}: {count}"] + [f.render() for f in findings])
            )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: lint/{self.code}"


def _shown(path: Path, config: pytest.Config) -> str:
    """A path as the reader knows it: relative to the rootdir when inside it."""
    try:
        return str(path.relative_to(config.rootpath))
    except ValueError:
        return str(path)


def _relative(text: str, config: pytest.Config) -> str:
    """promtool names files by absolute path; show them from the rootdir instead."""
    return text.replace(f"{config.rootpath}{os.sep}", "")


def _as_written_note(shown: str, test_file: TestFile) -> str:
    return f"promrules: {shown} runs as written, untrimmed: " + "; ".join(test_file.doubts)


def _say_verbose(config: pytest.Config, line: str) -> None:
    """A line on the terminal under -v (why promrules runs something differently)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if config.get_verbosity() > 0 and reporter is not None:
        reporter.write_line(line)


def _unique(labels: Iterator[str] | Any) -> Iterator[str]:
    """Node names must be unique among siblings: repeat names get #2, #3, ..."""
    seen: dict[str, int] = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        yield label if seen[label] == 1 else f"{label}#{seen[label]}"
