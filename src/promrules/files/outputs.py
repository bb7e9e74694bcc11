"""Writing the files a run was asked to produce, with one clear line when it can't.

Reports (`--promrules-html`, `--promrules-cov-json`) and generated tests go
to paths the user names; a folder there, a file where a folder should be, or
a read-only place must say which path and why, not end the run in a
traceback. The plugin keeps these lines and prints them after the test
results, which are still reported.
"""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = ["OutputError", "check_folder", "write_text"]


class OutputError(Exception):
    """An output promrules was asked to write cannot be written; says where and why."""


def _reason(exc: OSError, path: Path) -> str:
    culprit = Path(exc.filename) if exc.filename else path
    if exc.errno == errno.EISDIR or (culprit == path and path.is_dir()):
        return "it is a folder"
    if exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return f"{_first_file(path)} is a file, not a folder"
    return exc.strerror or str(exc)


def _first_file(path: Path) -> Path:
    """The first part of `path` that exists and is not a folder."""
    for part in reversed(path.parents):
        if part.exists() and not part.is_dir():
            return part
    return path


def check_folder(path: Path, what: str) -> None:
    """Refuse early a folder that can never be written: a file is in the way."""
    if path.exists() and not path.is_dir():
        blocked = path
    elif (blocked := _first_file(path)) == path:
        return
    raise OutputError(f"cannot write {what} to {path}: {blocked} is a file, not a folder")


def write_text(path: Path, text: str, what: str) -> None:
    """Write `text` to `path`, making its folder; OutputError when that can't be done."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {_reason(exc, path)}") from None
