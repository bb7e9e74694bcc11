"""Wall time of promrules against bare promtool on the same test files, in one run.

Bare promtool runs the files one process per file, one after the other, as a
Makefile loop would. The plugin runs the same files through pytest, once with
parallelism off (--promrules-workers=1) and once with it on (one worker per
core). Ratios are plugin / bare, measured back to back on this machine.

    .venv/bin/python benchmarks/bench.py [--promtool PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Suite:
    name: str
    files: list[Path]


def seed_suite() -> Suite:
    return Suite("seed rule pack (rule_tests/)", sorted((REPO / "rule_tests").glob("*_test.yml")))


def corpus_suites() -> list[Suite]:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}: skipping its suites", file=sys.stderr)
        return []
    k8s = CORPUS / "kubernetes-monitoring__kubernetes-mixin" / "pre-prom3-13a06e4" / "tests.yaml"
    openshift = sorted(
        (CORPUS / "openshift__cluster-monitoring-operator/test/rules").glob("*.yaml")
    )
    openshift = [f for f in openshift if f.name != "rules.yaml"]
    return [
        Suite("kubernetes-mixin (1 file)", [k8s]),
        Suite(f"openshift ({len(openshift)} files)", openshift),
    ]


def synthetic_suite(folder: Path, alerts: int = 1000, per_file: int = 100) -> Suite:
    """`alerts` alert rules, each with one test group that shows it firing."""
    files = []
    for start in range(0, alerts, per_file):
        n = start // per_file
        rules = ["groups:", f"  - name: synthetic{n}", "    rules:"]
        tests = [f"rule_files: [rules{n}.yml]", "evaluation_interval: 1m", "tests:"]
        for i in range(start, min(start + per_file, alerts)):
            rules += [
                f"      - alert: Synthetic{i}",
                f'        expr: synthetic_metric{{index="{i}"}} > 50',
                "        for: 5m",
                "        labels: {severity: warning}",
            ]
            tests += [
                f"  - name: synthetic{i}",
                "    interval: 1m",
                f"    input_series: [{{series: 'synthetic_metric{{index=\"{i}\"}}', values: '51x10'}}]",
                "    alert_rule_test:",
                f"      - {{eval_time: 6m, alertname: Synthetic{i}, exp_alerts: "
                f"[{{exp_labels: {{severity: warning, index: '{i}'}}}}]}}",
            ]
        (folder / f"rules{n}.yml").write_text("\n".join(rules) + "\n")
        test_file = folder / f"synthetic{n}_test.yml"
        test_file.write_text("\n".join(tests) + "\n")
        files.append(test_file)
    return Suite(f"synthetic {alerts} alerts, one group each", files)


def time_bare(promtool: str, files: list[Path]) -> tuple[float, list[int]]:
    started = time.perf_counter()
    codes = []
    for path in files:
        run = subprocess.run(
            [promtool, "test", "rules", path.name],
            cwd=path.parent,
            capture_output=True,
            check=False,
        )
        codes.append(run.returncode)
    return time.perf_counter() - started, codes


def time_plugin(
    promtool: str, files: list[Path], workers: int
) -> tuple[float, dict[str, float], int]:
    with tempfile.TemporaryDirectory() as tmp:
        probe_out = Path(tmp) / "probe.json"
        env = {
            **os.environ,
            "PROMTOOL": promtool,
            "PROMRULES_PROBE_OUT": str(probe_out),
            "PYTHONPATH": str(REPO / "benchmarks"),
        }
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "probe"]
        argv += [f"--promrules-workers={workers}", f"--rootdir={tmp}", *map(str, files)]
        started = time.perf_counter()
        run = subprocess.run(argv, env=env, capture_output=True, check=False, cwd=tmp)
        elapsed = time.perf_counter() - started
        probe = json.loads(probe_out.read_text()) if probe_out.exists() else {}
    return elapsed, probe, run.returncode


def measure(suite: Suite, promtool: str, repeat: int) -> dict[str, object]:
    cores = os.cpu_count() or 1
    bare = min(time_bare(promtool, suite.files)[0] for _ in range(repeat))
    off_runs = [time_plugin(promtool, suite.files, 1) for _ in range(repeat)]
    on_runs = [time_plugin(promtool, suite.files, cores) for _ in range(repeat)]
    off = min(r[0] for r in off_runs)
    on = min(r[0] for r in on_runs)
    probe = off_runs[0][1]
    return {
        "suite": suite.name,
        "files": len(suite.files),
        "items": probe.get("items"),
        "bare_s": bare,
        "plugin_off_s": off,
        "plugin_on_s": on,
        "ratio_off": off / bare,
        "ratio_on": on / bare,
        "collect_s": probe.get("collect_seconds"),
        "peak_mib": max(r[1].get("peak_mib", 0.0) for r in off_runs + on_runs),
        "workers_on": cores,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--promtool", default=os.environ.get("PROMTOOL", str(REPO / ".tools/bin/promtool"))
    )
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per measurement")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    args = parser.parse_args()
    args.promtool = str(Path(args.promtool).resolve())
    version = subprocess.run([args.promtool, "--version"], capture_output=True, text=True).stdout
    print(
        f"promtool: {args.promtool} ({version.splitlines()[0] if version else '?'}); cores: {os.cpu_count()}"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        suites = [seed_suite(), *corpus_suites(), synthetic_suite(Path(tmp))]
        for suite in suites:
            if not suite.files:
                continue
            row = measure(suite, args.promtool, args.repeat)
            rows.append(row)
            print(
                f"{row['suite']}: {row['files']} files, {row['items']} items | bare {row['bare_s']:.2f}s | "
                f"plugin off {row['plugin_off_s']:.2f}s (x{row['ratio_off']:.2f}) | "
                f"plugin on {row['plugin_on_s']:.2f}s (x{row['ratio_on']:.2f}, {row['workers_on']} workers) | "
                f"collection {row['collect_s']:.2f}s | peak {row['peak_mib']:.0f} MiB",
                flush=True,
            )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
