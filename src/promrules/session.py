"""Per-session state: the promtool in use and the results of files already run.

Kept in `config.stash` by the plugin; holding it in one object makes the
"promtool is located once, each file is run once" rules easy to see.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules import yamlnodes as yn
from promrules.execution import FileResult, run_test_file
from promrules.model import TestFile
from promrules.promtool import Promtool, PromtoolError, PromtoolRun, locate, stop_all

__all__ = ["SessionState"]


@dataclass
class SessionState:
    promtool_option: str | None
    promtool_ini: str | None
    rootdir: Path
    timeout: float
    workers: int = 1
    _promtool: Promtool | PromtoolError | None = None
    _results: dict[Path, Future[FileResult]] = field(default_factory=dict)
    _pool: ThreadPoolExecutor | None = None
    _checks: dict[Path, PromtoolRun] = field(default_factory=dict)
    _roots: dict[Path, yaml.Node | yn.YamlError | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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

    def yaml_root(self, path: Path) -> yaml.Node | None:
        """A file's composed YAML, read once (raises yamlnodes.YamlError)."""
        if path not in self._roots:
            try:
                self._roots[path] = yn.compose_file(path)
            except yn.YamlError as exc:
                self._roots[path] = exc
        root = self._roots[path]
        if isinstance(root, yn.YamlError):
            raise root
        return root

    def start(self, test_files: Iterable[TestFile]) -> None:
        """Start running test files in the background, in the order they will be needed.

        promtool runs are independent processes, so up to `workers` of them run
        side by side while pytest reports the cases of the first files.
        """
        if self.workers <= 1:
            return
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="promrules")
        for test_file in test_files:
            self._submit(test_file)

    def _submit(self, test_file: TestFile) -> Future[FileResult]:
        """The file's (possibly still running) result; runs it here when there is no pool."""
        with self._lock:
            future = self._results.get(test_file.path)
            if future is None:
                if self._pool is not None:
                    future = self._pool.submit(run_test_file, self.promtool(), test_file)
                else:
                    future = Future()
                    future.set_result(run_test_file(self.promtool(), test_file))
                self._results[test_file.path] = future
            return future

    def test_file_result(self, test_file: TestFile) -> FileResult:
        """Run a test file on first request; later cases of the file reuse the result."""
        return self._submit(test_file).result()

    def stop(self) -> None:
        """Drop queued runs and kill running ones: the session is over (or interrupted)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            stop_all()

    def rule_check(self, path: Path) -> PromtoolRun:
        if path not in self._checks:
            self._checks[path] = self.promtool().check_rules(path)
        return self._checks[path]
