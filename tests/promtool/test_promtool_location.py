"""promtool is taken from option, env, ini, project set-up, PATH, in that order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from promrules.promtool.binary import Promtool, PromtoolError, locate
from tests.helpers import RULES


def fake_promtool(directory: Path, name: str, script: str) -> Path:
    """A stand-in for faults the real promtool can't produce (old version, garbage)."""
    path = directory / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return path


def test_option_beats_env_beats_ini_beats_project_beats_path(
    tmp_path: Path, promtool: Promtool
) -> None:
    real = promtool.path
    project = tmp_path / "project" / ".tools" / "bin"
    project.mkdir(parents=True)
    (project / "promtool").symlink_to(real)
    env = {"PATH": str(Path(real).parent), "PROMTOOL": real}
    root = tmp_path / "project"
    assert locate(real, "nope", root, env).source == "--promtool"
    assert locate(None, "nope", root, env).source == "PROMTOOL environment variable"
    env.pop("PROMTOOL")
    assert locate(None, real, root, env).source == "promtool ini setting"
    assert locate(None, None, root, env).source.startswith("the project's set-up")
    assert locate(None, None, tmp_path, env).source == "PATH"


def test_the_first_configured_source_wins_even_when_broken(
    tmp_path: Path, promtool: Promtool
) -> None:
    env = {"PATH": str(Path(promtool.path).parent), "PROMTOOL": str(tmp_path / "nothing")}
    with pytest.raises(PromtoolError, match=r"promtool not found at .*nothing.*PROMTOOL"):
        locate(None, None, tmp_path, env)


def test_missing_everywhere(tmp_path: Path) -> None:
    with pytest.raises(PromtoolError, match="promtool not found: pass --promtool"):
        locate(None, None, tmp_path, {"PATH": str(tmp_path)})


def test_not_executable(tmp_path: Path) -> None:
    target = tmp_path / "promtool"
    target.write_text("")
    with pytest.raises(PromtoolError, match="is not executable"):
        locate(str(target), None, tmp_path, {})


def test_too_old(tmp_path: Path) -> None:
    old = fake_promtool(tmp_path, "promtool", 'echo "promtool, version 2.41.0 (branch: x)"\n')
    with pytest.raises(
        PromtoolError, match=r"promtool 2\.41\.0 .* is too old: promrules needs 2\.42\.0"
    ):
        locate(str(old), None, tmp_path, {})


def test_not_promtool(tmp_path: Path) -> None:
    other = fake_promtool(tmp_path, "promtool", "echo hello\n")
    with pytest.raises(PromtoolError, match="did not report a promtool version"):
        locate(str(other), None, tmp_path, {})


def test_the_real_version_is_read(promtool: Promtool) -> None:
    assert promtool.version >= (2, 42, 0)
    assert promtool.version_text.count(".") == 2


@pytest.mark.parametrize("problem", ["missing", "old"])
def test_pytest_refuses_with_one_clear_line(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    pytester.makefile(".yml", rules=RULES)
    if problem == "missing":
        monkeypatch.setenv("PROMTOOL", str(pytester.path / "no-such-promtool"))
        expected = "ERROR: promrules: promtool not found at*no-such-promtool*"
    else:
        old = fake_promtool(pytester.path, "old-promtool", 'echo "promtool, version 2.30.1"\n')
        monkeypatch.setenv("PROMTOOL", str(old))
        expected = "ERROR: promrules: promtool 2.30.1 at*is too old*"
    result = pytester.runpytest_subprocess("rules.yml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([expected])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_the_header_names_promtool_path_and_version(
    pytester: pytest.Pytester, promtool_env: Promtool
) -> None:
    result = pytester.runpytest("--collect-only")
    result.stdout.fnmatch_lines(
        [f"promrules: promtool {promtool_env.version_text} at {promtool_env.path} (from PROMTOOL*"]
    )


def test_the_promtool_option_wins_over_the_environment(
    pytester: pytest.Pytester, promtool_env: Promtool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMTOOL", "/nonexistent/promtool")
    result = pytester.runpytest("--collect-only", f"--promtool={promtool_env.path}")
    result.stdout.fnmatch_lines(["promrules: promtool * (from --promtool)"])


def test_the_ini_option_is_used(
    pytester: pytest.Pytester, promtool: Promtool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMTOOL", raising=False)
    pytester.makeini(f"[pytest]\npromtool = {promtool.path}\n")
    result = pytester.runpytest("--collect-only")
    result.stdout.fnmatch_lines(["promrules: promtool * (from promtool ini setting)"])
    assert os.environ.get("PROMTOOL") is None


# The `promrules` command takes promtool from the same settings as pytest.

PYPROJECT = """\
[tool.pytest.ini_options]
promtool = "{promtool}"
"""


def promrules(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The console command as a user runs it, without PROMTOOL in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "PROMTOOL"}
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
    """A git repository with one committed rule file and promtool absent from PATH."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "demo.yml").write_text(RULES)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    identity = ["-c", "user.name=promrules", "-c", "user.email=promrules@example.invalid"]
    subprocess.run(["git", "add", "rules"], cwd=tmp_path, check=True)
    subprocess.run(["git", *identity, "commit", "-qm", "rules"], cwd=tmp_path, check=True)
    return tmp_path


def test_which_names_the_promtool_of_the_ini_setting_as_pytest_does(
    repo: Path, promtool: Promtool, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.format(promtool=promtool.path))
    done = promrules(repo, "which")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        f"promtool {promtool.version_text} at {promtool.path} (from promtool ini setting)\n"
    )
    monkeypatch.delenv("PROMTOOL", raising=False)
    monkeypatch.chdir(repo)
    header = pytester.runpytest_subprocess("--collect-only", "-p", "no:cacheprovider", repo)
    header.stdout.fnmatch_lines([f"promrules: {done.stdout.strip()}"])


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("which",), "promrules: promtool not found at 'nowhere/promtool' (from promtool ini"),
        (("generate",), "promrules generate: promtool not found at 'nowhere/promtool' (from"),
        (("mutate",), "promrules mutate: promtool not found at 'nowhere/promtool' (from"),
    ],
    ids=["which", "generate", "mutate"],
)
def test_every_command_refuses_a_broken_ini_promtool_rather_than_another_one(
    repo: Path, args: tuple[str, ...], expected: str
) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.format(promtool="nowhere/promtool"))
    done = promrules(repo, *args)
    assert done.returncode == 2
    assert done.stderr.startswith(expected), done.stderr
    assert not (repo / "rule_tests").exists()


def test_diff_derives_with_the_ini_promtool(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.format(promtool="nowhere/promtool"))
    (repo / "rules" / "demo.yml").write_text(RULES.replace("> 90", "> 85"))
    done = promrules(repo, "diff", "HEAD")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines()[-1] == (
        "    firing point: not derived: no promtool: promtool not found at "
        "'nowhere/promtool' (from promtool ini setting)"
    )


def test_the_command_line_promtool_still_wins_over_the_ini_setting(
    repo: Path, promtool: Promtool
) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT.format(promtool="nowhere/promtool"))
    done = promrules(repo, "--promtool", promtool.path, "which")
    assert done.stdout.endswith("(from --promtool)\n"), done.stderr


def test_broken_pytest_settings_are_one_line_not_a_traceback(repo: Path) -> None:
    (repo / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    done = promrules(repo, "which")
    assert done.returncode == 2
    assert done.stderr.startswith("promrules: pytest could not read this repository's settings")
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
