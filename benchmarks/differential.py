"""The long differential run: thousands of generated projects, promrules against bare promtool.

Projects come from the same hypothesis strategy as tests/engine/test_differential.py
and run in batches: bare promtool once per test file (as written, from its own
folder), promrules once per batch through pytest (default options, 2 workers),
once more under a random `-k` selection of groups, and once over the projects
with one expectation promtool passed flipped (then both must fail that case).
Every disagreement is written to the output folder as a project to replay;
add it to tests/engine/test_differential.py as an `@example`.

    .venv/bin/python benchmarks/differential.py --promtool PATH [--files 5000] [--batch 100]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import differential as d  # noqa: E402


def draw_projects(count: int, batch_seed: int) -> list[d.Project]:
    """`count` projects from the strategy, reproducible from `batch_seed`."""
    drawn: list[d.Project] = []

    @seed(batch_seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(project=d.projects())
    def collect(project: d.Project) -> None:
        drawn.append(project)

    collect()
    return drawn[:count]


def run_plugin(paths: list[Path], *args: str) -> d.OutcomeRecorder:
    """promrules over the files through pytest, in this process, output discarded."""
    recorder = d.OutcomeRecorder()
    argv = [*map(str, paths), "-p", "no:cacheprovider", "-q", "--promrules-workers=2", *args]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main(argv, plugins=[recorder])
    return recorder


def bare_all(promtool: str, paths: list[Path]) -> list[d.BareVerdict]:
    with ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda p: d.bare_verdict(promtool, p), paths))


def replay(promtool: str, project: d.Project, folder: Path) -> dict[str, object]:
    """A disagreement run again on its own: is it stable, or did one run differ?

    Bare promtool three times and promrules once more on a fresh copy, so that a
    disagreement that does not come back is told apart from one that does.
    """
    path = d.write_project(project, folder / f"replay{len(list(folder.glob('replay*'))):03d}")
    bare = [d.bare_verdict(promtool, path) for _ in range(3)]
    again = run_plugin([path]).for_file(path)
    return {
        "bare_returncodes": [v.returncode for v in bare],
        "bare_output": bare[0].output[-2000:],
        "promrules_again": d.disagreements(bare[0], again),
        "promrules_statuses": sorted({o.status for o in again}),
    }


def run_batch(
    promtool: str, projects: list[d.Project], folder: Path, rng: random.Random
) -> tuple[int, list[dict[str, object]]]:
    """Compare one batch; (cases compared, disagreements found)."""
    paths = [d.write_project(p, folder / f"p{n:05d}") for n, p in enumerate(projects)]
    bare = bare_all(promtool, paths)
    found: list[dict[str, object]] = []
    compared = 0

    def record(kind: str, n: int, problems: list[str], project: d.Project) -> None:
        if problems:
            found.append(
                {
                    "run": kind,
                    "problems": problems,
                    "test_file": d.test_file(project),
                    "rule_files": d.rule_files(project),
                    "replay": replay(promtool, project, folder),
                }
            )

    whole = run_plugin(paths)
    chosen = {n: d.selection(p, rng) for n, p in enumerate(projects)}
    expression = " or ".join(
        f"(p{n:05d} and ({' or '.join(names)}))" for n, names in chosen.items()
    )
    selected = run_plugin(paths, "-k", expression)
    flips: list[tuple[int, d.CaseKey, d.Project]] = []
    for n, (project, path, verdict) in enumerate(zip(projects, paths, bare, strict=True)):
        outcomes = whole.for_file(path)
        compared += len(outcomes)
        record("default", n, d.disagreements(verdict, outcomes), project)
        unique = len({o.key for o in outcomes}) == len(outcomes)
        mine = selected.for_file(path)
        record(
            "-k", n, d.disagreements(verdict, mine, whole_file=False, keys_unique=unique), project
        )
        passed = sorted(o.key for o in outcomes if o.status == "passed")
        if passed and unique and not verdict.errored:
            key = rng.choice(passed)
            flips.append((n, key, d.flipped(project, key)))
    flip_paths = [d.write_project(p, folder / f"f{n:05d}") for n, _k, p in flips]
    flip_bare = bare_all(promtool, flip_paths)
    flipped = run_plugin(flip_paths)
    for (n, key, project), path, verdict in zip(flips, flip_paths, flip_bare, strict=True):
        problems = []
        if key not in verdict.failed and not verdict.errored:
            problems.append(f"flipped {key}: bare promtool still passes it")
        mine = [o for o in flipped.for_file(path) if o.key == key]
        if not mine or any(o.status == "passed" for o in mine):
            problems.append(f"flipped {key}: promrules still passes it")
        record("flip", n, problems, project)
    return compared, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--promtool", required=True)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("differential-out"))
    parser.add_argument("--first-batch", type=int, default=0, help="skip the batches before")
    args = parser.parse_args()
    promtool = str(Path(args.promtool).resolve())
    os.environ["PROMTOOL"] = promtool  # the plugin's promtool: the same one
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    files = compared = 0
    disagreements: list[dict[str, object]] = []
    batch = args.first_batch
    found_log = args.out / "disagreements.jsonl"
    while files < args.files:
        count = min(args.batch, args.files - files)
        projects = draw_projects(count, args.seed * 100_000 + batch)
        with tempfile.TemporaryDirectory(prefix="promrules-differential-") as tmp:
            cases, found = run_batch(promtool, projects, Path(tmp), rng)
        files += len(projects)
        compared += cases
        disagreements += found
        with found_log.open("a") as log:
            log.writelines(json.dumps({"batch": batch, **f}) + "\n" for f in found)
        batch += 1
        print(
            f"{files} files, {compared} cases, {len(disagreements)} disagreements, "
            f"{time.monotonic() - started:.0f} s",
            flush=True,
        )
    summary = {
        "promtool": promtool,
        "files": files,
        "cases": compared,
        "seconds": round(time.monotonic() - started, 1),
        "disagreements": disagreements,
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
