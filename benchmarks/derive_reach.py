"""How far derivation reaches on real rules: derived, and passing on real promtool.

Derives boundary tests for every alert of every rule set (a top folder) of
../shared/corpus, runs every derived case with bare promtool (many cases per
process), and reports, per rule set and promtool version:

- alerts whose every applicable case was derived AND passes ("reached"), on
  each promtool and on all of them at once,
- the time derivation and each verification took,
- the reasons for the rest, grouped and counted per set and overall (the ten
  most common overall); the sets other than awesome-prometheus-alerts are
  also pooled into one row.

    .venv/bin/python benchmarks/derive_reach.py [--promtool PATH] [--verify-with PATH ...]
        [--workers N] [--json OUT] [--filter TEXT] [--set NAME ...] [--write-dir DIR]

Derivation calibrates with --promtool (default: as the plugin locates it);
the derived cases are then run with that promtool and with every
--verify-with promtool, so one derivation is checked on 2.x and 3.x. Every
alert is derived in isolation: one that cannot be derived counts under its
reason, never stops the run.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from promrules.derive import AlertDerivation, Progress, derive_rule_files, write_test_file
from promrules.derive.verify import verify
from promrules.files.alerts import load_alerts
from promrules.files.yamlnodes import YamlError
from promrules.promtool.binary import locate
from promrules.snapshot.generate import find_rule_files

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
AWESOME = "samber__awesome-prometheus-alerts"


def _reason_key(text: str) -> str:
    """A reason with its numbers, names and quoted PromQL blanked, so alike reasons group."""
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = re.sub(r"\([^()]*\.ya?ml:\d+\)", "(FILE:LINE)", text)
    text = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?[a-z]*", "N", text)
    return text[:160]


@dataclass
class RuleSet:
    name: str
    files: list[Path]
    derived: dict[Path, list[AlertDerivation]] = field(default_factory=dict)
    derive_s: float = 0.0
    failures: dict[str, dict[tuple[Path, str], str]] = field(default_factory=dict)
    verify_s: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # rule files that cannot be read

    @property
    def alerts(self) -> list[tuple[Path, AlertDerivation]]:
        return [(f, d) for f, ds in self.derived.items() for d in ds]

    def passes(self, rule_file: Path, d: AlertDerivation, versions: list[str]) -> bool:
        """Every applicable case derived, and every case passing on each of `versions`."""
        return d.complete and not any(
            (rule_file, c.name) in self.failures[v] for v in versions for c in d.cases
        )

    def reached(self, *versions: str) -> int:
        chosen = list(versions) or list(self.failures)
        return sum(1 for f, d in self.alerts if self.passes(f, d, chosen))


def _rule_sets(corpus: Path, names: list[str], text: str) -> list[RuleSet]:
    sets = []
    folders = sorted(p for p in corpus.iterdir() if p.is_dir())
    if names:  # in the order asked for, so the sets wanted first are measured first
        folders = sorted((p for p in folders if p.name in names), key=lambda p: names.index(p.name))
    for folder in folders:
        files, problems = [], []
        for path in find_rule_files([folder]):
            if text not in str(path):
                continue
            try:
                if load_alerts(path):
                    files.append(path)
            except YamlError as exc:  # promtool's own bad fixtures: named, not derived
                problems.append(f"{path.relative_to(corpus)}: {exc}")
        if files or problems:
            sets.append(RuleSet(folder.name, files, problems=problems))
    return sets


def alert_reasons(rule_set: RuleSet, rule_file: Path, d: AlertDerivation) -> list[str]:
    """Why one alert was not reached, each reason once (grouped by _reason_key)."""
    found: dict[str, None] = {}
    if not d.cases and not d.failures:
        found["nothing derived"] = None
    for gap in d.failures:
        found[f"not derived: {_reason_key(gap.reason)}"] = None
    for version, failing in rule_set.failures.items():
        for case in d.cases:
            text = failing.get((rule_file, case.name))
            if text is not None:
                first = _reason_key(text.strip().splitlines()[0]) if text.strip() else "?"
                found[f"fails on promtool {version}: {first[:100]}"] = None
    return list(found)


def _reasons(rule_set: RuleSet) -> collections.Counter[str]:
    """Alerts per reason (an alert with several reasons counts under each)."""
    counter: collections.Counter[str] = collections.Counter()
    for rule_file, d in rule_set.alerts:
        counter.update(alert_reasons(rule_set, rule_file, d))
    return counter


def _write(rule_set: RuleSet, corpus: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for rule_file, ds in rule_set.derived.items():
        name = "_".join(rule_file.relative_to(corpus).with_suffix("").parts) + "_test.yml"
        write_test_file(ds, rule_file, out / name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--promtool", help="promtool that calibrates (default: as the plugin finds it)"
    )
    parser.add_argument(
        "--verify-with", action="append", default=[], help="another promtool to run the cases with"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of rule sets")
    parser.add_argument("--set", action="append", default=[], help="only this rule set (folder)")
    parser.add_argument("--filter", default="", help="only rule files whose path contains this")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--write-dir", type=Path, help="also write the generated test files here")
    args = parser.parse_args(argv)

    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}", file=sys.stderr)
        return 2
    tool = locate(option=args.promtool)
    verifiers = [tool] + [locate(option=p) for p in args.verify_with]
    sets = _rule_sets(args.corpus, args.set, args.filter)
    print(f"derive with promtool {tool.version_text} ({tool.path}); {len(sets)} rule sets")
    for rule_set in sets:
        for problem in rule_set.problems:
            print(f"{rule_set.name}: not a readable rule file: {problem}")
        started = time.monotonic()
        rule_set.derived = derive_rule_files(
            rule_set.files, tool, workers=args.workers, progress=Progress()
        )
        rule_set.derive_s = time.monotonic() - started
        print(f"{rule_set.name}: derived {len(rule_set.alerts)} alerts in {rule_set.derive_s:.1f}s")
        if args.write_dir:
            _write(rule_set, args.corpus, args.write_dir)
        for verifier in verifiers:
            started = time.monotonic()
            found = verify(verifier, list(rule_set.derived.items()), args.workers)
            rule_set.failures[verifier.version_text] = found
            rule_set.verify_s[verifier.version_text] = time.monotonic() - started
            reached = rule_set.reached(verifier.version_text)
            print(
                f"  ran the cases with promtool {verifier.version_text}: {len(found)} failing, "
                f"{rule_set.verify_s[verifier.version_text]:.1f}s; reached {reached} of "
                f"{len(rule_set.alerts)} alerts",
                flush=True,
            )
        done = [s for s in sets if s.failures]
        if args.json:  # after every set, so a long run that is stopped keeps its figures
            _write_json(args.json, tool.version_text, done, [v.version_text for v in verifiers])
        for reason, count in _reasons(rule_set).most_common(8):
            print(f"    {count:4}  {reason}", flush=True)

    versions = [v.version_text for v in verifiers]
    table = _report(sets, versions)
    reasons: collections.Counter[str] = collections.Counter()
    for rule_set in sets:
        reasons += _reasons(rule_set)
    print("\nthe ten most common reasons overall (alerts; one alert may count under several):")
    for reason, count in reasons.most_common(10):
        print(f"  {count:4}  {reason}")
    if args.json:
        _write_json(args.json, tool.version_text, sets, versions, table)
    return 0


def _write_json(
    out: Path,
    calibrating: str,
    sets: list[RuleSet],
    versions: list[str],
    table: list[dict[str, Any]] | None = None,
) -> None:
    reasons: collections.Counter[str] = collections.Counter()
    for rule_set in sets:
        reasons += _reasons(rule_set)
    document = {
        "calibrating_promtool": calibrating,
        "rule_sets": table or [],
        "reasons": dict(reasons.most_common()),
        "alerts": [
            {
                "rule_set": rule_set.name,
                "file": str(rule_file),
                "line": d.line,
                "alert": d.alert,
                "reached": rule_set.passes(rule_file, d, versions),
                "reasons": alert_reasons(rule_set, rule_file, d),
            }
            for rule_set in sets
            for rule_file, d in rule_set.alerts
        ],
    }
    out.write_text(json.dumps(document, indent=2))


def _share(reached: int, total: int) -> str:
    return f"{reached} ({reached / total:.1%})" if total else "-"


def _report(sets: list[RuleSet], versions: list[str]) -> list[dict[str, Any]]:
    """The reach table (per rule set, and the sets other than awesome-prometheus-alerts
    pooled), then each set's reasons; returns the figures for --json."""
    print()
    print(
        "| rule set | alerts | "
        + " | ".join(f"reached on {v}" for v in versions)
        + " | reached on all | derive s | "
        + " | ".join(f"run {v} s" for v in versions)
        + " |"
    )
    print("|---" * (4 + 2 * len(versions)) + "|")
    table: list[dict[str, Any]] = []
    others = [s for s in sets if s.name != AWESOME]
    rows: list[tuple[str, list[RuleSet]]] = [(s.name, [s]) for s in sets]
    if len(others) > 1:
        rows.append((f"other ({len(others)} sets pooled)", others))
    for name, members in rows:
        total = sum(len(s.alerts) for s in members)
        per_version = {v: sum(s.reached(v) for s in members) for v in versions}
        both = sum(s.reached(*versions) for s in members)
        derive_s = sum(s.derive_s for s in members)
        run_s = {v: sum(s.verify_s[v] for s in members) for v in versions}
        print(
            f"| {name} | {total} | "
            + " | ".join(_share(per_version[v], total) for v in versions)
            + f" | {_share(both, total)} | {derive_s:.0f} | "
            + " | ".join(f"{run_s[v]:.0f}" for v in versions)
            + " |"
        )
        table.append(
            {
                "rule_set": name,
                "alerts": total,
                "cases": sum(len(d.cases) for s in members for _f, d in s.alerts),
                "reached": per_version,
                "reached_on_all": both,
                "derive_seconds": derive_s,
                "verify_seconds": run_s,
            }
        )
    for rule_set in sets:
        reasons = _reasons(rule_set)
        if reasons:
            print(f"\n{rule_set.name}: why the other alerts were not reached")
            for reason, count in reasons.most_common(8):
                print(f"  {count:4}  {reason}")
    return table


if __name__ == "__main__":
    sys.exit(main())
