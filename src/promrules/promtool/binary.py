"""Find promtool, read its version, and run it.

Everything that starts a promtool process lives here, so that timeouts, crashes
and odd output are handled in one place and callers get frozen result objects.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "MINIMUM_VERSION",
    "ProcessGroups",
    "Promtool",
    "PromtoolError",
    "PromtoolRun",
    "locate",
]

MINIMUM_VERSION = (2, 42, 0)
PROJECT_PROMTOOL = Path(".tools") / "bin" / "promtool"
DEFAULT_TIMEOUT = 600.0
# Test storage in memory when there is room: promtool creates an on-disk TSDB for
# every test group (15-20 % of the time of runs with many small groups on a disk).
# Go's GC is left at its default: GOGC=200 saved 8 % of promtool's time but let
# one process over 500 test groups reach 830 MB instead of 100 MB.
_MEMORY_TMP = Path("/dev/shm")
_MEMORY_TMP_MIN_FREE = 1 << 30


def scratch_parent() -> str | None:
    """Where promtool's private TMPDIR goes: a TMPDIR the user set, else /dev/shm if it has room."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        stats = os.statvfs(_MEMORY_TMP)
    except OSError:
        return None
    free = stats.f_bavail * stats.f_frsize
    return (
        str(_MEMORY_TMP)
        if free >= _MEMORY_TMP_MIN_FREE and os.access(_MEMORY_TMP, os.W_OK)
        else None
    )


_VERSION_RE = re.compile(r"\bversion (\d+)\.(\d+)\.(\d+)")


class PromtoolError(Exception):
    """promtool cannot be used at all: missing, not runnable, too old, or hung."""


@dataclass(frozen=True)
class PromtoolRun:
    """One finished promtool process: what was run and everything it printed."""

    argv: tuple[str, ...]
    returncode: int
    output: str
    seconds: float

    @property
    def shown_output(self) -> str:
        """The output to paste into a message: a runaway promtool's hundreds of MB are
        cut to the first and last SHOWN_LINES lines, with a count of what was left out."""
        return clip(self.output)

    @property
    def exit_text(self) -> str:
        """`exit code 1`, or for a signal death `killed by SIGSEGV, exit code -11`."""
        return exit_text(self.returncode)

    @property
    def crashed(self) -> bool:
        """A signal death or Go panic exit code; never a verdict about the tests."""
        return self.returncode < 0 or self.returncode == 2 or "panic:" in self.output


SHOWN_LINES = 40  # lines kept at each end of output pasted into a message
_SHOWN_LINE_CHARS = 400


def clip(text: str, lines: int = SHOWN_LINES) -> str:
    """The first and last `lines` lines of `text` (each cut to a readable width),
    with how much was left out between them; `text` itself when it is short."""
    all_lines = text.splitlines()
    short = len(all_lines) <= 2 * lines and len(text) <= 2 * lines * _SHOWN_LINE_CHARS
    if short:
        return text

    def cut(line: str) -> str:
        extra = len(line) - _SHOWN_LINE_CHARS
        return line if extra <= 0 else f"{line[:_SHOWN_LINE_CHARS]}... ({extra} more characters)"

    head, tail = all_lines[:lines], all_lines[-lines:] if len(all_lines) > lines else []
    left = len(all_lines) - len(head) - len(tail)
    left_bytes = len(text) - sum(len(x) + 1 for x in head + tail)
    gap = f"... {left} lines ({max(left_bytes, 0)} characters) of promtool's output left out ..."
    return "\n".join([*map(cut, head), gap, *map(cut, tail)]) + "\n"


