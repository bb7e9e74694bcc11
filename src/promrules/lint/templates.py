"""What Go templates in labels and annotations refer to, read from their text.

Only the `{{ ... }}` actions matter; references are found inside them, so
literal text such as "$labels" in prose is not taken for one.
"""

from __future__ import annotations

import re

__all__ = ["actions", "label_references", "prose", "uses_value"]

_ACTION_RE = re.compile(r"\{\{-?(.*?)-?\}\}", re.DOTALL)
_LABEL_RE = re.compile(
    r"""(?:\$labels|\$\.Labels|(?<![\w$])\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)"""
    r"""|index\s+(?:\$labels|\$?\.Labels)\s+"([^"]+)"\s*"""
)
_VALUE_RE = re.compile(r"\$value\b|(?<![\w$])\.Value\b|\$\.Value\b")


def actions(text: str) -> list[str]:
    """The insides of the template's `{{ }}` actions."""
    return _ACTION_RE.findall(text)


def prose(text: str) -> str:
    """The template with its actions blanked out: the words a reader sees around them."""
    return _ACTION_RE.sub(" ", text)


def label_references(text: str) -> list[str]:
    """Label names the template reads from `$labels` / `.Labels`, in order, without repeats."""
    found: list[str] = []
    for action in actions(text):
        for dotted, indexed in _LABEL_RE.findall(action):
            name = dotted or indexed
            if name not in found:
                found.append(name)
    return found


def uses_value(text: str) -> bool:
    """Whether the template reads the sample value (`$value`, `.Value`)."""
    return any(_VALUE_RE.search(action) for action in actions(text))
