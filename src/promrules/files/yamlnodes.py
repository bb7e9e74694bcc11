"""Reading YAML as a node tree, so every value keeps its line number.

Composing (not constructing) also means aliases stay shared references, so an
alias bomb costs nothing until someone walks it, and scalars keep the exact
text and style they were written with, which matters when a node is written
back out for promtool.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import yaml

from promrules.files.goyaml import Reading, resolve

__all__ = [
    "MAX_FILE_BYTES",
    "Reading",
    "YamlError",
    "compose_file",
    "file_kind",
    "get",
    "line_of",
    "read_file",
    "scalar",
    "sequence",
]

MAX_FILE_BYTES = 32 * 1024 * 1024
# libyaml's composer when PyYAML has it: an order of magnitude faster, same nodes and marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlError(Exception):
    """A file that cannot be read as YAML; says where."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def shown_from(self, root: Path) -> str:
        """The same message with the path relative to `root` where possible."""
        path = Path(self.path)
        where = str(path.relative_to(root)) if path.is_relative_to(root) else self.path
        where = f"{where}:{self.line}" if self.line else where
        return f"{where}: {self.message}"


def compose_file(path: Path) -> yaml.Node | None:
    """The root node of a YAML file as promtool reads it, or None for an empty document."""
    return read_file(path).root


def read_file(path: Path) -> Reading:
    """A YAML file as promtool reads it (merge keys applied), and what makes that uncertain."""
    root, more = _compose(path)
    reading = resolve(root)
    if more:  # yaml.v2 decodes the first document and never looks further
        why = "the file holds more than one YAML document; promtool reads only the first"
        return Reading(reading.root, (*reading.doubts, why))
    return reading


def _first_document(text: str) -> tuple[yaml.Node | None, bool]:
    """The first document's root (None if empty), and whether anything follows it."""
    loader = _LOADER(text)
    try:
        root = loader.get_node() if loader.check_node() else None
        try:
            more = loader.check_node()
        except yaml.YAMLError:
            more = True  # promtool does not read that far either
        return root, more
    finally:
        loader.dispose()


def _compose(path: Path) -> tuple[yaml.Node | None, bool]:
    """The first document of a YAML file as written (None if empty), and if more follow."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a device or FIFO would be read forever
            raise YamlError(str(path), None, f"not a regular file: {file_kind(status.st_mode)}")
        if status.st_size > MAX_FILE_BYTES:
            raise YamlError(
                str(path), None, f"file is {status.st_size} bytes, over the {MAX_FILE_BYTES} limit"
            )
        with path.open("rb") as handle:  # bounded: the size stat reports is not a promise
            raw = handle.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            raise YamlError(str(path), None, f"file is over the {MAX_FILE_BYTES} bytes limit")
    except OSError as exc:
        link = f" (a symlink to {os.readlink(path)})" if path.is_symlink() else ""
        raise YamlError(str(path), None, f"cannot read: {exc.strerror}{link}") from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(str(path), line, "not valid UTF-8") from exc
    try:
        return _first_document(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(str(path), where, f"invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(str(path), None, f"invalid YAML: {exc}") from exc


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words: "a character device", "a FIFO", ..."""
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key` of a mapping node (None if absent or not a mapping)."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node  # type: ignore[no-any-return]
    return None


def scalar(node: yaml.Node | None) -> str | None:
    """The text of a scalar node, exactly as written (None for non-scalars and null)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)


def sequence(node: yaml.Node | None) -> list[yaml.Node]:
    """The items of a sequence node; anything else reads as empty."""
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def describe(node: yaml.Node | None) -> str:
    """What a document's top level is, in words, for error messages."""
    if node is None:
        return "the file is empty"
    if isinstance(node, yaml.SequenceNode):
        return "its top level is a list"
    if isinstance(node, yaml.ScalarNode):
        return "its top level is a single value"
    return f"its top level has the keys {', '.join(keys(node)) or '(none)'}"


def keys(node: yaml.Node | None) -> list[str]:
    if not isinstance(node, yaml.MappingNode):
        return []
    return [str(k.value) for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
