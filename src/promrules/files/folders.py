"""YAML entries of the rule and test folders that pytest's directory walk passes over.

pytest collects only what `is_file()` says is a file, so a dangling symlink,
a symlink loop, a FIFO or a device named `*.yml` is skipped without a word,
while bare `promtool check rules` fails on it. The plugin turns each into a
load error naming the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["unreadable_entries"]

_YAML_SUFFIXES = (".yml", ".yaml")


def unreadable_entries(folder: Path, roots: Iterable[Path]) -> list[Path]:
    """The YAML-named entries of `folder` (inside one of `roots`) that are not
    regular files or directories, after following symlinks."""
    if not any(folder == root or folder.is_relative_to(root) for root in roots):
        return []
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if not entry.name.endswith(_YAML_SUFFIXES):
            continue
        try:
            skipped = not (entry.is_file() or entry.is_dir())
        except OSError:
            skipped = True
        if skipped:
            found.append(Path(entry.path))
    return sorted(found)
