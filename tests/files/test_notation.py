"""Series notation: expands exactly as promtool does, round-trips, and explains bad input.

The expansion tables are checked twice: against the expected values written
here, and against what the real promtool loads (each value read back from
promtool, step by step, with `timestamp()` telling a sample written at a
step from one seen through the lookback).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from promrules.files import notation
from promrules.files.notation import STALE, Histogram, NotationError, Value, expand, parse
from promrules.files.notation_histogram import parse_histogram
from promrules.promtool import query as probe
from promrules.promtool.binary import Promtool
from promrules.promtool.output import parse_test_output

STEP = 60_000
NAN = float("nan")
INF = float("inf")

EXPANSIONS = [
    ("a+bxn is n+1 values", "1+1x3", [1, 2, 3, 4]),
    ("a-bxn counts down", "10-2x3", [10, 8, 6, 4]),
    ("axn is n+1 copies", "7x2", [7, 7, 7]),
    ("_xn is n missing samples, not n+1", "_x2 5", [None, None, 5]),
    ("_ is one missing sample", "1 _ 3", [1, None, 3]),
    ("stale is a marker in the sequence", "1 stale 3", [1, STALE, 3]),
    ("0x3 is zero repeated, not hex", "0x3", [0, 0, 0, 0]),
    (
        "signed and scientific numbers",
        "1e1 -2 +3 .5 5. 1.5e-3 1E+2",
        [10, -2, 3, 0.5, 5, 0.0015, 100],
    ),
    ("Inf and NaN in any case", "Inf -inf nan", [INF, -INF, NAN]),
    ("Inf repeats through a zero step", "Inf+0x2", [INF, INF, INF]),
    ("NaN can start a run", "NaN+1x1", [NAN, NAN]),
    ("negative start and step", "-1-1x2", [-1, -2, -3]),
    ("x0 is the value alone", "5x0 1+1x0", [5, 1]),
    ("_x0 is nothing", "1 _x0 2", [1, 2]),
    ("steps add up as floats do", "0.1+0.1x3", [0.1, 0.2, 0.1 + 0.1 + 0.1, 0.1 + 0.1 + 0.1 + 0.1]),
    ("a repeat count may have leading zeros", "1x03", [1, 1, 1, 1]),
    ("extra spaces are ignored", "  1   2  ", [1, 2]),
    ("negative zero keeps its sign", "-0x1", [-0.0, -0.0]),
    ("items combine", "0+10x2 _x2 stale 7x1", [0, 10, 20, None, None, STALE, 7, 7]),
]

H1 = Histogram(schema=0, sum=5, count=4, buckets=(1, 2, 1))
H2 = Histogram(schema=0, sum=1, count=2, buckets=(1, 1))
HISTOGRAMS = [
    ("a native histogram", "{{schema:0 sum:5 count:4 buckets:[1 2 1]}}", [H1]),
    ("a histogram run is n+1 copies", "{{schema:0 sum:5 count:4 buckets:[1 2 1]}}x2", [H1] * 3),
    (
        "a histogram step adds bucket by bucket",
        "{{schema:0 sum:5 count:4 buckets:[1 2 1]}}+{{schema:0 sum:1 count:2 buckets:[1 1]}}x2",
        [
            H1,
            replace(H1, sum=6, count=6, buckets=(2, 3, 1)),
            replace(H1, sum=7, count=8, buckets=(3, 4, 1)),
        ],
    ),
    ("histograms mix with floats and gaps", "1 {{count:1}} _", [1, Histogram(count=1), None]),
    ("extra spaces between fields", "{{sum:5  count:4 }}", [Histogram(sum=5, count=4)]),
]
assert H2  # used in the step case above, spelled out for readers

BAD = [
    ("a step with two signs", "1+-1x3", 1, "1+-1x3", "a+bxN"),
    ("stale repeated", "stalex3", 1, "stalex3", "'_xN'"),
    ("a space before x", "1 x3", 3, "x3", "'5x10'"),
    ("a step without a count", "1+1", 1, "1+1", "'1+1x10'"),
    ("a fractional count", "1x3.5", 1, "1x3.5", "'5x10'"),
    ("a negative count", "1x-3", 1, "1x-3", "'5x10'"),
    ("commas", "1,2", 1, "1,2", "'1 2 3'"),
    ("a word", "1 abc", 3, "abc", "'0+10x5"),
    ("Inf repeated directly", "Infx3", 1, "Infx3", "'Inf+0x3'"),
    ("a duration", "1m", 1, "1m", "'60'"),
    ("hex", "0x1F", 1, "0x1F", "decimal"),
    ("out of range", "1e400", 1, "1e400", "smaller"),
    ("a signed blank", "-_", 1, "-_", "'_xN'"),
    ("a space after {{", "{{ sum:5}}", 1 + 2, "{{ sum:5}}", "{{sum:5 count:4}}"),
    ("an unknown histogram field", "5 {{foo:1}}", 5, "foo", "schema"),
    ("a plus sign in a histogram", "{{sum:+5}}", 3, "+5", "sum:5"),
    ("an unclosed histogram", "{{sum:5", 1, "{{sum:5", "'}}'"),
    ("a negative bucket count", "{{buckets:[1 -2]}}", 3, "-2", ">= 0"),
]


def same(a: Value, b: Value) -> bool:
    """Equal as promtool sees values: NaNs alike, zero's sign kept."""
    if isinstance(a, float | int) and isinstance(b, float | int):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b


