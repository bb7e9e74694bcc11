"""Values a derived case prints are their shortest exact forms (90.1, not 90.10000000000001).

The calibration picks knob values; picked by plain arithmetic (`1.1 * 1.01`,
midpoints) they print as 1.1110000000000002. solve.tidy keeps every pick
that is not an exact-threshold search to the shortest decimal nearby; the
series made from a knob (a counter's samples, scaled partners, timestamps)
are computed on the knob's decimal (derive.decimals), and readings are
shown in the shortest form on the same side of the threshold.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from promrules.cli import command as cli
from promrules.derive import derive_rule_files
from promrules.derive.decimals import product, shown, total
from promrules.derive.patterns.age import Age
from promrules.derive.patterns.base import Context
from promrules.derive.patterns.counter import accumulate, sawtooth
from promrules.derive.solve import tidy
from promrules.promtool.binary import Promtool

THRESHOLDS = (1.1, 0.8, 0.2, 3.3, 0.05, 0.95, 90)
_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")
_ANY_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.])")

# Alerts whose cases build series by arithmetic on knobs: a counter's samples,
# a ratio's partners scaled together, timestamps against time().
NOISY_BEFORE = """\
groups:
  - name: noise
    rules:
      - alert: ErrorRatio
        expr: sum(rate(errors_total[5m])) / sum(rate(requests_total[5m])) * 100 > 15
        for: 5m
      - alert: SlowRate
        expr: rate(events_total[5m]) > 0.5
      - alert: StaleJob
        expr: time() - job_last_success_timestamp_seconds > 84.9
"""


def _noisy(text: str) -> list[str]:
    """Numbers printed with float noise: a decimal of 12 digits lies within 1e-12 of them."""
    found = []
    for number in _ANY_NUMBER.findall(text):
        value = float(number)
        short = float(f"{value:.12g}")
        if len(number.lstrip("-").replace(".", "").lstrip("0")) > 13 and (
            abs(short - value) <= abs(value) * 1e-12
        ):
            found.append(number)
    return found


def test_tidy_takes_the_shortest_decimal_inside_the_bounds() -> None:
    assert tidy(90.10000000000001, 90.05, 90.15) == 90.1
    assert tidy(1.1 * 1.01, 1.11, 1.112) == 1.111
    assert tidy(0.3, 0.31, 0.4) == 0.3  # nothing shorter inside: the value itself


def test_derived_cases_print_short_values(promtool: Promtool, tmp_path: Path) -> None:
    rules = [{"alert": f"A{n}", "expr": f"x{n} > {t}"} for n, t in enumerate(THRESHOLDS)]
    path = tmp_path / "rules.yml"
    path.write_text(json.dumps({"groups": [{"name": "g", "rules": rules}]}))
    long = []
    for derivation in derive_rule_files([path], promtool)[path]:
        for case in derivation.cases:
            long += [n for n in _NUMBER.findall(case.summary) if len(n.lstrip("-0.")) > 8]
            for series in case.group["input_series"]:
                long += [n for n in _NUMBER.findall(series["values"]) if len(n.lstrip("-0.")) > 8]
    assert not long, long


def test_arithmetic_on_printed_decimals_gives_short_results() -> None:
    assert product(0.07, 180) == 12.6 and 0.07 * 180 != 12.6
    assert product(1.1, 1.01) == 1.111 and 1.1 * 1.01 != 1.111
    assert total(1800.1, -84.9) == 1715.2 and 1800.1 - 84.9 != 1715.2
    assert product(math.nextafter(0.07, 1), 180) != 12.6  # a float picked on purpose stays apart


def test_series_made_from_a_knob_print_short() -> None:
    times = [n * 60_000 for n in range(9)]
    saw = sawtooth(lambda _k, _t: 0.0137, "rate", times, 60_000, 4)
    assert set(saw) == {1.644, 3.288}, saw  # in binary: 1.6440000000000001, 3.2880000000000003
    grown = accumulate(lambda _k, _t: 0.07, "rate", times)
    assert grown[3] == 12.6, grown  # in binary: 12.600000000000001
    context = Context(60_000, ())
    ages = Age().values(lambda _k, _t: 84.9, [1_800_100], context)[()]
    assert ages == [1715.2], ages  # in binary: 1715.1999999999998


def test_readings_are_shown_short_but_never_across_the_threshold() -> None:
    assert shown(0.5010000000000001, 0.5) == "0.501"
    assert shown(90.10000000000001) == "90.1"
    assert shown(14.999999999999998, 15) == "14.999999999999998"  # just short of 15 stays so
    assert shown(15.0, 15) == "15"
    assert shown(None) == "nothing"


@pytest.mark.parametrize("value", [0.1 + 0.2, 1 / 3, 1e-05 * 3])
def test_shown_reads_back_within_its_slack(value: float) -> None:
    assert abs(float(shown(value)) - value) <= abs(value) * 1e-12


def test_generated_snapshot_files_have_no_float_noise(
    promtool: Promtool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules" / "noise.yml"
    rules.parent.mkdir()
    rules.write_text(NOISY_BEFORE)
    out = tmp_path / "generated"
    monkeypatch.chdir(tmp_path)
    assert cli.main(["--promtool", promtool.path, "generate", str(rules), "--out", str(out)]) == 0
    text = (out / "noise_test.yml").read_text()
    assert "fires-after-for" in text and "ErrorRatio" in text
    # An at-threshold case may need a float that is no short decimal: time() - x is
    # bit for bit 84.9 only for an x a float's width off 515.1. Its summary is still short.
    groups = re.split(r"(?m)^(?=# \S+ [a-z-]+(?:\[.*\])?: )", text)
    checked = [g for g in groups if "at-threshold: exact:" not in g.splitlines()[0]]
    assert len(checked) >= 10
    assert not _noisy("".join(checked)), _noisy("".join(checked))
    summaries = [g.splitlines()[0] for g in groups]
    assert not _noisy("\n".join(summaries)), summaries
