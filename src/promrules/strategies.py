"""`promrules.strategies` as users import it; the code lives in `promrules.authoring.strategies`."""

from promrules.authoring.strategies import (
    DEEP_EXAMPLES,
    QUICK_EXAMPLES,
    around,
    counters,
    gauges,
    profile,
    register_profiles,
    scenarios,
)

__all__ = [
    "DEEP_EXAMPLES",
    "QUICK_EXAMPLES",
    "around",
    "counters",
    "gauges",
    "profile",
    "register_profiles",
    "scenarios",
]
