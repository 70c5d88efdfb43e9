"""The grid's save endpoint against hostile bodies: the reported crashes (1e309, Infinity,
NaN), ids that are not JSON integers, digits that are not ASCII, NUL and lone surrogates,
malformed bodies; then random JSON and random cells (hypothesis). Never a 5xx, always
JSON, and never a partial save: a refused request changes nothing, an accepted one
changes exactly the cells it reports saved, to the values it reports."""

import json
import os
import re
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.models import ScoreChange, ScoreValue, Stage
from scoring.totals import fmt

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=not os.environ.get("HYPOTHESIS_EXPLORE"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def client(world):
    c = Client()
    c.force_login(world.users["secretariat_here"])
    return c


def _url(world, stage="cross"):
    return reverse("scoring:grid_save", args=[world.bloc_year.pk, stage])


def _post(client, world, body: bytes | str, stage="cross"):
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogatepass")
    return client.post(_url(world, stage), data=body, content_type="application/json")


def _state():
    """Everything a save could change."""
    values = {
        (sheet__unit_id, criterion_id, stage): (value, comment, version)
        for sheet__unit_id, criterion_id, stage, value, comment, version in (
            ScoreValue.objects.values_list(
                "sheet__unit_id", "criterion_id", "stage", "value", "comment", "version"
            )
        )
    }
    return values, ScoreChange.objects.count()


def _check_response(response, before, stage="cross") -> dict:
    """The invariants of every answer; returns the JSON body."""
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/json", response.content[:300]
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    after = _state()
    if response.status_code != 200:
        assert body["ok"] is False
        assert after == before, "a refused save changed the database"
        return body
    assert body["ok"] is True
    saved = body["saved"]
    changed = {k for k in after[0].keys() | before[0].keys() if after[0].get(k) != before[0].get(k)}
    # Only cells of the posted stage that the answer lists as saved have changed ...
    assert {(u, c) for u, c, s in changed} <= {tuple(map(int, k.split(":"))) for k in saved}
    assert all(s == stage for _u, _c, s in changed)
    # ... every cell listed holds what the answer says ...
    for key, reported in saved.items():
        unit, criterion = map(int, key.split(":"))
        row = after[0].get((unit, criterion, stage))
        if row is None:
            assert reported == {"value": "", "version": 0}
        else:
            assert (fmt(row[0]), row[2]) == (reported["value"], reported["version"])
    # ... and the history grew by the number of cells the message says were changed.
    assert body["message"] == f"Đã lưu {after[1] - before[1]} ô."
    assert len(changed) == after[1] - before[1]
    return body


class _Raw:
    def __init__(self, token: str) -> None:
        self.token = token


def _dump(obj) -> str:
    """JSON text, with _Raw tokens written as they are (and NaN/Infinity from floats)."""
    raws: dict[str, str] = {}

    def walk(o):
        if isinstance(o, _Raw):
            mark = f"__raw_{uuid.uuid4().hex}__"
            raws[mark] = o.token
            return mark
        if isinstance(o, list):
            return [walk(x) for x in o]
        if isinstance(o, dict):
            return {k: walk(v) for k, v in o.items()}
        return o

    text = json.dumps(walk(obj), allow_nan=True)
    for mark, token in raws.items():
        text = text.replace(f'"{mark}"', token)
    return text


# --- what the issue reported, and its neighbours ------------------------------------------


def _cell(world, crit, **overrides) -> dict:
    cell = {"unit": world.member.pk, "criterion": crit["1.1"].pk, "version": 0, "value": "8"}
    return {**cell, **overrides}


UNIT = "Mã đơn vị phải là một số nguyên dương."
CRITERION = "Mã tiêu chí phải là một số nguyên dương."
VERSION = "Phiên bản của ô phải là một số nguyên không âm."
NOT_NUMBER = "Giá trị không phải là số."


@pytest.mark.parametrize(
    ("field", "token", "by_cell", "message"),
    [
        ("unit", "1e309", False, UNIT),
        ("unit", "-1e309", False, UNIT),
        ("unit", "Infinity", False, UNIT),
        ("unit", "NaN", False, UNIT),
        ("unit", "5.0", False, UNIT),
        ("unit", "true", False, UNIT),
        ("unit", '"5"', False, UNIT),
        ("unit", '"٨"', False, UNIT),
        ("unit", "0", False, UNIT),
        ("unit", "-3", False, UNIT),
        ("unit", str(2**63), False, UNIT),
        ("unit", "1" + "0" * 40, False, UNIT),
        ("unit", "9" * 5000, False, UNIT),
        ("unit", "null", False, UNIT),
        ("criterion", "Infinity", False, CRITERION),
        ("criterion", "-Infinity", False, CRITERION),
        ("criterion", "1e309", False, CRITERION),
        ("criterion", "[1]", False, CRITERION),
        ("version", "1e309", True, VERSION),
        ("version", "NaN", True, VERSION),
        ("version", "1.5", True, VERSION),
        ("version", "-1", True, VERSION),
        ("version", str(2**31), True, VERSION),
        ("version", "false", True, VERSION),
        ("version", '"0"', True, VERSION),
        ("value", "NaN", True, NOT_NUMBER),
        ("value", "Infinity", True, NOT_NUMBER),
        ("value", "true", True, NOT_NUMBER),
        ("value", '{"a": 1}', True, NOT_NUMBER),
        ("value", '"8\\u0000"', True, "Giá trị chứa ký tự không hợp lệ."),
        ("comment", '"a\\u0000b"', True, "Ghi chú chứa ký tự không hợp lệ."),
        ("comment", '"\\ud800"', True, "Ghi chú chứa ký tự không hợp lệ."),
        ("comment", "5", True, "Ghi chú phải là chữ."),
    ],
)
def test_bad_fields_are_per_cell_vietnamese_errors(
    world, table, crit, client, field, token, by_cell, message
):
    before = _state()
    response = _post(client, world, _dump({"cells": [_cell(world, crit, **{field: _Raw(token)})]}))
    assert response.status_code == 400
    body = _check_response(response, before)
    key = f"{world.member.pk}:{crit['1.1'].pk}" if by_cell else "#0"
    assert body["errors"] == {key: message}
    assert body["message"] == "Dữ liệu gửi lên không hợp lệ."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("٨", "“٨” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("９", "“９” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("1٫5", "“1٫5” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("1.000", "Vượt điểm tối đa: tối đa 10 điểm."),
        ("1,000", "Điểm chỉ được có tối đa 2 chữ số thập phân."),
        ("1e309", "“1e309” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("NaN", "“NaN” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        ("-0", "Điểm không được âm."),
        ("9" * 400, "“99999999999999999999” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
    ],
)
def test_values_go_through_the_one_parser(world, table, crit, client, value, message):
    before = _state()
    response = _post(client, world, json.dumps({"cells": [_cell(world, crit, value=value)]}))
    assert response.status_code == 400
    body = _check_response(response, before)
    assert body["errors"] == {f"{world.member.pk}:{crit['1.1'].pk}": message}


def test_numbers_as_json_numbers_and_dot_or_comma_are_saved(world, table, crit, client):
    cells = [
        _cell(world, crit, value="8,5"),
        _cell(world, crit, criterion=crit["1.2"].pk, value="9.5"),
        _cell(world, crit, criterion=crit["2.1"].pk, value=15),
        _cell(world, crit, criterion=crit["2.2"].pk, value=_Raw("7.25")),
    ]
    before = _state()
    response = _post(client, world, _dump({"cells": cells}))
    assert response.status_code == 200, response.content
    saved = _check_response(response, before)["saved"]
    keys = [f"{world.member.pk}:{crit[c].pk}" for c in ("1.1", "1.2", "2.1", "2.2")]
    assert [saved[k]["value"] for k in keys] == ["8,5", "9,5", "15", "7,25"]


def test_one_bad_cell_saves_nothing_of_a_request(world, table, crit, client):
    good = _cell(world, crit, value="8")
    bad = _cell(world, crit, unit=_Raw("1e309"))
    before = _state()
    response = _post(client, world, _dump({"cells": [good, bad]}))
    assert response.status_code == 400
    assert _check_response(response, before)["errors"] == {"#1": UNIT}
    assert not ScoreValue.objects.exists()


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."),
        (b"not json", "Nội dung gửi lên không phải là JSON."),
        (b"\xff\xfe\x00", "Nội dung gửi lên không phải là JSON."),
        (b'{"cells": [1,]}', "Nội dung gửi lên không phải là JSON."),
        (b"[" * 100_000 + b"]" * 100_000, "Nội dung gửi lên không phải là JSON."),
        (b"[]", "Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."),
        (b"NaN", "Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."),
        (b'{"cells": {}}', "Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."),
        (b'{"cells": "x"}', "Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."),
        (b'{"cells": []}', "Danh sách ô trống."),
        (
            json.dumps({"cells": [{}] * 5001}).encode(),
            "Quá nhiều ô trong một lần lưu (tối đa 5000 ô).",
        ),
    ],
)
def test_malformed_bodies_are_a_clean_400(world, table, client, body, detail):
    before = _state()
    response = _post(client, world, body)
    assert response.status_code == 400
    answer = _check_response(response, before)
    assert answer == {"ok": False, "message": "Dữ liệu gửi lên không hợp lệ.", "detail": detail}


def test_a_form_post_is_a_clean_400(world, table, client):
    before = _state()
    response = client.post(_url(world), {"cells": "1"})
    assert response.status_code == 400
    assert _check_response(response, before)["detail"] == "Nội dung gửi lên không phải là JSON."


def test_a_body_over_the_upload_limit_is_a_clean_400(world, table, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = _state()
    response = _post(client, world, json.dumps({"cells": [{"comment": "x" * 2000}]}))
    assert response.status_code in (400, 413)
    assert response.status_code < 500
    assert _state() == before


def test_grid_and_sheet_pages_load_the_shared_parser_before_the_grid(world, table, crit, client):
    from scoring.models import ScoreSheet

    pages = [
        reverse("scoring:grid", args=[world.bloc_year.pk, "cross"]),
        reverse("scoring:sheet_detail", args=[ScoreSheet.objects.get(unit=world.member).pk]),
    ]
    for url in pages:
        scripts = re.findall(
            r'<script src="[^"]*/scoring/(\w+)[.][^"]*"', client.get(url).content.decode()
        )
        assert scripts == ["vn_number", "grid"], url


# --- hypothesis: random JSON and random cells ---------------------------------------------

_RAW_TOKENS = ["1e309", "-1e309", "NaN", "Infinity", "-Infinity", "1" + "0" * 40, "5.0", "-0"]
_TEXT = st.text(max_size=12) | st.text(
    alphabet=st.characters(categories=["Cs", "Cc", "Nd", "No"]), max_size=6
)
_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    _TEXT,
    st.sampled_from(_RAW_TOKENS).map(_Raw),
)
_KEYS = st.sampled_from(["cells", "unit", "criterion", "version", "value", "comment"]) | _TEXT
_JSON = st.recursive(
    _LEAF,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=12,
)
_NUMBERISH = st.text(alphabet=st.sampled_from(list("0123456789.,+- \u00a0٨９e")), max_size=8)
_VALUES = st.one_of(
    st.sampled_from(["8", "8,5", "9.5", "10", "", "0", "٨", "９", "1.000", "-1", "11", "1,000"]),
    _NUMBERISH,
    st.none(),
    _LEAF,
)
CURRENT = object()  # in a cell: the version stored now (so that the save can succeed)


def test_random_json_bodies_never_crash_or_save_in_part(world, table, crit, client):
    statuses: list[int] = []

    @FUZZ
    @given(payload=_JSON | st.fixed_dictionaries({"cells": st.lists(_JSON, max_size=4)}))
    @example(payload={"cells": [{"unit": _Raw("1e309"), "criterion": 1}]})
    @example(payload={"cells": [{"unit": 1, "criterion": _Raw("Infinity")}]})
    def check(payload):
        before = _state()
        response = _post(client, world, _dump(payload))
        _check_response(response, before)
        statuses.append(response.status_code)

    check()
    assert len(statuses) >= 100 and set(statuses) <= {200, 400, 403, 409}


def test_random_bytes_never_crash(world, table, client):
    count = []

    @FUZZ
    @given(body=st.binary(max_size=64))
    @example(body=b'{"cells": [{"unit": 1e309}]}')
    @example(body=b'{"cells": [{"unit": 1, "criterion": 2, "version": 1e309}]}')
    def check(body):
        before = _state()
        _check_response(_post(client, world, body), before)
        count.append(1)

    check()
    assert len(count) >= 100


def test_random_cells_save_all_or_nothing(world, table, crit, client):
    units = st.sampled_from([world.head.pk, world.deputy.pk, world.member.pk])
    criteria = st.sampled_from([c.pk for c in crit.values()])
    comments = st.one_of(st.none(), _TEXT, st.text(max_size=3000))
    # Mostly cells the grid could send (valid ids, the current version, a value within
    # every criterion's maximum), some with one hostile field: a request mixes them.
    good = st.fixed_dictionaries(
        {
            "unit": units,
            "criterion": criteria,
            "version": st.just(CURRENT),
            "value": st.sampled_from(["0", "1", "1,5", "2", "0.25", "", "1.00", "+2"]),
        },
        optional={"comment": comments},
    )
    hostile = st.fixed_dictionaries(
        {"unit": units | _LEAF, "criterion": criteria | _LEAF},
        optional={
            "version": st.just(CURRENT) | _LEAF,
            "value": _VALUES,
            "comment": comments,
        },
    )
    cell = st.one_of(good, good, good, hostile)
    stages = st.sampled_from([Stage.CROSS] * 4 + [Stage.VERIFIED, Stage.SELF])
    statuses: list[int] = []

    @FUZZ
    @given(cells=st.lists(cell, min_size=1, max_size=5), stage=stages)
    def check(cells, stage):
        before = _state()
        for c in cells:
            if c.get("version") is CURRENT:
                row = before[0].get((c["unit"], c["criterion"], stage), None)
                c["version"] = row[2] if row else 0
        response = _post(client, world, _dump({"cells": cells}), stage=stage)
        _check_response(response, before, stage=stage)
        statuses.append(response.status_code)

    check()
    # Both paths were taken: some saves went through (secretariat, cross stage), others
    # were refused per cell, as conflicts, or for the stage (403).
    assert statuses.count(200) >= 5, statuses
    assert {400, 403} <= set(statuses), statuses


def test_saved_values_equal_what_the_parser_reads(world, table, crit, client):
    @FUZZ
    @given(
        value=st.decimals(min_value=0, max_value=10, places=2),
        comma=st.booleans(),
    )
    def check(value, comma):
        text = format(value, "f").replace(".", "," if comma else ".")
        key = (world.member.pk, crit["1.1"].pk, Stage.CROSS)
        before = _state()
        row = before[0].get(key)
        cell = _cell(world, crit, value=text, version=row[2] if row else 0)
        response = _post(client, world, json.dumps({"cells": [cell]}))
        assert response.status_code == 200, response.content
        _check_response(response, before)
        assert ScoreValue.objects.get(
            sheet__unit_id=key[0], criterion_id=key[1], stage=key[2]
        ).value == Decimal(value)

    check()
