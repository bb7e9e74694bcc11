"""Start real Alertmanager (or Prometheus) processes on loopback, and always stop them.

Inhibition is checked against the real Alertmanager, not a re-implementation:
what matters is what the deployed version actually mutes. Each server gets a
free 127.0.0.1 port, its own temporary storage and a log file that is shown
when it fails to come up. Every wait is bounded and waits for an answer from
the server, not for a fixed time; `running` stops the process on the way out
whatever happened inside the block.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "ServerError",
    "ServerProcess",
    "find_alertmanager",
    "find_binary",
    "free_port",
    "running",
    "start_alertmanager",
]

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class ServerError(Exception):
    """A server binary is missing or did not come up; the message has its log."""


def find_binary(env_var: str, *names: str, rootdir: Path) -> str:
    """An env override, then the repo's .tools/bin, then PATH; the first one set wins."""
    if os.environ.get(env_var):
        return os.environ[env_var]
    for name in names:
        project = rootdir / ".tools" / "bin" / name
        if project.exists():
            return str(project.resolve())  # servers run with cwd in their own folder
    for name in names:
        on_path = shutil.which(name)
        if on_path:
            return on_path
    raise ServerError(
        f"none of {', '.join(names)} found: set {env_var}, or install Debian's package "
        f"({'prometheus-alertmanager' if 'alertmanager' in names[0] else 'prometheus'})"
    )


def find_alertmanager(rootdir: Path) -> str:
    """ALERTMANAGER, then .tools/bin under `rootdir`, then PATH (Debian's name first)."""
    return find_binary("ALERTMANAGER", "prometheus-alertmanager", "alertmanager", rootdir=rootdir)


def free_port() -> int:
    """A port that was free a moment ago; `running` retries if someone takes it first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Debian's Alertmanager reads its default template from this file of its package,
# so a binary copied out of the package alone cannot start.
_DEBIAN_TEMPLATE = "/usr/share/prometheus/alertmanager/default.tmpl"


def _known_cause(log: str) -> str:
    if _DEBIAN_TEMPLATE in log and "no such file" in log:
        return (
            f" (Debian's alertmanager needs {_DEBIAN_TEMPLATE} from its package: install "
            "prometheus-alertmanager, or point ALERTMANAGER at an upstream release binary)"
        )
    return ""


@dataclass
class ServerProcess:
    """A started server: its process, base URL and log file."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        with suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return "(no log)"

    def get_json(self, path: str, timeout: float = 5.0) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return json.load(response)

    def post_json(self, path: str, body: object, timeout: float = 5.0) -> None:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = self.log_tail()
                raise ServerError(
                    f"{self.name} exited with code {self.process.returncode} while starting"
                    f"{_known_cause(log)}; its log:\n{log}"
                )
            with (
                suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(self.url + "/-/ready", timeout=1.0) as response,
            ):
                if response.status == 200:
                    return
            time.sleep(0.1)
        raise ServerError(
            f"{self.name} was not ready after {timeout:g}s; its log:\n{self.log_tail()}"
        )


@contextmanager
def running(
    name: str,
    argv_for_port: Callable[[int], list[str]],
    workdir: Path,
    attempts: int = 3,
    env: Mapping[str, str] | None = None,
) -> Iterator[ServerProcess]:
    """Run a server until the block ends; retry on a new port if the old one was taken."""
    server = None
    for attempt in range(1, attempts + 1):
        port = free_port()
        log = workdir / f"{name}-{attempt}.log"
        argv = argv_for_port(port)
        with log.open("wb") as sink:
            try:
                process = subprocess.Popen(
                    argv,
                    cwd=workdir,
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=None if env is None else dict(env),
                )
            except OSError as exc:
                raise ServerError(f"cannot start {name} ({argv[0]}): {exc.strerror}") from None
        server = ServerProcess(name, process, port, log)
        try:
            server.wait_ready(STARTUP_TIMEOUT)
            break
        except ServerError:
            server.stop()
            if attempt == attempts or "address already in use" not in server.log_tail():
                raise
    assert server is not None
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def start_alertmanager(binary: str, config: Path, workdir: Path) -> Iterator[ServerProcess]:
    """Alertmanager on loopback, clustering off, storage in `workdir`."""
    storage = workdir / "alertmanager-data"
    storage.mkdir(parents=True, exist_ok=True)

    def argv(port: int) -> list[str]:
        return [
            binary,
            f"--config.file={config}",
            f"--storage.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",  # empty: no gossip, no settle wait
        ]

    with running("alertmanager", argv, workdir) as server:
        yield server
