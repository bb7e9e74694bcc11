"""The `promrules_scenario` fixture: scenarios bound to the session's promtool.

A test writes `promrules_scenario("rules/system.yml").add(...).expect_firing(...)
.run()` and gets the promtool the session already located (`--promtool`,
PROMTOOL, ini, PATH), with rule paths taken from the rootdir, so the test
does not depend on the directory pytest was started from.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from promrules.authoring.scenario import Scenario, scenario
from promrules.promtool.binary import Promtool, PromtoolError, locate

__all__ = ["ScenarioFactory", "promrules_scenario", "session_promtool"]


class ScenarioFactory:
    """Call it like `promrules.authoring.scenario.scenario`; promtool and base_dir are preset."""

    def __init__(self, promtool: Promtool, base_dir: Path) -> None:
        self.promtool = promtool
        self.base_dir = base_dir

    def __call__(
        self, *rule_files: str | Path, evaluation_interval: str = "1m", name: str = "scenario"
    ) -> Scenario:
        __tracebackhide__ = True  # a mistake shows the caller's line
        return scenario(
            *rule_files,
            evaluation_interval=evaluation_interval,
            name=name,
            promtool=self.promtool,
            base_dir=self.base_dir,
        )


def session_promtool(config: pytest.Config) -> Promtool:
    """The plugin's promtool when the plugin is active, else located the same way."""
    from promrules.pytest_plugin import (
        plugin,  # here, not at the top: plugin may import this module
    )

    state = config.stash.get(plugin.STATE, None)
    if state is not None:
        return state.promtool()
    option = config.getoption("promrules_promtool", default=None)
    return locate(option, None, config.rootpath)


@pytest.fixture
def promrules_scenario(request: pytest.FixtureRequest) -> ScenarioFactory:
    """A factory of scenarios that run with the session's promtool."""
    try:
        promtool = session_promtool(request.config)
    except PromtoolError as exc:
        pytest.fail(f"promrules_scenario needs promtool: {exc}", pytrace=False)
    return ScenarioFactory(promtool, request.config.rootpath)
