"""`promrules test` and the pre-commit hook: pytest options pass through, only rule changes run."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from promrules.promtool import install as promtool_install
from promrules.promtool.binary import Promtool, locate
from tests.helpers import PASSING_TEST, RULES


def promrules(cwd: Path, promtool: Promtool, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROMTOOL": promtool.path}
    return subprocess.run(
        [sys.executable, "-m", "promrules.cli.command", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """rules/rules.yml, rule_tests/demo_test.yml and an unrelated YAML file."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "rules.yml").write_text(RULES)
    (tmp_path / "rule_tests").mkdir()
    (tmp_path / "rule_tests" / "demo_test.yml").write_text(
        PASSING_TEST.replace("rule_files: [rules.yml]", "rule_files: [../rules/rules.yml]")
    )
    (tmp_path / "docker-compose.yml").write_text("services: {web: {image: nginx}}\n")
    return tmp_path


def test_pytest_options_pass_through_without_a_double_dash(repo: Path, promtool: Promtool) -> None:
    selection = ["-k", "demo_test and HighValue", "-p", "no:xdist"]
    done = promrules(repo, promtool, "test", "-q", *selection)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\n3 passed, \d+ deselected in ", done.stdout), done.stdout
    assert "warning" not in done.stdout.lower()


def test_a_double_dash_is_still_accepted(repo: Path, promtool: Promtool) -> None:
    done = promrules(repo, promtool, "test", "--", "-q", "--co")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rule_tests/demo_test.yml::high::HighValue@2m" in done.stdout


def test_test_runs_the_configured_folders_when_no_path_is_given(
    repo: Path, promtool: Promtool
) -> None:
    done = promrules(repo, promtool, "test", "--co", "-q")
    assert "rules/rules.yml::check" in done.stdout
    assert "rule_tests/demo_test.yml::" in done.stdout
    assert "docker-compose" not in done.stdout


def test_the_hook_passes_at_once_when_no_staged_file_is_a_rule_or_test_file(
    repo: Path, promtool: Promtool
) -> None:
    done = promrules(repo, promtool, "pre-commit", "-x", "docker-compose.yml")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "promrules: none of the 1 files is a rule or test file; nothing to run\n"


def test_the_hook_runs_the_suite_with_its_arguments_and_without_live_derivation(
    repo: Path, promtool: Promtool
) -> None:
    (repo / "rules" / "untested.yml").write_text(RULES.replace("HighValue", "Untested"))
    done = promrules(repo, promtool, "pre-commit", "--co", "docker-compose.yml", "rules/rules.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rule_tests/demo_test.yml::high::HighValue@2m" in done.stdout
    assert "rules/untested.yml::check" in done.stdout
    assert "fires-after-for" not in done.stdout, "no live derivation on every commit"


def _release(tmp_path: Path, promtool: Promtool, version: str) -> tuple[str, str]:
    """A local copy of a release archive holding the real promtool; its base URL and sha256."""
    name = f"prometheus-{version}.linux-amd64"
    folder = tmp_path / "releases" / f"v{version}"
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(os.path.realpath(promtool.path), arcname=f"{name}/promtool")  # a file, not a link
        tar.addfile(tarfile.TarInfo(f"{name}/LICENSE"), io.BytesIO(b""))
    (folder / f"{name}.tar.gz").write_bytes(buffer.getvalue())
    return (tmp_path / "releases").as_uri(), hashlib.sha256(buffer.getvalue()).hexdigest()


def test_install_checks_the_pinned_sha256_and_unpacks_only_promtool(
    tmp_path: Path, promtool: Promtool
) -> None:
    base, sha = _release(tmp_path, promtool, "9.9.9")
    cache = tmp_path / "cache"
    with pytest.raises(
        promtool_install.InstallError, match=r"sha256 [0-9a-f]{64} is not the pinned"
    ):
        promtool_install.install(
            "9.9.9", into=cache, arch="amd64", base_url=base, sums={("9.9.9", "amd64"): "0" * 64}
        )
    assert not (cache / "promtool-9.9.9" / "promtool").exists()
    path = promtool_install.install(
        "9.9.9", into=cache, arch="amd64", base_url=base, sums={("9.9.9", "amd64"): sha}
    )
    assert path == cache / "promtool-9.9.9" / "promtool"
    assert sorted(p.name for p in path.parent.iterdir()) == ["promtool"]
    assert locate(str(path), env={}).version == promtool.version
    # Once installed, nothing is downloaded again.
    (tmp_path / "releases").rename(tmp_path / "gone")
    assert (
        promtool_install.install(
            "9.9.9", into=cache, arch="amd64", base_url=base, sums={("9.9.9", "amd64"): sha}
        )
        == path
    )


def test_install_refuses_an_unpinned_version_and_a_missing_download(tmp_path: Path) -> None:
    with pytest.raises(promtool_install.InstallError, match=r"no pinned sha256 for promtool 1\.0"):
        promtool_install.install("1.0.0", into=tmp_path, arch="amd64")
    with pytest.raises(promtool_install.InstallError, match="cannot download file:"):
        promtool_install.install(
            "9.9.9",
            into=tmp_path,
            arch="amd64",
            base_url=(tmp_path / "nothing").as_uri(),
            sums={("9.9.9", "amd64"): "0" * 64},
        )


def test_install_if_missing_leaves_a_configured_promtool_alone(
    repo: Path, promtool: Promtool
) -> None:
    done = promrules(repo, promtool, "install-promtool", "--if-missing")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
