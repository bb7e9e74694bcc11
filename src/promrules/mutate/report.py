"""The mutation report: a per-alert table, the survivors, and one score line.

The table answers "which alerts are weakly tested", the survivor list
says exactly which change went unnoticed and where, and the last line is
the score that `--fail-under` gates on.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from promrules.mutate.runner import MutationRun, Outcome

__all__ = ["MutationReport"]


def _percent(part: int, whole: int) -> float:
    """Rounded down, so 99.96% never shows as 100%."""
    return math.floor(1000 * part / whole) / 10 if whole else 100.0


@dataclass(frozen=True)
class MutationReport:
    run: MutationRun
    operators: Sequence[str]

    def _count(self, status: str) -> int:
        return sum(1 for outcome in self.run.outcomes if outcome.status == status)

    @property
    def killed(self) -> int:
        return self._count("killed")

    @property
    def judged(self) -> int:
        """Mutants that ran: skipped ones (never placed) do not count."""
        return len(self.run.outcomes) - self._count("skipped")

    @property
    def score(self) -> float:
        return _percent(self.killed, self.judged)

    def _rows(self) -> dict[str, dict[str, list[Outcome]]]:
        rows: dict[str, dict[str, list[Outcome]]] = {}
        for outcome in self.run.outcomes:
            mutant = outcome.mutant
            key = f"{mutant.path}\0{mutant.alert}"
            rows.setdefault(key, {}).setdefault(mutant.operator, []).append(outcome)
        return rows

    def table(self) -> Iterator[str]:
        """Per rule file, per alert: killed/total for each operator."""
        rows = self._rows()
        width = max([len("alert"), *(len(k.split("\0")[1]) for k in rows)])
        widths = [max(len(name), 5) for name in self.operators]
        header = "  ".join(f"{n:<{w}}" for n, w in zip(self.operators, widths, strict=True))
        current = None
        for key, by_operator in rows.items():
            path, alert = key.split("\0")
            if path != current:
                current = path
                yield ""
                yield path
                yield f"  {'alert':<{width}}  {header}".rstrip()
            cells = []
            for name, cell_width in zip(self.operators, widths, strict=True):
                ran = [o for o in by_operator.get(name, []) if o.status != "skipped"]
                killed = sum(1 for o in ran if o.status == "killed")
                cell = f"{killed}/{len(ran)}" if ran else "-"
                cells.append(f"{cell:<{cell_width}}")
            yield f"  {alert:<{width}}  {'  '.join(cells)}".rstrip()

    def totals(self) -> Iterator[str]:
        """Killed/run per operator over all alerts: which kind of change goes unnoticed."""
        width = max(len(name) for name in self.operators)
        yield ""
        yield "By operator:"
        for name in self.operators:
            ran = [o for o in self.run.outcomes if o.mutant.operator == name]
            ran = [o for o in ran if o.status != "skipped"]
            killed = sum(1 for o in ran if o.status == "killed")
            score = f"{_percent(killed, len(ran)):.1f}%" if ran else "-"
            yield f"  {name:<{width}}  {killed}/{len(ran)}  {score}".rstrip()

    def _listing(self, status: str, title: str) -> Iterator[str]:
        chosen = [o for o in self.run.outcomes if o.status == status]
        if not chosen:
            return
        yield ""
        yield f"{title} ({len(chosen)}):"
        for outcome in chosen:
            mutant = outcome.mutant
            yield f"  {mutant.where}  {mutant.alert}  {mutant.operator}: {mutant.description}"
            if outcome.detail and status != "survived":
                first = outcome.detail.strip().splitlines()[:3]
                yield from (f"      {line}" for line in first)
            elif outcome.detail:
                yield f"      {outcome.detail}"

    def summary(self) -> str:
        run = self.run
        plural = "" if run.workers == 1 else "s"
        return (
            f"Mutation score: {self.killed}/{self.judged} killed ({self.score:.1f}%), "
            f"{self._count('survived')} survived, {self._count('error')} errors, "
            f"in {run.seconds:.1f}s with {run.workers} worker{plural} (promtool {run.promtool})"
        )

    def lines(self) -> Iterator[str]:
        yield from self.table()
        yield from self.totals()
        yield from self._listing("survived", "Survived")
        yield from self._listing("error", "Errors")
        yield from self._listing("skipped", "Not placed")
        yield ""
        yield self.summary()
