"""Files that are not regular files are refused by name, never read or skipped.

A device or FIFO would be read forever (or block collection); a dangling
symlink or a symlink loop in a rule or test folder is something bare
`promtool check rules` fails on, so it must not vanish from the run.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.helpers import PASSING_TEST, RULES


@pytest.fixture
def project(pytester: pytest.Pytester, promtool_env: object) -> pytest.Pytester:
    pytester.makefile(".yml", rules=RULES)
    return pytester


@pytest.mark.parametrize(
    ("description", "make", "message"),
    [
        ("a character device", lambda folder: "/dev/zero", "a character device"),
        (
            "a FIFO",
            lambda folder: (os.mkfifo(folder / "pipe.yml"), "pipe.yml")[1],
            "a FIFO (named pipe)",
        ),
    ],
)
def test_a_rule_files_entry_that_is_not_a_regular_file_is_refused(
    project: pytest.Pytester, description: str, make: object, message: str
) -> None:
    assert callable(make)
    special = make(project.path)
    project.makefile(".yml", demo_test=PASSING_TEST.replace("[rules.yml]", f"[{special}]"))
    result = project.runpytest("--promrules-timeout=60", "demo_test.yml")
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines(
        [f"*demo_test.yml:1: rule_files entry '{special}' is {message}, not a regular file*"]
    )


def _socket(path: Path) -> Path:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path.relative_to(Path.cwd())))  # a full path may be too long for AF_UNIX
    server.close()  # the socket file stays
    return path


@pytest.mark.parametrize(
    ("description", "make", "message"),
    [
        (
            "a dangling symlink",
            lambda path: path.symlink_to("nowhere.yml"),
            "cannot read: No such file or directory (a symlink to nowhere.yml)",
        ),
        (
            "a symlink loop",
            lambda path: path.symlink_to(path.name),
            "cannot read: Too many levels of symbolic links (a symlink to *)",
        ),
        ("a FIFO", os.mkfifo, "not a regular file: a FIFO (named pipe)"),
        ("a socket", _socket, "not a regular file: a socket"),
    ],
)
@pytest.mark.parametrize("folder", ["rules", "rule_tests"])
def test_an_unreadable_entry_in_a_rule_or_test_folder_is_a_load_error(
    project: pytest.Pytester, folder: str, description: str, make: object, message: str
) -> None:
    assert callable(make)
    target = project.mkdir(folder) / "odd.yml"
    make(target)
    result = project.runpytest("-p", "no:cacheprovider", folder)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"{folder}/odd.yml: {message}"])
