"""Real Alertmanagers for inhibition checks: started on demand, one per config, stopped at the end.

YAML inhibition cases and the `alertmanager_server` fixture share one pool per
pytest session (per xdist worker), so a config is loaded by one Alertmanager
however many cases use it; cases stay apart because each observation resolves
the alerts of the one before (inhibition.Inhibitor).
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

import pytest

from promrules.alertmanager.config_copies import inhibition_copy
from promrules.alertmanager.inhibition import PROBE_RULE, Inhibitor
from promrules.alertmanager.server import ServerError, find_alertmanager, start_alertmanager

__all__ = ["AlertmanagerPool", "alertmanager_pool", "alertmanager_server"]

POOL = pytest.StashKey["AlertmanagerPool"]()


class AlertmanagerPool:
    """Alertmanager processes keyed by the config they were started from."""

    def __init__(self, rootdir: Path) -> None:
        self.rootdir = rootdir
        self._stack = ExitStack()
        self._started: dict[Path, Inhibitor | ServerError] = {}
        self._workdir: Path | None = None

    def __call__(self, config: str | Path) -> Inhibitor:
        """The running Alertmanager for `config` (relative paths from the rootdir)."""
        path = Path(config)
        path = (path if path.is_absolute() else self.rootdir / path).resolve()
        if path not in self._started:
            try:
                self._started[path] = self._start(path)
            except ServerError as exc:
                self._started[path] = exc
        found = self._started[path]
        if isinstance(found, ServerError):
            raise found
        return found

    def _start(self, config: Path) -> Inhibitor:
        if not config.is_file():
            raise ServerError(f"Alertmanager config {config} is not a file")
        binary = find_alertmanager(self.rootdir)
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix="promrules-alertmanager-"))
        workdir = self._workdir / str(len(self._started))
        workdir.mkdir()
        copy = inhibition_copy(config, workdir / "alertmanager.json", [PROBE_RULE])
        server = self._stack.enter_context(start_alertmanager(binary, copy, workdir))
        return Inhibitor(server)

    def close(self) -> None:
        """Stop every server and remove their folders."""
        self._stack.close()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)


def alertmanager_pool(config: pytest.Config) -> AlertmanagerPool:
    if POOL not in config.stash:
        pool = AlertmanagerPool(config.rootpath)
        config.stash[POOL] = pool
        config.add_cleanup(pool.close)
    return config.stash[POOL]


class _Start:
    """What `alertmanager_server` hands a test: call it with a config path."""

    def __init__(self, pool: AlertmanagerPool) -> None:
        self._pool = pool

    def __call__(self, config: str | Path) -> Inhibitor:
        try:
            return self._pool(config)
        except ServerError as exc:
            pytest.fail(f"promrules: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def alertmanager_server(pytestconfig: pytest.Config) -> _Start:
    """A real Alertmanager loading your config's routes and inhibit rules.

    `alertmanager_server("alerting/alertmanager.yml")` starts it on 127.0.0.1
    (once per config and session) and returns an Inhibitor: `.observe(firing,
    resolved=())` posts alerts and returns, for each firing one, the alerts
    Alertmanager says inhibit it; `.server.url` is its address. Receivers are
    name-only, so nothing is sent.
    """
    return _Start(alertmanager_pool(pytestconfig))
