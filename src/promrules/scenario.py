"""`promrules.scenario` as users import it; the code lives in `promrules.authoring.scenario`."""

from promrules.authoring.scenario import (
    Expectation,
    LookbackWarning,
    Scenario,
    ScenarioError,
    ScenarioFailure,
    ScenarioResult,
    UnknownAlertError,
    scenario,
)

__all__ = [
    "Expectation",
    "LookbackWarning",
    "Scenario",
    "ScenarioError",
    "ScenarioFailure",
    "ScenarioResult",
    "UnknownAlertError",
    "scenario",
]
