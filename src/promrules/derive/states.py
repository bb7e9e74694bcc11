"""The alert states Prometheus goes through, given when the condition holds.

This is the rule manager's state machine, not PromQL: an alert becomes
pending at the first tick its condition holds, fires at the first tick
where tick - active >= for (at once when for is 0), is dropped at the first
tick the condition no longer holds unless it was firing and keep_firing_for
keeps it until tick - first-miss >= keep_firing_for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

__all__ = ["State", "alert_states"]

State = Literal["inactive", "pending", "firing"]


def alert_states(
    ticks: Sequence[int], holds: Sequence[bool], for_ms: int, keep_firing_for_ms: int
) -> list[State]:
    """The state after the evaluation at each tick."""
    states: list[State] = []
    state: State = "inactive"
    active_at = 0
    missing_since: int | None = None
    for tick, true in zip(ticks, holds, strict=True):
        if true:
            missing_since = None
            if state == "inactive":
                state, active_at = "pending", tick
            if state == "pending" and tick - active_at >= for_ms:
                state = "firing"
        elif state == "firing" and keep_firing_for_ms > 0:
            if missing_since is None:
                missing_since = tick
            if tick - missing_since >= keep_firing_for_ms:
                state, missing_since = "inactive", None
        else:
            state, missing_since = "inactive", None
        states.append(state)
    return states
