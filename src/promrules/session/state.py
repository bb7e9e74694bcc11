"""Per-session state: the promtool in use and the results of files already run.

Kept in `config.stash` by the plugin; holding it in one object makes the
"promtool is located once, each file is run once" rules easy to see.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules.authoring.timeline import failure_timeline
from promrules.coverage import CoverageReport
from promrules.engine.batching import Selection, Unit, estimate_costs, plan, run_bin
from promrules.engine.checks import case_warnings
from promrules.engine.execution import case_results, file_error_as_written, judge_groups
from promrules.engine.results import CaseKey, FileResult, case_key
from promrules.engine.slow_notice import SlowNotice
from promrules.files import yamlnodes as yn
from promrules.files.model import Case, TestFile, TestGroup, load_rule_file, load_test_file
from promrules.lint import Finding, LintContext, Policy, run_checks
from promrules.lint.base import AlertRule, read_alert_rules
from promrules.promtool.binary import Promtool, PromtoolError, PromtoolRun, locate
from promrules.promtool.output import FileReport

__all__ = ["PREFETCHED_TIMELINES", "SessionState"]

PREFETCHED_TIMELINES = 16


@dataclass
class _Shards:
    """What has come back so far for a file cut into group shards."""

    reports: dict[int, FileReport] = field(default_factory=dict)
    runs: tuple[PromtoolRun, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass
class SessionState:
    promtool_option: str | None
    promtool_ini: str | None
    rootdir: Path
    timeout: float
    workers: int = 1
    trim_rules: bool = False
    lint_policy: Policy | None = None
    rule_paths: tuple[Path, ...] = ()
    prefetch_timelines: bool = True  # off when nobody renders failures (the upgrade check)
    _promtool: Promtool | PromtoolError | None = None
    _results: dict[Path, Future[FileResult]] = field(default_factory=dict)
    _pool: ThreadPoolExecutor | None = None
    _shards: dict[Path, _Shards] = field(default_factory=dict)
    _selected: dict[Path, Selection] = field(default_factory=dict)
    _planned: dict[Path, int] = field(default_factory=dict)  # groups each started file runs
    _speculated: bool = False
    _busy: float = 0.0  # estimated cost of the early run, for balancing the rest
    _timelines: dict[tuple[Path, CaseKey], Future[str]] = field(default_factory=dict)
    coverage: CoverageReport = field(default_factory=CoverageReport)
    _rule_files: dict[Path, str] = field(default_factory=dict)  # resolved path -> as shown
    _lint: LintContext | None = None
    _late: dict[Path, dict[CaseKey, str]] = field(default_factory=dict)
    _checks: dict[Path, PromtoolRun] = field(default_factory=dict)
    _roots: dict[Path, yn.Reading | yn.YamlError] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    slow_notice: SlowNotice | None = None  # names files promtool is slow on

    def promtool_or_error(self) -> Promtool | PromtoolError:
        """Locate promtool and read its version, once per session."""
        if self._promtool is None:
            try:
                self._promtool = locate(
                    self.promtool_option, self.promtool_ini, self.rootdir, timeout=self.timeout
                )
            except PromtoolError as exc:
                self._promtool = exc
        return self._promtool

    def promtool(self) -> Promtool:
        found = self.promtool_or_error()
        if isinstance(found, PromtoolError):
            raise found
        return found

    def yaml_reading(self, path: Path) -> yn.Reading:
        """A file's YAML as promtool reads it, read once (raises yamlnodes.YamlError)."""
        if path not in self._roots:
            try:
                self._roots[path] = yn.read_file(path)
            except yn.YamlError as exc:
                self._roots[path] = exc
        reading = self._roots[path]
        if isinstance(reading, yn.YamlError):
            raise reading
        return reading

    def yaml_root(self, path: Path) -> yaml.Node | None:
        """A file's YAML as promtool reads it, read once (raises yamlnodes.YamlError)."""
        return self.yaml_reading(path).root

    def load_test_file(self, path: Path) -> TestFile:
        """A test file from the session's one reading of it (raises yamlnodes.YamlError)."""
        reading = self.yaml_reading(path)
        return load_test_file(path, reading.root, reading.doubts)

    def select(self, selections: Iterable[Selection]) -> None:
        """Remember which groups of each file the session's items need (None: all)."""
        for test_file, groups in selections:
            self._selected[test_file.path] = (test_file, groups)

    def speculate(self, test_file: TestFile) -> None:
        """Start the first test file collected right away, whole, while collection goes on.

        Only called when nothing can deselect items (no -k, -m, --lf, ...):
        collection of the other files and pytest's set-up then overlap with
        promtool. Later files wait for the selection at the end of collection.
        """
        if self._speculated or isinstance(self.promtool_or_error(), PromtoolError):
            return  # a missing promtool is reported once, at the end of collection
        self._speculated = True
        self.select([(test_file, None)])
        self.start([test_file.path])
        self._busy = sum(estimate_costs(test_file, self.trim_rules))

    def start(self, paths: Iterable[Path] | None = None) -> None:
        """Start the promtool work of selected files in the background, batched and in parallel.

        Each planned bin runs in a worker thread (one shared promtool process,
        plus one per `--run` selection); a file's result becomes available as
        soon as every bin holding a part of it is done. Default: every
        selected file not started yet.
        """
        wanted = self._selected.keys() if paths is None else paths
        selections = [self._selected.get(path) for path in wanted if path not in self._results]
        chosen = [s for s in selections if s is not None]
        if not chosen:
            return
        promtool = self.promtool()
        bins = plan(
            chosen,
            self.workers,
            has_run=promtool.major >= 3,
            busy=self._busy,
            trim=self.trim_rules,
        )
        self._busy = 0.0
        for test_file, groups in chosen:
            self._results[test_file.path] = Future()
            self._planned[test_file.path] = len(test_file.groups if groups is None else groups)
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="promrules")
        for units in bins:
            self._pool.submit(self._run_bin, promtool, units)

    def _run_bin(self, promtool: Promtool, units: list[Unit]) -> None:
        files = [self._shown(unit.test_file.path) for unit in units]
        watch = self.slow_notice.watch(files) if self.slow_notice else contextlib.nullcontext()
        try:
            with watch:
                run_bin(promtool, units, self._file_done, self._groups_done, self.trim_rules)
        except Exception as exc:  # never leave a case waiting on a result that won't come
            for unit in units:
                message = f"promrules could not run {unit.test_file.path}: {exc!r}"
                self._file_done(FileResult(unit.test_file, file_error=message))

    def _shown(self, path: Path) -> str:
        return (
            str(path.relative_to(self.rootdir)) if path.is_relative_to(self.rootdir) else str(path)
        )

    def _file_done(self, result: FileResult) -> None:
        future = self._results[result.test_file.path]
        with self._lock:
            if future.done():
                return
            future.set_result(result)
            self._prefetch_timelines(result)

    def _prefetch_timelines(self, result: FileResult) -> None:
        """Start the timelines of a file's failed alert cases now, side by side.

        Each is a promtool run of its own; queued behind the planned bins, they
        overlap with reporting and with each other instead of running one by
        one as pytest reaches each failure. At most PREFETCHED_TIMELINES are
        started ahead (a run stopped by -x needs one); the rest are built when
        their case is reported.
        """
        if self._pool is None or not self.prefetch_timelines:
            return
        promtool = self.promtool()
        path = result.test_file.path
        for group, case, verdict in case_results(result):
            if len(self._timelines) >= PREFETCHED_TIMELINES:
                return
            if verdict.status == "failed" and case.kind == "alert":
                self._timelines[(path, case_key(group, case))] = self._pool.submit(
                    failure_timeline, promtool, path, group, case, self.trim_rules
                )

    def failure_timeline(self, test_file: TestFile, group: TestGroup, case: Case) -> str:
        """The timeline under a failed alert case: prefetched, or built now."""
        with self._lock:
            future = self._timelines.get((test_file.path, case_key(group, case)))
        if future is not None:
            try:
                return future.result()
            except CancelledError:
                pass
        return failure_timeline(self.promtool(), test_file.path, group, case, self.trim_rules)

    def _groups_done(
        self,
        test_file: TestFile,
        reports: dict[int, FileReport],
        run: PromtoolRun | None,
        problem: str | None,
    ) -> None:
        """Collect a sharded file's group reports; judge it when the last one is in."""
        with self._lock:
            shard = self._shards.setdefault(test_file.path, _Shards())
            shard.reports.update(reports)
            shard.runs += (run,) if run is not None else ()
            shard.problems += (problem,) if problem else ()
            expected = self._planned.get(test_file.path, len(test_file.groups))
            complete = bool(shard.problems) or len(shard.reports) >= expected
        if not complete:
            return
        if shard.problems:
            self._file_done(FileResult(test_file, file_error=shard.problems[0], runs=shard.runs))
        else:
            result = judge_groups(test_file, shard.reports, shard.runs)
            self._file_done(file_error_as_written(self.promtool(), result))

    def _submit(self, test_file: TestFile) -> Future[FileResult]:
        """The file's (possibly still running) result; starts its selection when not started."""
        with self._lock:
            if test_file.path not in self._results:
                self._selected.setdefault(test_file.path, (test_file, None))
                self.start([test_file.path])
            return self._results[test_file.path]

    def test_file_result(self, test_file: TestFile) -> FileResult:
        """A test file's verdicts: from the background run, or run now on first request."""
        return self._submit(test_file).result()

    def stop(self) -> None:
        """Drop queued runs and kill running ones: the session is over (or interrupted)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if isinstance(self._promtool, Promtool):
            self._promtool.stop()

    def add_rule_file(self, path: Path, shown_as: str) -> None:
        """Count a rule file's alerts for coverage (a broken file is reported elsewhere).

        Many test files often load the same rule file: it is read once.
        """
        if path.resolve() in self._rule_files:
            return
        self._rule_files[path.resolve()] = shown_as
        with contextlib.suppress(yn.YamlError):
            self.coverage.add_rule_file(load_rule_file(path), shown_as)

    def lint_findings(self, shown_as: str) -> dict[str, list[Finding]]:
        """Lint findings for one rule file, by check; rules of all rule files are read once."""
        with self._lock:
            if self._lint is None:
                self._lint = self._lint_context()
        return run_checks(self._lint, shown_as)

    def _lint_context(self) -> LintContext:
        assert self.lint_policy is not None
        in_folders = {p.resolve() for folder in self.rule_paths for p in folder.rglob("*.y*ml")}
        rules: list[AlertRule] = []
        for path in sorted(in_folders | set(self._rule_files)):
            shown = self._rule_files.get(path) or (
                str(path.relative_to(self.rootdir))
                if path.is_relative_to(self.rootdir)
                else str(path)
            )
            with contextlib.suppress(yn.YamlError):
                rules += read_alert_rules(path, shown)
        return LintContext(self.rootdir, self.lint_policy, tuple(rules))

    def late_evaluations(self, test_file: TestFile) -> dict[CaseKey, str]:
        """Warnings for cases evaluated after their series ended, worked out once per file."""
        with self._lock:
            if test_file.path not in self._late:
                self._late[test_file.path] = case_warnings(test_file)
            return self._late[test_file.path]

    def rule_check(self, path: Path) -> PromtoolRun:
        if path not in self._checks:
            self._checks[path] = self.promtool().check_rules(path)
        return self._checks[path]
