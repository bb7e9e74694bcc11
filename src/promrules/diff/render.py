"""An AlertDiff as terminal text or as Markdown for a pull-request comment.

Both say the same things in the same order: added, removed, renamed,
changed; each change with what it means for when the alert fires, and, when
derived, the firing point before and after (kind `firing`).
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.diff.changes import Alert, AlertDiff, Change

__all__ = ["markdown_lines", "text_lines"]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}"


def _counts(diff: AlertDiff) -> str:
    parts = [
        (len(diff.added), "added"),
        (len(diff.removed), "removed"),
        (len(diff.renamed), "renamed"),
        (len(diff.changed), "changed"),
    ]
    return ", ".join(_plural(n, word) for n, word in parts if n)


def _label(change: Change) -> str:
    return f"{change.kind} {change.key}" if change.key else change.kind


def _short(value: str | None, limit: int = 80) -> str:
    if value is None:
        return "(none)"
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _change_text(change: Change) -> Iterator[str]:
    if change.kind == "firing":
        yield f"    firing point: {change.note}"
        return
    label = _label(change)
    if change.kind == "expr" or (change.kind == "annotation" and change.old and change.new):
        yield f"    {label}:"
        yield f"      - {_short(change.old, 200)}"
        yield f"      + {_short(change.new, 200)}"
    elif change.old is None:
        yield f"    {label}: added {_short(change.new)}"
    elif change.new is None:
        yield f"    {label}: removed (was {_short(change.old)})"
    else:
        yield f"    {label}: {_short(change.old)} -> {_short(change.new)}"
    if change.note:
        yield f"      {change.note}"


def text_lines(diff: AlertDiff, base: str, head: str) -> Iterator[str]:
    """The diff for a terminal."""
    if diff.empty:
        yield f"No alert rule changes from {base} to {head}."
    else:
        yield f"Alert rule changes from {base} to {head}: {_counts(diff)}"
    for alert in diff.added:
        yield f"  added    {alert.name}  ({alert.path})"
    for alert in diff.removed:
        yield f"  removed  {alert.name}  ({alert.path})"
    for old, new, changes in diff.renamed:
        yield f"  renamed  {old.name} -> {new.name}  ({new.path})"
        for change in changes:
            yield from _change_text(change)
    for _old, new, changes in diff.changed:
        yield f"  changed  {new.name}  ({new.path})"
        for change in changes:
            yield from _change_text(change)
    for path in diff.ignored:
        yield f"  (not a rule file, ignored: {path})"


def _code(value: str | None) -> str:
    if value is None:
        return "*(none)*"
    flat = " ".join(value.split())
    fence = "``" if "`" in flat else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _change_markdown(change: Change) -> str:
    if change.kind == "firing":
        return f"Firing point: {change.note}."
    label = _label(change)
    if change.old is None:
        text = f"{label}: added {_code(change.new)}"
    elif change.new is None:
        text = f"{label}: removed (was {_code(change.old)})"
    else:
        text = f"{label}: {_code(change.old)} → {_code(change.new)}"
    return f"{text}. {change.note[0].upper()}{change.note[1:]}." if change.note else text


def _alert_md(alert: Alert) -> str:
    return f"`{alert.name}` in `{alert.path}`"


def markdown_lines(diff: AlertDiff, base: str, head: str) -> Iterator[str]:
    """The diff as a pull-request comment."""
    yield f"### Alert rule changes: `{base}` → {head if head == 'working tree' else f'`{head}`'}"
    yield ""
    if diff.empty:
        yield "No alert rule changes."
        return
    yield f"**{_counts(diff)}**"
    sections: list[tuple[str, list[str]]] = [
        ("Added", [f"- {_alert_md(a)}" for a in diff.added]),
        ("Removed", [f"- {_alert_md(a)}" for a in diff.removed]),
    ]
    renamed = []
    for old, new, changes in diff.renamed:
        renamed.append(f"- `{old.name}` → {_alert_md(new)}")
        renamed += [f"  - {_change_markdown(c)}" for c in changes]
    changed = []
    for _old, new, changes in diff.changed:
        changed.append(f"- {_alert_md(new)}")
        changed += [f"  - {_change_markdown(c)}" for c in changes]
    sections += [("Renamed", renamed), ("Changed", changed)]
    for title, lines in sections:
        if lines:
            yield ""
            yield f"#### {title}"
            yield ""
            yield from lines
    if diff.ignored:
        yield ""
        yield "Not rule files, ignored: " + ", ".join(f"`{p}`" for p in diff.ignored)
