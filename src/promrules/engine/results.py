"""Verdicts of test files and their cases, as frozen plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from promrules.files.model import Case, TestFile, TestGroup
from promrules.promtool.binary import PromtoolRun
from promrules.promtool.output import Failure

__all__ = ["CaseKey", "CaseResult", "FileResult", "Status", "case_key"]

Status = Literal["passed", "failed", "error"]
CaseKey = tuple[int, str, int]  # group index, case kind, index among that kind


def case_key(group: TestGroup, case: Case) -> CaseKey:
    return (group.index, case.kind, case.index)


@dataclass(frozen=True)
class CaseResult:
    status: Status
    failures: tuple[Failure, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class FileResult:
    """Per-case verdicts of one test file, plus the raw runs behind them."""

    test_file: TestFile
    verdicts: dict[CaseKey, CaseResult] = field(default_factory=dict)
    file_error: str | None = None
    runs: tuple[PromtoolRun, ...] = ()

    def result_for(self, group: TestGroup, case: Case) -> CaseResult:
        if self.file_error is not None:
            return CaseResult("error", message=self.file_error)
        return self.verdicts.get(case_key(group, case), CaseResult("passed"))

    @property
    def passed(self) -> bool:
        return self.file_error is None and all(v.status == "passed" for v in self.verdicts.values())
