"""mutate/keep-firing-for: `keep_firing_for:` one interval longer and shorter, and removed.

Only alerts that have it are mutated: adding one to every alert would
mostly test that alerts resolve, which the `for` mutants already cover.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.mutate.base import AlertSite, Mutant, operator
from promrules.mutate.timing import duration_mutants


@operator("keep-firing-for", rank=4)
def change_keep_firing_for(site: AlertSite) -> Iterator[Mutant]:
    return duration_mutants(site, "keep-firing-for", "keep_firing_for", add=False)