def exit_text(returncode: int) -> str:
    """An exit code in words; a negative one is the signal that ended the process."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}, exit code {returncode}"
    return f"exit code {returncode}"


class ProcessGroups:
    """Processes started in process groups of their own, so that a stop ends them all.

    Killing only a direct child can leave its children holding the output pipe
    open, and reading that pipe would then hang past the timeout; killing the
    group does not. promtool runs go through here, and so do the other
    processes a run must be able to stop (the pytest runs of `promrules mutate`).
    """

    def __init__(self) -> None:
        self.running: set[subprocess.Popen[bytes]] = set()
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: str | Path | None,
        env: dict[str, str],
        timeout: float,
    ) -> tuple[int, bytes]:
        """Run `argv` with stdout and stderr merged; its exit code and output.

        Raises PromtoolError once stopped; subprocess.TimeoutExpired and OSError pass through.
        """
        if self.stopped.is_set():
            raise PromtoolError("the run was stopped before the process could start")
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        with self.lock:
            self.running.add(process)
        try:
            if self.stopped.is_set():  # stopped between the check above and the add
                raise PromtoolError("the run was stopped while the process was starting")
            output, _ = process.communicate(timeout=timeout)
        except BaseException:
            _kill_group(process)
            process.communicate()
            raise
        finally:
            with self.lock:
                self.running.discard(process)
        return process.returncode, output

    def stop(self) -> None:
        """Kill every running process group and refuse to start more."""
        self.stopped.set()
        with self.lock:
            running = list(self.running)
        for process in running:
            _kill_group(process)


@dataclass(frozen=True)
class Promtool:
    """A located promtool binary with its version, read once."""

    path: str
    version: tuple[int, int, int]
    source: str
    timeout: float = DEFAULT_TIMEOUT
    # The processes this instance started, so that `stop` can end them.
    processes: ProcessGroups = field(default_factory=ProcessGroups, compare=False, repr=False)

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)

    @property
    def major(self) -> int:
        return self.version[0]

    def run(self, *args: str, cwd: str | Path | None = None) -> PromtoolRun:
        """Run promtool with stdout and stderr merged, so their order is kept.

        promtool's test storage goes to a private TMPDIR that is removed after
        the run (promtool leaves `test_storage*` folders in /tmp otherwise),
        in memory when /dev/shm has room.
        """
        argv = (self.path, *args)
        if self.processes.stopped.is_set():
            raise PromtoolError("the session was stopped before promtool could run")
        started = time.monotonic()
        try:
            with tempfile.TemporaryDirectory(
                prefix="promrules-run-", dir=scratch_parent()
            ) as scratch:
                env = {**os.environ, "TMPDIR": scratch}
                returncode, raw = self.processes.run(argv, cwd=cwd, env=env, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            raise PromtoolError(
                f"promtool did not finish within {self.timeout:g}s and was stopped "
                f"(--promrules-timeout): {' '.join(argv)}"
            ) from exc
        except OSError as exc:
            raise PromtoolError(f"cannot run promtool at {self.path}: {exc.strerror}") from exc
        output = raw.decode("utf-8", errors="replace")
        return PromtoolRun(argv, returncode, output, time.monotonic() - started)

    def stop(self) -> None:
        """Kill every promtool this instance is running and refuse to start more."""
        self.processes.stop()

    def test_rules(self, *files: str | Path, cwd: str | Path | None = None) -> PromtoolRun:
        return self.run("test", "rules", *(str(f) for f in files), cwd=cwd)

    def check_rules(self, *files: str | Path) -> PromtoolRun:
        """`check rules` with every lint, and lint findings made fatal."""
        return self.run("check", "rules", "--lint=all", "--lint-fatal", *(str(f) for f in files))


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def parse_version(text: str) -> tuple[int, int, int] | None:
    match = _VERSION_RE.search(text)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def _candidates(
    option: str | None, ini: str | None, rootdir: Path, env: dict[str, str]
) -> list[tuple[str, str]]:
    """Where promtool may come from, in the documented order of precedence."""
    found: list[tuple[str, str]] = []
    if option:
        found.append((option, "--promtool"))
    if env.get("PROMTOOL"):
        found.append((env["PROMTOOL"], "PROMTOOL environment variable"))
    if ini:
        found.append((ini, "promtool ini setting"))
    project = rootdir / PROJECT_PROMTOOL
    if project.exists():
        found.append((str(project), "the project's set-up (.tools/bin/promtool)"))
    on_path = shutil.which("promtool", path=env.get("PATH"))
    if on_path:
        found.append((on_path, "PATH"))
    return found


def locate(
    option: str | None = None,
    ini: str | None = None,
    rootdir: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Promtool:
    """Pick the first configured promtool and check that it is usable.

    The first source that is set wins even when it is broken: silently falling
    back to another binary would test the rules against a version nobody chose.
    """
    env = dict(os.environ) if env is None else env
    candidates = _candidates(option, ini, rootdir or Path.cwd(), env)
    if not candidates:
        raise PromtoolError(
            "promtool not found: pass --promtool=PATH, set PROMTOOL, set the `promtool` "
            "ini option, or put promtool on PATH (`make tools` installs it in this repo)"
        )
    path, source = candidates[0]
    resolved = shutil.which(path) if os.sep not in path else path
    if resolved is None or not os.path.exists(resolved):
        raise PromtoolError(f"promtool not found at {path!r} (from {source})")
    if os.path.isdir(resolved) or not os.access(resolved, os.X_OK):
        raise PromtoolError(f"promtool at {resolved!r} (from {source}) is not executable")
    probe = Promtool(resolved, (0, 0, 0), source, timeout=min(timeout, 30.0))
    run = probe.run("--version")
    version = parse_version(run.output)
    if run.returncode != 0 or version is None:
        first_line = run.output.strip().splitlines()[:1] or ["no output"]
        raise PromtoolError(
            f"{resolved!r} (from {source}) did not report a promtool version "
            f"(exit {run.returncode}: {first_line[0]})"
        )
    if version < MINIMUM_VERSION:
        wanted = ".".join(map(str, MINIMUM_VERSION))
        found = ".".join(map(str, version))
        raise PromtoolError(
            f"promtool {found} at {resolved!r} (from {source}) is too old: "
            f"promrules needs {wanted} or newer"
        )
    return Promtool(resolved, version, source, timeout=timeout)
