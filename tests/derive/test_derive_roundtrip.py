"""Expressions derivation prints from a parsed tree parse back to the same tree.

promql-parser's own printer writes `a\\.b` back with one backslash, drops the
quotes inside strings and turns `x[10m:]` into `x[10m]`; derivation prints
with promrules.derive.printer instead. Checked on every rule expression of the
corpus, on hypothesis-made expressions, and by promtool itself.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import promql_parser as pp
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from promrules.derive import derive_rule_file
from promrules.derive.printer import number_text, to_text
from promrules.promtool.binary import Promtool

TRICKY = [
    'm{topic=~"a\\\\.b"} > 1 or n > 1',
    'x{a="q\\"u", b="\\u00e9\\n", c="tab\\tend"}',
    "rate(x[5m] offset 1h @ 100)",
    "a > bool on(x) group_left(y) b",
    "a * on(x) group_right() b",
    "a unless ignoring(z) b",
    "max_over_time(x[10m:1m] offset -5m)",
    "max_over_time(x[10m:])",
    "(x)[5m:]",
    "sum by (a) (x) / ignoring(b) sum(y)",
    "topk(3, x)",
    'count_values("v", x)',
    'label_replace(x, "a", "$1", "b", "(.*)\\\\.c")',
    "x @ start() + rate(y[5m] @ end())",
    "1e3 + 0x10 + Inf",
    "-x ^ 2",
    "2 ^ 3 ^ 2",
    "(2 ^ 3) ^ 2",
    "a - (b - c)",
    "x > 90.1",
    "x > 1e-7",
    "x offset 1500ms",
    "x{a='sin\\'gle'}",
    '{__name__="x", a="b"}',
    "rate(x[1h30m]) > 0",
    "sum(up == 0) > 0",
    "time() - x > 3600",
    'absent(up{job="x"} == 1)',
]


def same_tree(expr: str) -> tuple[str, bool]:
    tree = pp.parse(expr)
    text = to_text(tree)
    return text, repr(pp.parse(text)) == repr(tree)


@pytest.mark.parametrize("expr", TRICKY)
def test_tricky_expressions_print_back_to_the_same_tree(expr: str) -> None:
    text, same = same_tree(expr)
    assert same, f"{expr!r} printed as {text!r}"


def test_promql_parsers_printer_is_not_used_for_escaped_regexes() -> None:
    assert to_text(pp.parse('m{topic=~"a\\\\.b"}')) == 'm{topic=~"a\\\\.b"}'
    assert to_text(pp.parse("x[10m:]")) == "x[10m:]"


def test_numbers_print_in_their_shortest_exact_form() -> None:
    assert number_text(90.1) == "90.1"
    assert number_text(90.0 + 0.1) == "90.1"
    assert number_text(1024.0**3) == "1073741824"
    assert number_text(1e20) == "1e+20"
    assert float(number_text(0.1 + 0.2)) == 0.1 + 0.2


def _rule_exprs(corpus: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(corpus.rglob("*.y*ml")):
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
            continue
        for group in data["groups"]:
            for rule in (group or {}).get("rules") or []:
                if isinstance(rule, dict) and isinstance(rule.get("expr"), str):
                    found.append((f"{path.relative_to(corpus)}", rule["expr"]))
    return found


def _check_with_promtool(promtool: Promtool, exprs: list[str], tmp_path: Path) -> None:
    rules = [{"record": f"printed_{n}", "expr": e} for n, e in enumerate(exprs)]
    path = tmp_path / "printed.yml"
    path.write_text(json.dumps({"groups": [{"name": "printed", "rules": rules}]}))
    run = promtool.run("check", "rules", str(path))
    assert run.returncode == 0, run.output[-3000:]


def test_every_corpus_expression_prints_back_to_the_same_tree(
    corpus: Path, promtool: Promtool, tmp_path: Path
) -> None:
    exprs = _rule_exprs(corpus)
    assert len(exprs) > 1000
    printed, differing, unparsed = [], [], 0
    for where, expr in exprs:
        try:
            tree = pp.parse(expr)
        except (ValueError, RuntimeError):
            unparsed += 1  # promql-parser's own limits; derive reports them as not derived
            continue
        text = to_text(tree)
        if repr(pp.parse(text)) != repr(tree):
            differing.append(f"{where}: {expr!r} -> {text!r}")
        printed.append(text)
    assert not differing, "\n".join(differing[:20])
    assert unparsed < len(exprs) // 100
    _check_with_promtool(promtool, printed, tmp_path)


# Hypothesis-made expressions: names, tricky label values, durations, operators.
_names = st.sampled_from(["x", "up", "http_requests_total", "a:b:rate5m", "node_load1"])
_values = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6
) | st.sampled_from(["a\\.b", 'q"u', "\\", "\n", "é", ".*", "(.+)\\.(.+)"])
_durations = st.sampled_from(["30s", "1m", "5m", "1h30m", "1500ms", "2d", "1w"])
_numbers = st.sampled_from(["0", "1", "90.1", "0.05", "1e-7", "1e20", "1024 * 1024", "Inf"])


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@st.composite
def _selector(draw: st.DrawFn) -> str:
    name = draw(_names)
    matchers = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["a", "job", "topic"]), st.sampled_from(["=", "!=", "=~"]), _values
            ),
            max_size=2,
            unique_by=lambda m: m[0],
        )
    )
    inside = ", ".join(f"{k}{op}{_quoted(v)}" for k, op, v in matchers)
    text = f"{name}{{{inside}}}" if inside else name
    if draw(st.booleans()):
        text += f" offset {draw(_durations)}"
    return text


@st.composite
def _vector(draw: st.DrawFn, depth: int = 0) -> str:
    choice = draw(st.integers(0, 6 if depth < 2 else 1))
    if choice <= 1:
        return draw(_selector())
    if choice == 2:
        fn = draw(st.sampled_from(["rate", "increase", "max_over_time", "changes"]))
        sub = draw(st.booleans())
        inner = draw(_selector()).split(" offset ")[0]
        window = (
            f"[{draw(_durations)}:{draw(st.sampled_from(['', '1m']))}]"
            if sub
            else (f"[{draw(_durations)}]")
        )
        return f"{fn}({inner}{window})"
    if choice == 3:
        agg = draw(st.sampled_from(["sum", "max", "count", "avg"]))
        by = draw(st.sampled_from(["", " by (job)", " without (a, topic)", " by ()"]))
        return f"{agg}{by} ({draw(_vector(depth + 1))})"
    if choice == 4:
        op = draw(st.sampled_from(["+", "-", "*", "/", "^", "%"]))
        return f"({draw(_vector(depth + 1))}) {op} {draw(_numbers)}"
    if choice == 5:
        op = draw(st.sampled_from(["and", "or", "unless", "/", ">"]))
        mod = draw(st.sampled_from(["", " on (job)", " ignoring (a)", " on () group_left (topic)"]))
        if op in ("and", "or", "unless"):
            mod = mod.replace(" group_left (topic)", "")
        return f"{draw(_vector(depth + 1))} {op}{mod} {draw(_vector(depth + 1))}"
    return f"-({draw(_vector(depth + 1))})"


@st.composite
def _alert_expr(draw: st.DrawFn) -> str:
    op = draw(st.sampled_from([">", "<", ">=", "<=", "==", "!=", "> bool"]))
    return f"{draw(_vector())} {op} {draw(_numbers)}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_alert_expr())
def test_generated_expressions_print_back_to_the_same_tree(expr: str) -> None:
    try:
        pp.parse(expr)
    except (ValueError, RuntimeError):
        return  # not PromQL (e.g. group_left beside a set operator): nothing to print
    text, same = same_tree(expr)
    assert same, f"{expr!r} printed as {text!r}"


@pytest.mark.parametrize(
    "expr",
    [
        'm{topic=~"a\\\\.b"} > 1 or n > 1',  # crashed the whole run
        'x{topic=~"eqiad\\\\.pageview"} > 5',  # "the signal does not move with any series"
    ],
)
def test_escaped_regexes_derive(expr: str, promtool: Promtool, tmp_path: Path) -> None:
    """Issue 15's two examples, each derived in full."""
    rules = tmp_path / "rules.yml"
    rules.write_text(
        json.dumps({"groups": [{"name": "g", "rules": [{"alert": "Escaped", "expr": expr}]}]}),
        encoding="utf-8",
    )
    [derived] = derive_rule_file(rules, promtool)
    assert derived.complete, [g.render() for g in derived.not_derived]


def test_promtool_reads_the_printed_expressions_as_the_original_ones(promtool: Promtool) -> None:
    """promtool 3's own formatter gives the same text for the original and the printed form."""
    if promtool.version < (3, 0, 0):
        pytest.skip("`promtool promql format` exists from promtool 3 on")

    def formatted(expr: str) -> str:
        run = promtool.run("promql", "--experimental", "format", "--", expr)
        assert run.returncode == 0, f"{expr!r}: {run.output}"
        return run.output.strip()

    for expr in TRICKY:
        assert formatted(to_text(pp.parse(expr))) == formatted(expr), expr
