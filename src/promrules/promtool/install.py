"""Install a pinned promtool release into a user cache, for pre-commit and CI.

A pre-commit hook or a CI job on a fresh machine may find no promtool at all.
Rather than fail, they fetch the official Prometheus release archive of a
pinned version, refuse it unless its sha256 is the one pinned here (the
release's own sha256sums.txt; the same pins as scripts/install-tools.sh), and
unpack only `promtool` into `<cache>/promtool-<version>/promtool`. A second
call finds it there and downloads nothing.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

__all__ = ["DEFAULT_VERSION", "RELEASES", "InstallError", "cache_dir", "install"]

DEFAULT_VERSION = "3.5.0"
RELEASE_BASE = "https://github.com/prometheus/prometheus/releases/download"
RELEASES: Mapping[tuple[str, str], str] = {
    ("2.42.0", "amd64"): "422dab055ed9c7bcaff52b718705f9192c6fac0de6b7e78dd278e70ee2663dcc",
    ("2.42.0", "arm64"): "b947e4890d221f6b1d09c963fd0440720f2b5d08c29e190d6365f4b3d3e92a9d",
    ("3.5.0", "amd64"): "e811827af26d822afb09a4f28314f61b618b12cff5369835a67f674d8b46f39a",
    ("3.5.0", "arm64"): "173389cc42bf09c4e6e54cb53fa07a5a835d7c261e14775d2183181d6e385d1c",
}
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class InstallError(Exception):
    """promtool could not be installed: unknown version or machine, download or checksum."""


def cache_dir() -> Path:
    """$PROMRULES_CACHE, else $XDG_CACHE_HOME/promrules, else ~/.cache/promrules."""
    if os.environ.get("PROMRULES_CACHE"):
        return Path(os.environ["PROMRULES_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "promrules"


def machine_arch() -> str:
    machine = platform.machine().lower()
    if platform.system() != "Linux" or machine not in _ARCHES:
        raise InstallError(
            f"no pinned promtool release for {platform.system()} {machine}: "
            "install promtool yourself and set PROMTOOL or the `promtool` ini setting"
        )
    return _ARCHES[machine]


def install(
    version: str = DEFAULT_VERSION,
    *,
    into: Path | None = None,
    arch: str | None = None,
    base_url: str = RELEASE_BASE,
    sums: Mapping[tuple[str, str], str] = RELEASES,
) -> Path:
    """The path of promtool `version`, downloaded and checked on first use."""
    arch = arch or machine_arch()
    want = sums.get((version, arch))
    if want is None:
        pinned = ", ".join(sorted({v for v, _ in sums}))
        raise InstallError(
            f"no pinned sha256 for promtool {version} linux-{arch} (pinned: {pinned})"
        )
    target = (into or cache_dir()) / f"promtool-{version}" / "promtool"
    if target.is_file() and os.access(target, os.X_OK):
        return target
    name = f"prometheus-{version}.linux-{arch}"
    url = f"{base_url}/v{version}/{name}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="promrules-install-", dir=target.parent) as tmp:
        archive = Path(tmp) / f"{name}.tar.gz"
        _download(url, archive)
        got = hashlib.sha256(archive.read_bytes()).hexdigest()
        if got != want:
            raise InstallError(f"{url}: sha256 {got} is not the pinned {want}; not installed")
        unpacked = Path(tmp) / "promtool"
        _extract(archive, f"{name}/promtool", unpacked)
        unpacked.chmod(0o755)
        os.replace(unpacked, target)  # atomic: a concurrent run sees all of it or nothing
    return target


def _download(url: str, to: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=120) as response, to.open("wb") as out:
            shutil.copyfileobj(response, out)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise InstallError(f"cannot download {url}: {reason}") from None


def _extract(archive: Path, member: str, to: Path) -> None:
    """Only the one member, written by name: nothing from the archive picks a path."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            source = tar.extractfile(member)
            if source is None:
                raise KeyError(member)
            with source, to.open("wb") as out:
                shutil.copyfileobj(source, out)
    except (KeyError, tarfile.TarError) as exc:
        raise InstallError(f"{archive.name} has no {member}: {exc}") from None
