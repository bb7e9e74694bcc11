"""Live mode: a rule file with no generated tests gets derived cases at collection.

So a repository with rules and no tests gets meaningful tests at once. The
rule files of a session are derived together (derivation shares promtool
rounds across files), written as promtool test files into a private temp
folder, and shown as `rules/x.yml::Alert::fires-after-for` items. A rule file
with a generated file (snapshot mode) is not derived live: the snapshot is
the suite of record. ini `promrules_derive = off` turns live mode off.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from promrules import yamlnodes as yn
from promrules.alerts import AlertDefinition, load_alerts
from promrules.derive import Progress, derive_rule_files
from promrules.model import TestFile, load_test_file
from promrules.promtool import Promtool, PromtoolError
from promrules.snapshot import is_generated, snapshot_path
from promrules.snapshot.document import GapEntry, derived_entries, render

__all__ = ["LIVE", "Derived", "LiveDerivation"]


@dataclass(frozen=True)
class Derived:
    test_file: TestFile
    rules: list[AlertDefinition]
    gaps: list[GapEntry]


@dataclass
class LiveDerivation:
    enabled: bool
    rule_roots: tuple[Path, ...]
    rootdir: Path
    generated_dir: Path
    workers: int
    pending: list[Path] = field(default_factory=list)
    done: dict[Path, Derived | str | None] = field(default_factory=dict)
    not_derived: list[str] = field(default_factory=list)  # shown in the terminal summary
    update_lines: list[str] = field(default_factory=list)
    _tmp: Path | None = None
    _others: list[Path] = field(default_factory=list)  # xdist workers' folders
    _handed_over: bool = False  # an xdist worker's folder is the controller's to remove

    def snapshot_for(self, rule_file: Path) -> Path | None:
        path = snapshot_path(rule_file, self.rule_roots, self.rootdir, self.generated_dir)
        return path if path.is_file() and is_generated(path) else None

    def register(self, rule_file: Path) -> None:
        """A rule file collected this session: derive it with the others, if live applies.

        Live mode covers the configured rule folders (ini `promrules_rule_paths`),
        not every rule-shaped YAML file pytest happens to be pointed at.
        """
        configured = any(rule_file.is_relative_to(root) for root in self.rule_roots)
        if not (self.enabled and configured) or rule_file in self.done:
            return
        if self.snapshot_for(rule_file) is None:
            self.pending.append(rule_file)

    def derived(
        self,
        rule_file: Path,
        promtool: Promtool | PromtoolError,
        progress: Progress | None = None,
    ) -> Derived | str | None:
        """The file's derived cases; a problem text; or None (not live, or no promtool)."""
        if rule_file not in self.pending and rule_file not in self.done:
            return None
        if rule_file not in self.done:
            self._derive_pending(promtool, progress)
        return self.done.get(rule_file)

    def _derive_pending(
        self, promtool: Promtool | PromtoolError, progress: Progress | None = None
    ) -> None:
        batch, self.pending = self.pending, []
        if isinstance(promtool, PromtoolError):  # the session stops with this error
            self.done.update(dict.fromkeys(batch))
            return
        rules: dict[Path, list[AlertDefinition]] = {}
        for path in batch:
            try:
                rules[path] = load_alerts(path)
            except yn.YamlError:
                self.done[path] = None  # its `check` item reports the YAML error
        with_alerts = [p for p, found in rules.items() if found]
        self.done.update({p: None for p, found in rules.items() if not found})
        try:
            results = derive_rule_files(
                with_alerts, promtool, workers=self.workers, progress=progress
            )
        except Exception as exc:  # a derivation bug must not hide the other tests
            problem = f"promrules bug while deriving: {type(exc).__name__}: {exc}; please report it"
            self.done.update(dict.fromkeys(with_alerts, problem))
            return
        for n, path in enumerate(with_alerts):
            out = self._temp() / f"{n}_{path.stem}_test.yml"
            derivations = results[path]
            out.write_text(render(rules[path], derivations, path, out), encoding="utf-8")
            gaps = [g for d in derivations for g in derived_entries(d)[1]]
            self.done[path] = Derived(load_test_file(out, yn.compose_file(out)), rules[path], gaps)

    def _temp(self) -> Path:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix="promrules-live-"))
        return self._tmp

    def hand_over(self) -> str | None:
        """This session's folder of derived test files, if it made one, for the xdist
        controller to remove after it has read the cases for the HTML report."""
        self._handed_over = self._tmp is not None
        return None if self._tmp is None else str(self._tmp)

    def also_remove(self, folder: str) -> None:
        """A worker's folder of derived files: removed with this one, at the end."""
        if Path(folder).name.startswith("promrules-live-"):
            self._others.append(Path(folder))

    def cleanup(self) -> None:
        own = [self._tmp] if self._tmp and not self._handed_over else []
        for folder in [*self._others, *own]:
            shutil.rmtree(folder, ignore_errors=True)
        self._tmp, self._others = None, []


LIVE = pytest.StashKey[LiveDerivation]()


def _progress(config: pytest.Config) -> Progress | None:
    """A progress line through pytest's terminal, when that is a terminal."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not getattr(reporter, "isatty", False):
        return None

    capture = config.pluginmanager.get_plugin("capturemanager")

    def rewrite(text: str) -> None:
        # Collection output is captured; the progress line is for the person waiting.
        suspended = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with suspended:
            reporter.rewrite(text, erase=True)
            reporter.flush()  # a line without a newline stays in the buffer otherwise

    return Progress(rewrite=rewrite)


def live_nodes(
    parent: pytest.File, promtool: Promtool | PromtoolError
) -> Iterator[pytest.Collector | pytest.Item]:
    """The derived alert nodes of a rule file collected in live mode."""
    from promrules.derived_items import ProblemItem, alert_nodes

    found = parent.config.stash[LIVE].derived(parent.path, promtool, _progress(parent.config))
    if isinstance(found, str):
        yield ProblemItem.from_parent(parent, name="derive", problem=f"{parent.path}: {found}")
    elif found is not None:
        yield from alert_nodes(parent, found.test_file, found.rules, found.gaps)
