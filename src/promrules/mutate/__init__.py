"""Mutation testing of alert rules: does the test suite notice a small wrong change?

Each operator lives in a module of its own, named like its docs page
(`mutate/threshold` <-> docs/mutate/threshold.md), and registers itself
with `@operator`. Mutants only ever exist in temporary copies.
"""

from __future__ import annotations

from promrules.mutate import (  # noqa: F401  (importing registers the operators)
    comparison,
    for_duration,
    keep_firing_for,
    matcher,
    severity,
    threshold,
)
from promrules.mutate.base import OPERATORS, AlertSite, Mutant, MutateError, operator
from promrules.mutate.processes import sigterm_as_interrupt
from promrules.mutate.project import Suite, discover, mutants
from promrules.mutate.report import MutationReport
from promrules.mutate.runner import MutationRun, Outcome, run_mutants
from promrules.mutate.steps import nudged, step

__all__ = [
    "OPERATORS",
    "AlertSite",
    "Mutant",
    "MutateError",
    "MutationReport",
    "MutationRun",
    "Outcome",
    "Suite",
    "discover",
    "mutants",
    "nudged",
    "operator",
    "run_mutants",
    "sigterm_as_interrupt",
    "step",
]
