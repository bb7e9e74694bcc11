"""How far derivation reaches on real rules: derived, and passing on real promtool.

Derives boundary tests for every alert of the awesome-prometheus-alerts rule
files in ../shared/corpus, runs every derived case with bare promtool (many
cases per process), and reports:

- alerts whose every applicable case was derived AND passes ("reached"),
- the reasons for the rest, grouped and counted,
- per-pattern counts, and the time each step took.

    .venv/bin/python benchmarks/derive_reach.py [--promtool PATH] [--verify-with PATH ...]
        [--workers N] [--json OUT] [--filter TEXT] [--write-dir DIR]

Derivation calibrates with --promtool (default: as the plugin locates it);
the derived cases are then run with that promtool and with every
--verify-with promtool, so one derivation can be checked on 2.x and 3.x.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

from promrules.derive import AlertDerivation, derive_rule_files, write_test_file
from promrules.derive.verify import verify
from promrules.promtool import Promtool, locate

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "samber__awesome-prometheus-alerts" / "dist" / "rules"
TARGET = 0.90


def _reason_key(text: str) -> str:
    """A reason with its numbers and quoted PromQL blanked, so alike reasons group."""
    text = re.sub(r"`[^`]*`", "`…`", text)
    text = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?[a-z]*", "N", text)
    return text[:160]


def _promtool(path: str | None) -> Promtool:
    return locate(option=path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--promtool", help="promtool that calibrates (default: as the plugin finds it)"
    )
    parser.add_argument(
        "--verify-with", action="append", default=[], help="another promtool to run the cases with"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--filter", default="", help="only rule files whose path contains this")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument("--write-dir", type=Path, help="also write the generated test files here")
    args = parser.parse_args(argv)

    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2
    files = sorted(p for p in CORPUS.rglob("*.yml") if args.filter in str(p))
    tool = _promtool(args.promtool)
    print(f"derive with promtool {tool.version_text} ({tool.path}); {len(files)} rule files")

    started = time.monotonic()
    derived = derive_rule_files(files, tool, workers=args.workers)
    derive_s = time.monotonic() - started
    alerts: list[tuple[Path, AlertDerivation]] = [(f, d) for f, ds in derived.items() for d in ds]
    print(f"derived {len(alerts)} alerts in {derive_s:.1f}s")

    if args.write_dir:
        args.write_dir.mkdir(parents=True, exist_ok=True)
        for rule_file, ds in derived.items():
            name = "_".join(rule_file.relative_to(CORPUS).with_suffix("").parts) + "_test.yml"
            write_test_file(ds, rule_file, args.write_dir / name)

    verifiers = [tool] + [_promtool(p) for p in args.verify_with]
    failures: dict[str, dict[tuple[Path, str], str]] = {}
    verify_s: dict[str, float] = {}
    for verifier in verifiers:
        started = time.monotonic()
        failures[verifier.version_text] = verify(verifier, list(derived.items()), args.workers)
        verify_s[verifier.version_text] = time.monotonic() - started
        count = len(failures[verifier.version_text])
        print(
            f"ran the cases with promtool {verifier.version_text}: {count} failing, "
            f"{verify_s[verifier.version_text]:.1f}s"
        )

    reached = 0
    reasons: collections.Counter[str] = collections.Counter()
    patterns: collections.Counter[str] = collections.Counter()
    patterns_reached: collections.Counter[str] = collections.Counter()
    cases = 0
    for rule_file, d in alerts:
        cases += len(d.cases)
        failing = {
            version: [c for c in d.cases if (rule_file, c.name) in found]
            for version, found in failures.items()
        }
        for name in d.patterns:
            patterns[name] += 1
        if d.complete and not any(failing.values()):
            reached += 1
            for name in d.patterns:
                patterns_reached[name] += 1
            continue
        if not d.cases and not d.failures:
            reasons["nothing derived"] += 1
        for gap in d.failures:
            reasons[f"not derived ({gap.kind or 'alert'}): {_reason_key(gap.reason)}"] += 1
        for version, bad in failing.items():
            for case in bad:
                text = failures[version][(rule_file, case.name)].strip()
                first = _reason_key(text.splitlines()[0]) if text else "?"
                reasons[f"fails on promtool {version} ({case.kind}): {first[:100]}"] += 1

    share = reached / len(alerts) if alerts else 0.0
    print()
    print(f"reached: {reached} of {len(alerts)} alerts ({share:.1%}); target {TARGET:.0%}")
    print(f"cases derived: {cases}")
    print("per pattern (alerts reading it: reached / all):")
    for name, count in sorted(patterns.items()):
        print(f"  {name:10} {patterns_reached[name]:4} / {count}")
    print("why the other alerts were not reached (one alert may count under several):")
    for reason, count in reasons.most_common():
        print(f"  {count:4}  {reason}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "alerts": len(alerts),
                    "reached": reached,
                    "share": share,
                    "cases": cases,
                    "derive_seconds": derive_s,
                    "verify_seconds": verify_s,
                    "calibrating_promtool": tool.version_text,
                    "patterns": {k: [patterns_reached[k], v] for k, v in patterns.items()},
                    "reasons": dict(reasons.most_common()),
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
