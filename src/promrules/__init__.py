"""promrules: unit tests for Prometheus alerting rules, run by the real promtool.

The pytest plugin (`promrules.pytest_plugin.plugin`) is activated by installing the package;
the same library calls are available from Python and from the `promrules` CLI.
"""

from __future__ import annotations

from promrules.engine.execution import run_test_file
from promrules.engine.results import CaseResult, FileResult
from promrules.files.model import (
    Case,
    RuleFile,
    TestFile,
    TestGroup,
    load_rule_file,
    load_test_file,
)
from promrules.promtool.binary import Promtool, PromtoolError, PromtoolRun, locate

__all__ = [
    "Case",
    "CaseResult",
    "FileResult",
    "Promtool",
    "PromtoolError",
    "PromtoolRun",
    "RuleFile",
    "TestFile",
    "TestGroup",
    "load_rule_file",
    "load_test_file",
    "locate",
    "run_test_file",
]

__version__ = "0.1.0"
