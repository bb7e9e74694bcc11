"""Size and cost of the HTML report (--promrules-html) at 1,000 alerts.

Builds the synthetic suite of bench.py (one firing case per alert, 100 alerts
a file), optionally breaks a few cases so the page has failures, and runs
pytest on it without a report, with the default report, and with every case
charted (--promrules-html-charts=all). Prints the page's size in bytes, the
pytest wall time of each run (the report's cost is the difference), and how
long Python's HTML parser takes to read the page (a rough stand-in for a
browser; Chromium's load time is printed too when tests/browser.py can run it).

    .venv/bin/python benchmarks/html_report.py [--alerts 1000] [--failing 5]
        [--src PATH]   # the promrules sources to measure (default: this checkout's)
    (promtool: $PROMTOOL, else .tools/bin/promtool)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import REPO, synthetic_suite


def break_cases(files: list[Path], count: int) -> None:
    """Make the first `count` alerts' input stay below the threshold: their case fails."""
    broken = 0
    for path in files:
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            if broken < count and "values: '51x10'" in line:
                lines[n] = line.replace("51x10", "49x10")
                broken += 1
        path.write_text("\n".join(lines) + "\n")


def run(src: Path, folder: Path, *extra: str) -> tuple[float, int]:
    promtool = os.environ.get("PROMTOOL") or str(REPO / ".tools" / "bin" / "promtool")
    env = {**os.environ, "PYTHONPATH": str(src), "PROMTOOL": promtool}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
    argv += [f"--rootdir={folder}", *extra, *sorted(str(p) for p in folder.glob("*_test.yml"))]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"pytest exited {done.returncode}:\n{done.stdout[-3000:]}{done.stderr}")
    return elapsed, done.returncode


def parse_seconds(page: Path) -> float:
    started = time.perf_counter()
    HTMLParser().feed(page.read_text())
    return time.perf_counter() - started


def chromium_seconds(page: Path) -> str:
    sys.path.insert(0, str(REPO))
    try:
        from tests import browser

        shown = browser.render(page, page.with_suffix(".png"))
    except BaseException as exc:  # pytest.skip raises a BaseException
        return f"not measured ({type(exc).__name__}: {str(exc)[:80]})"
    return f"{shown.seconds:.2f}s load, {len(shown.problems)} console problems"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=1000)
    parser.add_argument("--failing", type=int, default=5)
    parser.add_argument("--src", type=Path, default=REPO / "src")
    parser.add_argument("--all-charts", choices=("yes", "no"), default="yes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        suite = synthetic_suite(folder, args.alerts)
        break_cases(suite.files, args.failing)
        base, _ = run(args.src, folder)
        print(f"{suite.name}, {args.failing} failing, sources {args.src}")
        print(f"no report: pytest {base:.1f}s")
        variants = [("default", ())]
        if args.all_charts == "yes":
            variants.append(("all charts", ("--promrules-html-charts=all",)))
        for name, extra in variants:
            page = folder / f"report-{name.replace(' ', '-')}.html"
            seconds, _ = run(args.src, folder, f"--promrules-html={page}", *extra)
            print(
                f"{name}: {page.stat().st_size} bytes, pytest {seconds:.1f}s "
                f"(report +{seconds - base:.1f}s), parsed in {parse_seconds(page):.2f}s, "
                f"chromium: {chromium_seconds(page)}"
            )


if __name__ == "__main__":
    main()
