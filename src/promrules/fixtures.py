"""`promrules.fixtures` as users import it; the code lives in `promrules.pytest_plugin.fixtures`."""

from promrules.pytest_plugin.fixtures import (
    ScenarioFactory,
    promrules_scenario,
    session_promtool,
)

__all__ = [
    "ScenarioFactory",
    "promrules_scenario",
    "session_promtool",
]
