"""Wall time of promrules against bare promtool on the same test files, in one run.

Bare promtool runs the files one process per file, one after the other, as a
Makefile loop would. The plugin runs the same files through pytest, once with
parallelism off (--promrules-workers=1) and once with it on (one worker per
core); for reference, also with it on and --promrules-trim-rules=off, to show
what trimming rule files contributes. Ratios are plugin / bare, from the
same invocation on the same machine: each repeat runs the measurements back
to back in a rotating order (so a burst of load from elsewhere does not
always hit the same one), and the figures are medians over the repeats.

pytest runs with Python's bytecode cache on, as an installed package has it,
even when PYTHONDONTWRITEBYTECODE is set in the calling environment; a warm-up
run fills the cache first.

    .venv/bin/python benchmarks/bench.py [--promtool PATH] [--repeat N] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
K8S = "kubernetes-monitoring__kubernetes-mixin/pre-prom3-13a06e4/tests.yaml"
OPENSHIFT = "openshift__cluster-monitoring-operator/test/rules"


@dataclass(frozen=True)
class Suite:
    name: str
    files: list[Path]


@dataclass(frozen=True)
class PluginRun:
    seconds: float
    probe: dict[str, float]
    returncode: int


def seed_suite() -> Suite:
    return Suite("seed rule pack", sorted((REPO / "rule_tests").rglob("*_test.yml")))


def corpus_suites() -> list[Suite]:
    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}: skipping its suites", file=sys.stderr)
        return []
    openshift = sorted((CORPUS / OPENSHIFT).glob("*.yaml"))
    openshift = [f for f in openshift if f.name != "rules.yaml"]
    return [
        Suite("kubernetes-mixin", [CORPUS / K8S]),
        Suite("openshift", openshift),
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
            series = f'synthetic_metric{{index="{i}"}}'
            tests += [
                f"  - name: synthetic{i}",
                "    interval: 1m",
                f"    input_series: [{{series: '{series}', values: '51x10'}}]",
                "    alert_rule_test:",
                f"      - {{eval_time: 6m, alertname: Synthetic{i}, exp_alerts: "
                f"[{{exp_labels: {{severity: warning, index: '{i}'}}}}]}}",
            ]
        (folder / f"rules{n}.yml").write_text("\n".join(rules) + "\n")
        test_file = folder / f"synthetic{n}_test.yml"
        test_file.write_text("\n".join(tests) + "\n")
        files.append(test_file)
    return Suite(f"synthetic {alerts} alerts", files)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_bare(promtool: str, files: list[Path]) -> tuple[float, float]:
    """Wall and CPU seconds of `promtool test rules FILE`, file after file."""
    cpu = children_cpu()
    started = time.perf_counter()
    for path in files:
        subprocess.run(
            [promtool, "test", "rules", path.name],
            cwd=path.parent,
            capture_output=True,
            check=False,
        )
    return time.perf_counter() - started, children_cpu() - cpu


def plugin_env(promtool: str, probe_out: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PROMTOOL": promtool,
        "PROMRULES_PROBE_OUT": str(probe_out),
        "PYTHONPATH": str(REPO / "benchmarks"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_plugin(promtool: str, files: list[Path], workers: int, *extra: str) -> PluginRun:
    with tempfile.TemporaryDirectory() as tmp:
        probe_out = Path(tmp) / "probe.json"
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "probe"]
        argv += [f"--promrules-workers={workers}", *extra, f"--rootdir={tmp}", *map(str, files)]
        started = time.perf_counter()
        run = subprocess.run(
            argv, env=plugin_env(promtool, probe_out), capture_output=True, check=False, cwd=tmp
        )
        elapsed = time.perf_counter() - started
        probe = json.loads(probe_out.read_text()) if probe_out.exists() else {}
    return PluginRun(elapsed, probe, run.returncode)


def time_empty_session(disable: tuple[str, ...], repeat: int) -> float:
    """Median wall time of a pytest session with no tests: the fixed cost of pytest."""
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp]
        for name in disable:
            argv += ["-p", f"no:{name}"]
        env = plugin_env("promtool", Path(tmp) / "unused.json")
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(argv, env=env, capture_output=True, check=False, cwd=tmp)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(suite: Suite, promtool: str, repeat: int) -> dict[str, object]:
    cores = os.cpu_count() or 1
    bare: list[tuple[float, float]] = []
    off: list[PluginRun] = []
    on: list[PluginRun] = []
    untrimmed: list[PluginRun] = []
    steps: list[Callable[[], None]] = [
        lambda: bare.append(time_bare(promtool, suite.files)),
        lambda: off.append(time_plugin(promtool, suite.files, 1)),
        lambda: on.append(time_plugin(promtool, suite.files, cores)),
        lambda: untrimmed.append(
            time_plugin(promtool, suite.files, cores, "--promrules-trim-rules=off")
        ),
    ]
    load_before = os.getloadavg()[0]
    for n in range(repeat):
        for step in steps[n % len(steps) :] + steps[: n % len(steps)]:
            step()
    bare_s = statistics.median(b[0] for b in bare)
    off_s = statistics.median(r.seconds for r in off)
    on_s = statistics.median(r.seconds for r in on)
    untrimmed_s = statistics.median(r.seconds for r in untrimmed)
    bare_cpu = statistics.median(b[1] for b in bare)
    return {
        "suite": suite.name,
        "files": len(suite.files),
        "items": off[0].probe.get("items"),
        "exit_codes": sorted({r.returncode for r in off + on + untrimmed}),
        "bare_s": bare_s,
        "bare_cpu_s": bare_cpu,
        "plugin_off_s": off_s,
        "plugin_on_s": on_s,
        "ratio_off": off_s / bare_s,
        "ratio_on": on_s / bare_s,
        # What trimming rule files contributes: the same run with every rule loaded.
        "plugin_untrimmed_s": untrimmed_s,
        "ratio_untrimmed": untrimmed_s / bare_s,
        # Cores bare promtool kept busy on average: with C free cores, running the
        # same promtool work side by side cannot go below busy / C of its time.
        "bare_busy_cores": bare_cpu / bare_s,
        "collect_s": statistics.median(r.probe.get("collect_seconds", 0.0) for r in off + on),
        "peak_mib": max(r.probe.get("peak_mib", 0.0) for r in off + on),
        "promtool_peak_mib": max(r.probe.get("promtool_peak_mib", 0.0) for r in off + on),
        "workers_on": cores,
        "repeat": repeat,
        "runs_s": {
            "bare": [b[0] for b in bare],
            "off": [r.seconds for r in off],
            "on": [r.seconds for r in on],
            "untrimmed": [r.seconds for r in untrimmed],
        },
        "load": (load_before, os.getloadavg()[0]),
    }


def report(row: dict[str, object]) -> str:
    r: dict[str, float] = {k: v for k, v in row.items() if isinstance(v, float)}
    return "\n".join(
        [
            f"{row['suite']}: {row['files']} files, {row['items']} items, "
            f"median of {row['repeat']}, pytest exit {row['exit_codes']}",
            f"  bare promtool   {r['bare_s']:7.2f}s  (CPU {r['bare_cpu_s']:.2f}s: "
            f"{r['bare_busy_cores']:.2f} cores busy on average)",
            f"  plugin 1 worker {r['plugin_off_s']:7.2f}s  x{r['ratio_off']:.2f}",
            f"  plugin {row['workers_on']} workers{r['plugin_on_s']:7.2f}s  x{r['ratio_on']:.2f}",
            f"  (for reference: {row['workers_on']} workers with --promrules-trim-rules=off "
            f"{r['plugin_untrimmed_s']:.2f}s  x{r['ratio_untrimmed']:.2f})",
            f"  collection {r['collect_s']:.2f}s, peak RSS of pytest {r['peak_mib']:.0f} MiB "
            f"(largest promtool {r['promtool_peak_mib']:.0f} MiB), "
            f"load average {row['load'][0]:.1f} -> {row['load'][1]:.1f}",  # type: ignore[index]
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--promtool", default=os.environ.get("PROMTOOL", str(REPO / ".tools/bin/promtool"))
    )
    parser.add_argument("--repeat", type=int, default=3, help="median of N runs (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON")
    parser.add_argument("--only", metavar="WORD", help="only suites whose name contains WORD")
    args = parser.parse_args()
    promtool = str(Path(args.promtool).resolve())
    version = subprocess.run([promtool, "--version"], capture_output=True, text=True).stdout
    first_line = version.splitlines()[0] if version else "?"
    print(f"promtool: {promtool} ({first_line}); cores: {os.cpu_count()}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        suites = [seed_suite(), *corpus_suites(), synthetic_suite(Path(tmp))]
        suites = [s for s in suites if s.files and (not args.only or args.only in s.name)]
        time_plugin(promtool, seed_suite().files, 1)  # warm-up: bytecode cache, page cache
        fixed = [
            time_empty_session(disable, max(args.repeat, 3))
            for disable in ((), ("hypothesispytest",), ("hypothesispytest", "promrules"))
        ]
        print(
            f"pytest with no tests: {fixed[0]:.2f}s; without hypothesis's plugin "
            f"{fixed[1]:.2f}s; without it and promrules {fixed[2]:.2f}s",
            flush=True,
        )
        for suite in suites:
            row = measure(suite, promtool, args.repeat)
            rows.append(row)
            print(report(row), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
