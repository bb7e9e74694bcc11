"""mutate/for: `for:` one evaluation interval longer and shorter, and removed.

An alert without `for:` gets `for: <interval>` instead: it must fire at
the first evaluation where its condition holds, and a test should say so.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.mutate.base import AlertSite, Mutant, operator
from promrules.mutate.timing import duration_mutants


@operator("for", rank=3)
def change_for(site: AlertSite) -> Iterator[Mutant]:
    return duration_mutants(site, "for", "for", add=True)
