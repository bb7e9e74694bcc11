"""`promrules.timeline` as users import it; the code lives in `promrules.authoring.timeline`."""

from promrules.authoring.timeline import (
    Timeline,
    build,
    build_for_group,
    failure_timeline,
)

__all__ = [
    "Timeline",
    "build",
    "build_for_group",
    "failure_timeline",
]
