"""mutate/severity: the `severity` label changed to another level.

critical becomes warning, warning becomes critical, info becomes warning,
anything else becomes critical. Routing hangs on this label, so a test
should state it in `exp_labels`; a survivor means none does.
"""

from __future__ import annotations

from collections.abc import Iterator

from promrules.files import yamlnodes as yn
from promrules.mutate import yamltext
from promrules.mutate.base import AlertSite, Mutant, operator

OTHER_LEVEL = {"critical": "warning", "warning": "critical", "info": "warning"}


@operator("severity", rank=5)
def change_severity(site: AlertSite) -> Iterator[Mutant]:
    node = site.value("labels", "severity")
    old = yn.scalar(node)
    if old is None:
        return
    new = OTHER_LEVEL.get(old, "critical")
    edit = yamltext.value_edit(site.text, node, 0, len(old), new) if old else None
    yield site.mutant("severity", f"severity: {old} -> {new}", edit, ("labels", "severity"), new)
