"""Derived boundary tests frozen as plain promtool test files (the regression suite).

`generate` writes one file per rule file under rule_tests/generated/;
`document` is the file format (YAML for promtool, a commented header for
promrules); `signature` names what changed in a rule since its file was
generated.
"""

from promrules.snapshot.document import is_generated, read_header
from promrules.snapshot.generate import GenerateReport, find_rule_files, generate, snapshot_path
from promrules.snapshot.signature import AlertSignature, describe_changes

__all__ = [
    "AlertSignature",
    "GenerateReport",
    "describe_changes",
    "find_rule_files",
    "generate",
    "is_generated",
    "read_header",
    "snapshot_path",
]
