"""`pytest --promrules-update`: the plugin's way into `generate`, with its settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from promrules.promtool.binary import PromtoolError
from promrules.snapshot.generate import find_rule_files, generate

if TYPE_CHECKING:
    from promrules.pytest_plugin.live import LiveDerivation
    from promrules.session.state import SessionState

__all__ = ["update_snapshots"]


def update_snapshots(state: SessionState, live: LiveDerivation) -> list[str]:
    """Regenerate every rule file's snapshot; the summary lines for the terminal."""
    try:
        promtool = state.promtool()
    except PromtoolError as exc:
        raise pytest.UsageError(f"promrules: {exc}") from None
    roots = [root for root in live.rule_roots if root.exists()]
    if not roots:
        shown = ", ".join(str(r) for r in live.rule_roots)
        return [f"no rule folder found ({shown}); nothing generated"]
    report = generate(
        promtool,
        find_rule_files(roots),
        live.generated_dir,
        rule_roots=roots,
        rootdir=live.rootdir,
        workers=live.workers,
    )
    return report.lines(live.rootdir)