def assert_same(got: list[Value] | tuple[Value, ...], want: list[Value]) -> None:
    assert len(got) == len(want), (got, want)
    assert all(same(g, w) for g, w in zip(got, want, strict=True)), (got, want)


@pytest.mark.parametrize(("why", "text", "values"), EXPANSIONS + HISTOGRAMS, ids=lambda v: v)
def test_it_expands_like_promtool(why: str, text: str, values: list[Value]) -> None:
    assert_same(expand(text), values)


def loaded_by_promtool(promtool: Promtool, texts: list[str]) -> list[list[Value | str]]:
    """Per step, what promtool wrote at that step: a value, STALE, or 'none'."""
    series = [f'series{{case="{i}"}}' for i in range(len(texts))]
    lengths = [len(expand(text)) for text in texts]
    queries = [
        (query, t * STEP)
        for name, length in zip(series, lengths, strict=True)
        for t in range(length + 1)
        for query in (name, f"timestamp({name})")
    ]
    group = {
        "interval": "1m",
        "input_series": [{"series": s, "values": t} for s, t in zip(series, texts, strict=True)],
    }
    answers = probe.query(promtool, queries, group=group)
    loaded: list[list[Value | str]] = []
    for name, length in zip(series, lengths, strict=True):
        steps: list[Value | str] = []
        for t in range(length + 1):
            values, stamps = answers[(name, t * STEP)], answers[(f"timestamp({name})", t * STEP)]
            if not values:
                steps.append(STALE)  # nothing visible: a stale marker, or no sample yet
            elif stamps[0].value is not None and round(stamps[0].value * 1000) == t * STEP:
                sample = values[0]
                if sample.value is None:
                    steps.append(replace(parse_histogram(sample.text), counter_reset_hint=None))
                else:
                    steps.append(sample.value)
            else:
                steps.append("none")  # an older sample, seen through the lookback
        loaded.append(steps)
    return loaded


def expected_steps(values: tuple[Value, ...]) -> list[Value | str]:
    """What a step shows: the value written there, STALE, or 'none' (nothing written)."""
    return [("none" if v is None else v) for v in values] + ["none"]


def matches(got: Value | str, want: Value | str) -> bool:
    if want == "none":
        return got in ("none", STALE)  # a missing sample shows as lookback or as nothing
    return same(got, want)  # type: ignore[arg-type]


def check_against_promtool(promtool: Promtool, texts: list[str]) -> None:
    for text, got in zip(texts, loaded_by_promtool(promtool, texts), strict=True):
        want = expected_steps(expand(text))
        assert all(matches(g, w) for g, w in zip(got, want, strict=True)), (text, got, want)


def test_every_expansion_matches_what_promtool_loads(promtool: Promtool) -> None:
    check_against_promtool(promtool, [text for _why, text, _values in EXPANSIONS])


def test_native_histograms_match_what_promtool_3_loads(promtool: Promtool) -> None:
    if promtool.major < 3:
        pytest.skip(f"promtool {promtool.version_text} has no native histogram notation")
    check_against_promtool(promtool, [text for _why, text, _values in HISTOGRAMS])


@pytest.mark.parametrize(("why", "text", "column", "token", "hint"), BAD, ids=lambda v: v)
def test_bad_notation_names_token_column_and_fix(
    why: str, text: str, column: int, token: str, hint: str
) -> None:
    with pytest.raises(NotationError) as caught:
        parse(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.column, error.token) == (column, token)
    assert hint in error.hint
    assert f"{token!r} at column {column} of {text!r}" in str(error)


