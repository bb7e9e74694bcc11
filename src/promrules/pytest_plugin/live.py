"""Live mode: a rule file with no generated tests gets derived cases, when they run.

So a repository with rules and no tests gets meaningful tests at once. The
items are named at collection from the rules alone (`snapshot.naming`), so
collection and `--co` take seconds at 1,000 alerts; a rule file is derived
when its first derived item runs (in the xdist worker that runs it), shown
as `rules/x.yml::Alert::fires-after-for`, written as a promtool test file
into a private temp folder, and kept in pytest's cache by the file's content
(`live_cache`): a second run with the same rules derives nothing. A rule
file with a generated file (snapshot mode) is not derived live: the
snapshot is the suite of record. ini `promrules_derive = off` turns live
mode off.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from promrules.derive import Progress, budget_from_env, derive_rule_files
from promrules.files import yamlnodes as yn
from promrules.files.alerts import AlertDefinition, load_alerts
from promrules.files.model import TestFile, TestGroup, load_test_file
from promrules.promtool.binary import Promtool
from promrules.pytest_plugin.live_cache import CacheStore, LiveCache
from promrules.snapshot import is_generated, snapshot_path
from promrules.snapshot.document import GapEntry, derived_entries, group_name, render

__all__ = ["LIVE", "Derived", "LiveDerivation"]


@dataclass(frozen=True)
class Derived:
    """A rule file's derived cases: its test file, and what each planned item became."""

    test_file: TestFile
    rules: list[AlertDefinition]
    gaps: list[GapEntry]

    def group(self, alert: str, item: str) -> TestGroup | None:
        wanted = group_name(alert, item)
        return next((g for g in self.test_file.groups if g.name == wanted), None)

    def unplanned(self, alert: str, planned: list[str]) -> list[str]:
        """The alert's derived cases whose names are not among `planned`."""
        prefix = group_name(alert, "")
        names = [(g.name or "")[len(prefix) :] for g in self.test_file.groups]
        return [
            name
            for g, name in zip(self.test_file.groups, names, strict=True)
            if (g.name or "").startswith(prefix) and name not in planned
        ]

    def gap(self, alert: str, item: str) -> GapEntry | None:
        """The item's own gap, else the alert's (`derive`: nothing of it was derived)."""
        found = [g for g in self.gaps if g.alert == alert and g.item == item]
        found = found or [g for g in self.gaps if g.alert == alert and g.item == "derive"]
        return found[0] if found else None


@dataclass
class LiveDerivation:
    enabled: bool
    rule_roots: tuple[Path, ...]
    rootdir: Path
    generated_dir: Path
    workers: int
    store: CacheStore | None = None  # pytest's cache; None under `-p no:cacheprovider`
    done: dict[Path, Derived | str] = field(default_factory=dict)
    derived_files: list[Path] = field(default_factory=list)  # derived now, not from the cache
    planned_alerts: int = 0  # alerts of the live rule files collected (progress total)
    alerts_derived: int = 0  # of those, alerts whose file is derived or read from the cache
    not_derived: list[str] = field(default_factory=list)  # shown in the terminal summary
    update_lines: list[str] = field(default_factory=list)
    _tmp: Path | None = None
    _others: list[Path] = field(default_factory=list)  # xdist workers' folders
    _handed_over: bool = False  # an xdist worker's folder is the controller's to remove

    def snapshot_for(self, rule_file: Path) -> Path | None:
        path = snapshot_path(rule_file, self.rule_roots, self.rootdir, self.generated_dir)
        return path if path.is_file() and is_generated(path) else None

    def applies(self, rule_file: Path) -> bool:
        """Live mode covers the configured rule folders (ini `promrules_rule_paths`) without
        a generated file, not every rule-shaped YAML file pytest happens to be pointed at."""
        configured = any(rule_file.is_relative_to(root) for root in self.rule_roots)
        return self.enabled and configured and self.snapshot_for(rule_file) is None

    def derived(
        self, rule_file: Path, promtool: Promtool, progress: Progress | None = None
    ) -> Derived | str:
        """The file's derived cases (from the cache, or derived now); or a problem text."""
        if rule_file not in self.done:
            found = self._derive(rule_file, promtool, progress)
            self.done[rule_file] = found
            self.alerts_derived += len(found.rules) if isinstance(found, Derived) else 0
        return self.done[rule_file]

    def _derive(
        self, rule_file: Path, promtool: Promtool, progress: Progress | None
    ) -> Derived | str:
        try:
            rules = load_alerts(rule_file)
        except (yn.YamlError, OSError) as exc:  # changed since collection
            return f"cannot read the rules again: {exc}"
        cache = LiveCache(self.store, promtool.version_text, budget_from_env())
        derivations = cache.get(rule_file)
        if derivations is None:
            try:
                found = derive_rule_files(
                    [rule_file], promtool, workers=self.workers, progress=progress
                )
            except Exception as exc:  # a derivation bug must not hide the other tests
                what = f"{type(exc).__name__}: {exc}"
                return f"promrules bug while deriving: {what}; please report it"
            derivations = found[rule_file]
            self.derived_files.append(rule_file)
            cache.put(rule_file, derivations)
        out = self._temp() / f"{len(self.done)}_{rule_file.stem}_test.yml"
        out.write_text(render(rules, derivations, rule_file, out), encoding="utf-8")
        gaps = [g for d in derivations for g in derived_entries(d)[1]]
        return Derived(load_test_file(out, yn.compose_file(out)), rules, gaps)

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


def progress_line(config: pytest.Config, restore: str) -> Progress | None:
    """A derivation progress line through pytest's terminal, when that is a terminal.

    It takes the place of pytest's current line while a rule file is derived,
    and gives `restore` (what pytest had written there) back when done.
    """
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or not getattr(reporter, "isatty", False):
        return None

    capture = config.pluginmanager.get_plugin("capturemanager")

    def rewrite(text: str) -> None:
        suspended = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
        with suspended:
            reporter.rewrite(text or restore, erase=True)
            reporter.flush()  # a line without a newline stays in the buffer otherwise

    return Progress(rewrite=rewrite)


def live_nodes(parent: pytest.File) -> Iterator[Any]:
    """The planned alert nodes of a rule file collected in live mode (nothing derived yet)."""
    from promrules.pytest_plugin.live_items import planned_nodes

    if parent.config.stash[LIVE].applies(parent.path):
        yield from planned_nodes(parent)
