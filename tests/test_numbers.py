"""The one Vietnamese number parser (core/numbers.py) and its JavaScript twin
(scoring/static/scoring/vn_number.js): the same table of cases for both, random strings
for both (they must agree, and never fail otherwise than with a refusal), and the places
that use it (score values, pledge targets, the table import)."""

import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from core.numbers import NumberError, canonical, parse_vn_decimal

HERE = Path(__file__).parent
CASES_DOC = json.loads((HERE / "numbers_cases.json").read_text(encoding="utf-8"))
DEFAULTS = CASES_DOC["default_options"]
CASES = CASES_DOC["cases"]
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (comes with npm)")

# Bounded, and the same examples on every run unless HYPOTHESIS_EXPLORE is set: the suite
# stays fast and a failure in `make test` can be replayed.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
)


def _options(case: dict) -> dict:
    return {**DEFAULTS, **case.get("options", {})}


def _python(text, options: dict) -> dict:
    try:
        return {"value": canonical(parse_vn_decimal(text, **options))}
    except NumberError as exc:
        return {"error": exc.code}


def _expected(case: dict) -> dict:
    if "error" in case:
        return {"error": case["error"]}
    return {"value": "" if case["value"] is None else case["value"]}


def _javascript(items: list[dict]) -> list[dict]:
    """One node run for many inputs (tests/numbers_cases.js)."""
    done = subprocess.run(  # noqa: S603 - our own script, inputs on stdin
        [NODE, str(HERE / "numbers_cases.js")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = json.loads(done.stdout)
    return [{"value": r["value"] or ""} if "value" in r else r for r in out]


IDS = [f"{i}:{json.dumps(c['input'])[:30]}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_python_parser_on_the_shared_cases(case):
    assert _python(case["input"], _options(case)) == _expected(case)


@pytest.fixture(scope="module")
def javascript_results():
    return _javascript([{"input": c["input"], "options": _options(c)} for c in CASES])


@needs_node
@pytest.mark.parametrize("index", range(len(CASES)), ids=IDS)
def test_javascript_parser_on_the_shared_cases(javascript_results, index):
    assert javascript_results[index] == _expected(CASES[index])


def test_the_shared_cases_cover_every_code_and_the_reported_inputs():
    codes = {c.get("error") for c in CASES}
    assert {"invalid", "negative", "decimals", "too_big"} <= codes
    inputs = {c["input"] for c in CASES}
    assert {"٨", "９", "1.000", "1,000", "8,5", "8.5", "1e3", "NaN", "Infinity"} <= inputs


def test_refusals_are_vietnamese_validation_errors_and_value_errors():
    with pytest.raises(ValidationError) as exc:
        parse_vn_decimal("٨", max_digits=7, decimal_places=2)
    assert exc.value.messages == ["“٨” không phải là số. Nhập ví dụ 8 hoặc 8,5."]
    assert isinstance(exc.value, ValueError)
    with pytest.raises(NumberError) as exc:
        parse_vn_decimal("8,555", max_digits=7, decimal_places=2)
    assert exc.value.messages == ["Chỉ được ghi tối đa 2 chữ số sau dấu phẩy."]
    with pytest.raises(NumberError) as exc:
        parse_vn_decimal("-3", max_digits=7, decimal_places=2, messages={"negative": "Âm."})
    assert exc.value.messages == ["Âm."]
    with pytest.raises(NumberError) as exc:
        parse_vn_decimal("9" * 13, max_digits=14, decimal_places=2)
    assert exc.value.messages == ["Số quá lớn: phần nguyên tối đa 12 chữ số."]
    for odd in (8, 8.5, b"8", ["8"], True):
        with pytest.raises(NumberError):
            parse_vn_decimal(odd, max_digits=7, decimal_places=2)


# --- random strings: never anything but a value or a refusal, and both parsers agree ----

_NUMBERISH = st.text(
    alphabet=st.sampled_from(list("0123456789.,+- \t\n\u00a0\u202f\u2009٨９e")), max_size=24
)
_ANYTHING = st.text(
    alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Z", "C"]), max_size=80
)
_OPTIONS = st.sampled_from(
    [
        {"max_digits": 7, "decimal_places": 2, "allow_negative": False},
        {"max_digits": 14, "decimal_places": 2, "allow_negative": False},
        {"max_digits": 7, "decimal_places": 2, "allow_negative": True},
        {"max_digits": 5, "decimal_places": 0, "allow_negative": False},
    ]
)
_ALLOWED = set("0123456789.,+- \t\r\n\u00a0\u202f\u2009")


def _check_python(text: str, options: dict) -> dict:
    result = _python(text, options)
    if "value" in result and result["value"] != "":
        value = Decimal(result["value"])
        assert set(text) <= _ALLOWED, text  # only ASCII digits, marks and spaces get in
        assert value.is_finite()
        assert -value.as_tuple().exponent <= options["decimal_places"] or value == 0
        assert abs(value) < Decimal(10) ** (options["max_digits"] - options["decimal_places"])
        assert value >= 0 or options["allow_negative"]
    return result


def test_random_strings_python_never_fails_and_javascript_agrees():
    seen: list[tuple[str, dict, dict]] = []

    @FUZZ
    @given(text=st.one_of(_NUMBERISH, _ANYTHING), options=_OPTIONS)
    @example(text="1.000", options={"max_digits": 7, "decimal_places": 2, "allow_negative": False})
    @example(text="\ud800", options={"max_digits": 7, "decimal_places": 2, "allow_negative": False})
    def check(text, options):
        seen.append((text, options, _check_python(text, options)))

    check()
    assert len(seen) >= 100
    if NODE is None:
        pytest.skip("needs node (comes with npm) for the JavaScript half")
    js = _javascript([{"input": t, "options": o} for t, o, _r in seen])
    differ = [(t, o, py, j) for (t, o, py), j in zip(seen, js, strict=True) if py != j]
    assert differ == []


def _vietnamese(value: Decimal, style: int) -> str:
    """value written as a person would: 0 plain with comma, 1 dot grouping, 2 space
    grouping, 3 decimal point (never with dot grouping)."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(value), "f").partition(".")
    if style in (1, 2) and len(whole) > 3:
        sep = "." if style == 1 else "\u00a0"
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = sep.join([whole, *groups])
    mark = "." if style == 3 else ","
    return sign + whole + (mark + fraction if fraction else "")


def test_every_number_written_the_vietnamese_way_reads_back():
    seen: list[tuple[str, dict, dict]] = []

    @FUZZ
    @given(
        value=st.decimals(
            min_value=Decimal("-999999999999.99"),
            max_value=Decimal("999999999999.99"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        style=st.integers(min_value=0, max_value=3),
    )
    @example(value=Decimal("1000"), style=1)
    @example(value=Decimal("1000.5"), style=3)
    def check(value, style):
        options = {"max_digits": 14, "decimal_places": 2, "allow_negative": True}
        text = _vietnamese(value, style)
        assert parse_vn_decimal(text, **options) == value, text
        seen.append((text, options, {"value": canonical(value)}))

    check()
    if NODE is None:
        pytest.skip("needs node (comes with npm) for the JavaScript half")
    js = _javascript([{"input": t, "options": o} for t, o, _r in seen])
    differ = [(t, py, j) for (t, _o, py), j in zip(seen, js, strict=True) if py != j]
    assert differ == []


# --- the places that use it --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.000", Decimal("1000")),
        ("1.250", Decimal("1250")),
        ("1 000 000", Decimal("1000000")),
        ("98,5", Decimal("98.5")),
        ("٨", "Hãy nhập một số, ví dụ 95 hoặc 8,5."),
        ("９", "Hãy nhập một số, ví dụ 95 hoặc 8,5."),
        ("1,000", "Chỉ ghi tối đa 2 chữ số sau dấu phẩy."),
        ("-5", "Chỉ tiêu không được là số âm."),
        ("9" * 13, "Số quá lớn."),
    ],
)
def test_pledge_target_fields_use_the_parser(text, expected):
    from pledges.forms import TargetForm

    form = TargetForm(
        data={"description": "Số hồ sơ", "target_value": text, "unit_of_measure": "hồ sơ"}
    )
    if isinstance(expected, Decimal):
        assert form.is_valid(), form.errors
        assert form.cleaned_data["target_value"] == expected
    else:
        assert not form.is_valid()
        assert form.errors["target_value"] == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8,5", Decimal("8.5")),
        ("8.5", Decimal("8.5")),
        (8, Decimal("8")),
        (Decimal("9.50"), Decimal("9.5")),
        ("", None),
        (None, None),
        ("1.000", "Vượt điểm tối đa: tối đa 10 điểm."),
        ("100000", "Vượt điểm tối đa: tối đa 10 điểm."),
        ("٨", "“٨” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("９", "“９” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("1,000", "Điểm chỉ được có tối đa 2 chữ số thập phân."),
        ("-1", "Điểm không được âm."),
        (True, "Giá trị không phải là số."),
        (8.5, "Giá trị không phải là số."),
        (Decimal("NaN"), "Giá trị không phải là số."),
        (Decimal("1E+309"), "Giá trị không phải là số."),
    ],
)
def test_score_values_use_the_parser(raw, expected):
    from scoring.services import points_parse

    if expected is None or isinstance(expected, Decimal):
        assert points_parse(raw, max_points=Decimal("10")) == expected
    else:
        with pytest.raises(ValidationError) as exc:
            points_parse(raw, max_points=Decimal("10"))
        assert exc.value.messages == [expected]


def _table_xlsx(max_points: str) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên bảng", "Bảng thử"])
    ws.append(["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn"])
    ws.append(["Nhóm", "I", "Nhóm một", None, None, None])
    ws.append(["Tiêu chí", "1.1", "Tiêu chí một", max_points, "Không", ""])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2,5", Decimal("2.5")), ("2.5", Decimal("2.5")), ("1.000", Decimal("1000"))],
)
def test_table_import_reads_text_numbers_with_the_parser(text, expected):
    from scoring.xlsx import parse_table_xlsx

    parsed = parse_table_xlsx(_table_xlsx(text))
    assert parsed.ok, [r.errors for r in parsed.report]
    assert parsed.groups[0]["criteria"][0]["max_points"] == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("٨", "Điểm tối đa “٨” không phải là số."),
        ("９", "Điểm tối đa “９” không phải là số."),
        ("1e3", "Điểm tối đa “1e3” không phải là số."),
        ("NaN", "Điểm tối đa “NaN” không phải là số."),
        ("1,000", "Điểm tối đa chỉ được có tối đa 2 chữ số thập phân."),
        ("2,555", "Điểm tối đa chỉ được có tối đa 2 chữ số thập phân."),
    ],
)
def test_table_import_refuses_what_the_parser_refuses(text, error):
    from scoring.xlsx import parse_table_xlsx

    parsed = parse_table_xlsx(_table_xlsx(text))
    assert not parsed.ok
    assert [e for r in parsed.report for e in r.errors] == [error]


def test_table_import_refuses_a_true_false_cell_as_a_maximum():
    from scoring.xlsx import parse_table_xlsx

    wb = Workbook()
    ws = wb.active
    ws.append(["Tên bảng", "Bảng thử"])
    ws.append(["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn"])
    ws.append(["Nhóm", "I", "Nhóm một", None, None, None])
    ws.append(["Tiêu chí", "1.1", "Tiêu chí một", True, "Không", ""])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    parsed = parse_table_xlsx(out)
    assert [e for r in parsed.report for e in r.errors] == ["Điểm tối đa “True” không phải là số."]
