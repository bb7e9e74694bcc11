"""promtool's Go-quoted strings and label sets, read without `ast` (safe in threads)."""

from __future__ import annotations

import gc
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from promrules.derive.labels import parse_alerts
from promrules.derive.probe import parse_samples
from promrules.promtool import goquote
from promrules.promtool import query as probe
from promrules.promtool.binary import Promtool
from promrules.promtool.output import parse_test_output

SRC = Path(__file__).resolve().parent.parent.parent / "src" / "promrules"

# Label values with every kind of character Go's quoting escapes.
ODD_VALUES = {"path": 'a"b\\c\nd\te', "uni": "✓ é", "ctl": "\x01\x7f"}
SERIES = 'demo{path="a\\"b\\\\c\\nd\\te", uni="✓ é", ctl="\\x01\\x7f"}'
ODD_EXPR = 'demo{uni="✓ é"}\n  # a\ttab, a "quote", a \\ backslash and ✓'


@pytest.mark.parametrize(
    ("quoted", "value"),
    [
        pytest.param('""', "", id="empty"),
        pytest.param(r'"a\"b\\c"', 'a"b\\c', id="quote and backslash"),
        pytest.param(r'"\a\b\f\n\r\t\v"', "\a\b\f\n\r\t\v", id="single-letter escapes"),
        pytest.param(r'"\x41\101\u00e9\U0001F600"', "AAé😀", id="hex, octal and code points"),
        pytest.param(r'"\xe2\x9c\x93"', "✓", id="escaped bytes of one UTF-8 character"),
        pytest.param(r'"\xff"', "\ufffd", id="a byte that is not UTF-8"),
        pytest.param('"✓ é"', "✓ é", id="printable non-ASCII as is"),
    ],
)
def test_go_quoted_strings_are_unquoted(quoted: str, value: str) -> None:
    assert goquote.unquote(quoted) == value


@pytest.mark.parametrize(
    ("quoted", "problem"),
    [
        pytest.param('"open', "unterminated quoted string at offset 0", id="unterminated"),
        pytest.param(r'"\q"', r"unknown escape \q at offset 1", id="unknown escape"),
        pytest.param(r'"\x4"', r"bad \x escape at offset 1", id="short hex"),
        pytest.param(r'"\uD800"', r"bad code point \uD800", id="surrogate"),
        pytest.param('"a" b', "text after the closing quote at offset 3", id="trailing text"),
        pytest.param("a", "expected '\"' at offset 0", id="not quoted"),
    ],
)
def test_malformed_quoted_strings_say_what_and_where(quoted: str, problem: str) -> None:
    with pytest.raises(goquote.GoQuoteError, match=problem.replace("\\", "\\\\")):
        goquote.unquote(quoted)


def test_label_sets_keep_order_and_read_quoted_names() -> None:
    assert goquote.label_pairs('{b="1", "my.label"="x\\"y", a="{,}"}') == (
        ("b", "1"),
        ("my.label", 'x"y'),
        ("a", "{,}"),
    )
    assert goquote.label_pairs("{}") == ()


@pytest.mark.parametrize("text", ['{a="1" b="2"}', "{a=1}", '{a="1"', '{="1"}'])
def test_malformed_label_sets_are_refused(text: str) -> None:
    with pytest.raises(goquote.GoQuoteError):
        goquote.label_pairs(text)


def _failing_run(promtool: Promtool, tmp_path: Path) -> str:
    """promtool's own output for a failing group with odd label values and expression."""
    document = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": SERIES, "values": "1x3"}],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": "1m",
                        "exp_samples": [{"labels": '{x="never"}', "value": 0}],
                    }
                    for expr in ("demo", ODD_EXPR)
                ],
            }
        ],
    }
    path = tmp_path / "odd_test.yml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return promtool.test_rules(path).output


def test_what_real_promtool_prints_reads_back_exactly(promtool: Promtool, tmp_path: Path) -> None:
    (report,) = parse_test_output(_failing_run(promtool, tmp_path))
    assert [f.subject for f in report.failures] == ["demo", ODD_EXPR]
    got = report.failures[0].got
    assert got is not None
    (sample,) = probe.parse_samples(got)
    assert dict(sample.labels) == {"__name__": "demo", **ODD_VALUES}
    (derived,) = parse_samples(got) or ()
    assert derived.label_dict == {"__name__": "demo", **ODD_VALUES}


def test_promtool_3_quotes_label_names_that_are_not_identifiers(
    promtool: Promtool, tmp_path: Path
) -> None:
    if promtool.major < 3:
        pytest.skip(f"promtool {promtool.version_text} has no UTF-8 label names")
    answers = probe.query(
        promtool,
        [("demo", 60_000)],
        group={
            "interval": "1m",
            "input_series": [{"series": '{__name__="demo", "my.label"="x\\\\y"}', "values": "1x3"}],
        },
    )
    (sample,) = answers[("demo", 60_000)]
    assert sample.labels == (("__name__", "demo"), ("my.label", "x\\y"))


def test_alert_label_sets_with_odd_values_are_read() -> None:
    text = 'Labels:{alertname="A", path="a\\"b"}\n Annotations:{summary="\\u2713 \\x01"}'
    assert parse_alerts(text) == [({"alertname": "A", "path": 'a"b'}, {"summary": "✓ \x01"})]
    assert parse_alerts('Labels:{a="1} Annotations:{}') is None


class _Finalizer:
    """Garbage whose finalizer runs Python code: a collection in one thread runs it there."""

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        sum(range(10))


@pytest.mark.skipif(sys.version_info >= (3, 13), reason="the race was in CPython 3.11/3.12")
def test_parsing_in_many_threads_with_collections_running_raises_nothing(
    promtool: Promtool, tmp_path: Path
) -> None:
    """The HTML report parses promtool output in a thread pool; 3.11's `ast` was not safe there.

    With `ast.literal_eval` this raised `SystemError: AST constructor
    recursion depth mismatch`; it must never again.
    """
    output = _failing_run(promtool, tmp_path)
    stop = threading.Event()
    gc_was = gc.get_threshold()
    gc.set_threshold(50, 1, 1)

    def parse(_: int) -> int:
        count = 0
        while not stop.is_set() and count < 800:
            garbage = [_Finalizer() for _ in range(5)]
            del garbage
            for report in parse_test_output(output):
                for failure in report.failures:
                    if failure.got and failure.got != "nil":
                        probe.parse_samples(failure.got)
            count += 1
        return count

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            counts = list(pool.map(parse, range(16)))
    finally:
        stop.set()
        gc.set_threshold(*gc_was)
    assert counts == [800] * 16


def test_no_module_reads_promtool_output_with_ast() -> None:
    users = [
        str(path.relative_to(SRC))
        for path in sorted(SRC.rglob("*.py"))
        if "literal_eval(" in path.read_text(encoding="utf-8")
    ]
    assert users == [], "use promrules.promtool.goquote: ast.literal_eval is unsafe in threads"
