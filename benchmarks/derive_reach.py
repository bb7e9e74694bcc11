"""How far derivation reaches on real rules: derived, and passing on real promtool.

Derives boundary tests for every alert of every rule set (a top folder) of
../shared/corpus, runs every derived case with bare promtool (many cases per
process), and reports, per rule set and promtool version:

- alerts whose every applicable case was derived AND passes ("reached"),
- the time derivation and each verification took,
- the reasons for the rest, grouped and counted (the ten most common shown).

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
from promrules.promtool import locate
from promrules.snapshot.generate import find_rule_files

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


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

    @property
    def alerts(self) -> list[tuple[Path, AlertDerivation]]:
        return [(f, d) for f, ds in self.derived.items() for d in ds]

    def reached(self, version: str) -> int:
        found = self.failures[version]
        return sum(
            1
            for f, d in self.alerts
            if d.complete and not any((f, c.name) in found for c in d.cases)
        )


def _rule_sets(corpus: Path, names: list[str], text: str) -> list[RuleSet]:
    sets = []
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        if names and folder.name not in names:
            continue
        files = [p for p in find_rule_files([folder]) if text in str(p)]
        if files:
            sets.append(RuleSet(folder.name, files))
    return sets


def _reasons(rule_set: RuleSet, counter: collections.Counter[str]) -> None:
    for rule_file, d in rule_set.alerts:
        if not d.cases and not d.failures:
            counter["nothing derived"] += 1
        for gap in d.failures:
            counter[f"not derived ({gap.kind or 'alert'}): {_reason_key(gap.reason)}"] += 1
        for version, found in rule_set.failures.items():
            for case in d.cases:
                text = found.get((rule_file, case.name))
                if text is not None:
                    first = _reason_key(text.strip().splitlines()[0]) if text.strip() else "?"
                    counter[f"fails on promtool {version} ({case.kind}): {first[:100]}"] += 1


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

    versions = [v.version_text for v in verifiers]
    reasons: collections.Counter[str] = collections.Counter()
    print()
    header = " | ".join(f"reached on {v}" for v in versions)
    print(
        f"| rule set | alerts | {header} | derive s | " + " | ".join(f"run {v} s" for v in versions)
    )
    table: list[dict[str, Any]] = []
    for rule_set in sets:
        total = len(rule_set.alerts)
        cells = []
        for version in versions:
            reached = rule_set.reached(version)
            cells.append(f"{reached} ({reached / total:.1%})" if total else "-")
        times = " | ".join(f"{rule_set.verify_s[v]:.0f}" for v in versions)
        print(
            f"| {rule_set.name} | {total} | {' | '.join(cells)} | {rule_set.derive_s:.0f} | {times}"
        )
        _reasons(rule_set, reasons)
        table.append(
            {
                "rule_set": rule_set.name,
                "alerts": total,
                "cases": sum(len(d.cases) for _f, d in rule_set.alerts),
                "reached": {v: rule_set.reached(v) for v in versions},
                "derive_seconds": rule_set.derive_s,
                "verify_seconds": rule_set.verify_s,
            }
        )
    print("\nthe ten most common reasons (alerts or cases; one alert may count under several):")
    for reason, count in reasons.most_common(10):
        print(f"  {count:4}  {reason}")
    if args.json:
        document = {
            "calibrating_promtool": tool.version_text,
            "rule_sets": table,
            "reasons": dict(reasons.most_common()),
        }
        args.json.write_text(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