def promtool_accepts(promtool: Promtool, texts: list[str]) -> list[bool]:
    """Whether promtool loads each notation as an input series (one process for all)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for number, text in enumerate(texts):
            path = Path(tmp) / f"case{number}.yml"
            path.write_text(
                "tests:\n  - interval: 1m\n    input_series:\n"
                f"      - series: x\n        values: '{text}'\n"
            )
            paths.append(path)
        reports = parse_test_output(promtool.test_rules(*paths).output)
    assert len(reports) == len(texts)
    return [not report.failed for report in reports]


def test_promtool_agrees_on_what_is_valid(promtool: Promtool) -> None:
    floats = [text for _why, text, _values in EXPANSIONS]
    histograms = [text for _why, text, _values in HISTOGRAMS]
    bad = [text for _why, text, *_rest in BAD]
    accepted = promtool_accepts(promtool, floats + histograms + bad)
    wanted = [True] * len(floats) + [promtool.major >= 3] * len(histograms) + [False] * len(bad)
    disagreements = [
        text
        for text, got, want in zip(floats + histograms + bad, accepted, wanted, strict=True)
        if got != want
    ]
    assert disagreements == []


def test_underscores_in_numbers_are_refused_though_promtool_3_reads_them(
    promtool: Promtool,
) -> None:
    with pytest.raises(NotationError, match="write '1000'"):
        parse("1_000")
    assert promtool_accepts(promtool, ["1_000"]) == [promtool.major >= 3]


# ---- round trips ---------------------------------------------------------------------

any_float = st.floats(allow_nan=True, allow_infinity=True)
plain = st.one_of(st.integers(-1000, 1000).map(float), any_float)


@st.composite
def sample_lists(draw: st.DrawFn, values: st.SearchStrategy[float] = plain) -> list[Value]:
    """Values with the runs, progressions, gaps and markers notation compresses."""
    out: list[Value] = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["value", "repeat", "progression", "gap", "stale"]))
        count = draw(st.integers(1, 6))
        if kind == "value":
            out.append(draw(values))
        elif kind == "repeat":
            out += [draw(values)] * count
        elif kind == "progression":
            start = draw(st.integers(-100, 100).map(float) | st.floats(-1e6, 1e6))
            step = draw(st.integers(-10, 10).map(float) | st.floats(-1e3, 1e3))
            for _ in range(count):
                out.append(start)
                start += step
        elif kind == "gap":
            out += [None] * count
        else:
            out.append(STALE)
    return out


@given(sample_lists())
def test_formatting_then_parsing_gives_the_values_back(values: list[Value]) -> None:
    assert_same(parse(notation.format(values)).expand(), values)


@given(sample_lists())
def test_formatting_is_stable(values: list[Value]) -> None:
    once = notation.format(values)
    assert notation.format(parse(once)) == once


@st.composite
def notation_texts(draw: st.DrawFn) -> str:
    """Valid notation as people write it: every item form, signs, exponents, odd spacing."""
    number = st.sampled_from(["0", "1", "-2", "+3", "1.5", ".5", "1e3", "2E-2", "Inf", "nan"])
    finite = st.sampled_from(["0", "1", "-2", "2.5", "1e1", "007"])
    step = st.sampled_from(["0", "1", "2.5", "1e1", "007"])
    items = []
    for _ in range(draw(st.integers(0, 5))):
        k = draw(st.integers(0, 4))
        form = draw(st.sampled_from(["value", "repeat", "step", "blank", "blanks", "stale"]))
        if form == "value":
            items.append(draw(number))
        elif form == "repeat":
            items.append(f"{draw(finite)}x{k}")
        elif form == "step":
            items.append(f"{draw(number)}{draw(st.sampled_from('+-'))}{draw(step)}x{k}")
        elif form == "blank":
            items.append("_")
        elif form == "blanks":
            items.append(f"_x{k}")
        else:
            items.append("stale")
    return draw(st.sampled_from([" ", "  ", "\t"])).join(items)


@given(notation_texts())
def test_parsing_then_formatting_is_stable(text: str) -> None:
    values = expand(text)
    formatted = notation.format(parse(text))
    assert_same(expand(formatted), list(values))
    assert notation.format(parse(formatted)) == formatted


counts = st.lists(st.integers(0, 50).map(float), max_size=4).map(tuple)
histograms = st.builds(
    Histogram,
    schema=st.integers(-4, 8),
    sum=st.floats(-1e6, 1e6),
    count=st.integers(0, 100).map(float),
    z_bucket=st.integers(0, 5).map(float),
    z_bucket_w=st.sampled_from([0.0, 0.001]),
    buckets=counts,
    offset=st.integers(-3, 3),
    n_buckets=counts,
    n_offset=st.integers(-3, 3),
    counter_reset_hint=st.sampled_from([None, "unknown", "reset", "not_reset", "gauge"]),
)


@given(histograms)
def test_histograms_round_trip(histogram: Histogram) -> None:
    assert parse_histogram(str(histogram)) == histogram
    assert expand(notation.format([histogram, histogram, histogram])) == (histogram,) * 3


@settings(max_examples=10, deadline=None)
@given(sample_lists(st.integers(-5, 5).map(float) | st.floats(-1e9, 1e9) | st.just(NAN)))
def test_promtool_loads_what_format_writes(promtool: Promtool, values: list[Value]) -> None:
    check_against_promtool(promtool, [notation.format(values)])
