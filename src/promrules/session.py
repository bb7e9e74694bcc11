"""Per-session state: the promtool in use and the results of files already run.

Kept in `config.stash` by the plugin; holding it in one object makes the
"promtool is located once, each file is run once" rules easy to see.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from promrules import yamlnodes as yn
from promrules.execution import FileResult, run_test_file
from promrules.model import TestFile
from promrules.promtool import Promtool, PromtoolError, PromtoolRun, locate

__all__ = ["SessionState"]


@dataclass
class SessionState:
    promtool_option: str | None
    promtool_ini: str | None
    rootdir: Path
    timeout: float
    _promtool: Promtool | PromtoolError | None = None
    _results: dict[Path, FileResult] = field(default_factory=dict)
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

    def test_file_result(self, test_file: TestFile) -> FileResult:
        """Run a test file on first request; later cases of the file reuse the result."""
        with self._lock:
            if test_file.path not in self._results:
                self._results[test_file.path] = run_test_file(self.promtool(), test_file)
            return self._results[test_file.path]

    def rule_check(self, path: Path) -> PromtoolRun:
        if path not in self._checks:
            self._checks[path] = self.promtool().check_rules(path)
        return self._checks[path]
