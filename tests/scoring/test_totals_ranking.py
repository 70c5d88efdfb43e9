"""Totals with bonus/penalty caps, dense ranking with ties and tie-breaks, classification
bands from the rule set, with reasons in Vietnamese."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from rules.models import RuleSet, validate_classification_bands, validate_tie_break_order
from scoring.ranking import Entry, classify, rank_entries
from scoring.totals import Totals, fmt, sheet_totals, table_max


def c(pk, kind, max_points, group="I"):
    return SimpleNamespace(pk=pk, kind=kind, max_points=D(max_points), group_code=group)


CRITERIA = [
    c(1, "regular", "10"),
    c(2, "regular", "20"),
    c(3, "bonus", "3"),
    c(4, "bonus", "3"),
    c(5, "penalty", "2"),
    c(6, "penalty", "5"),
]


def totals(values, bonus_cap="5", penalty_cap="4"):
    return sheet_totals(
        criteria=CRITERIA, values=values, bonus_cap=D(bonus_cap), penalty_cap=D(penalty_cap)
    )


def test_regular_sum_and_completeness():
    t = totals({1: D("8.5"), 2: D("19.25")})
    assert t.regular == D("27.75") and t.total == D("27.75")
    assert t.complete and t.filled == 2 and t.required == 2
    assert not totals({1: D("8")}).complete
    assert table_max(CRITERIA) == D("30")


def test_bonus_capped_per_item_and_per_sheet():
    # 3 + 3 = 6 above the sheet cap of 5; an item above its own cap counts as its cap.
    t = totals({1: D("10"), 2: D("20"), 3: D("3"), 4: D("3")})
    assert t.bonus == D("5") and t.bonus_capped and t.total == D("35")
    t = totals({1: D("10"), 2: D("20"), 3: D("4")})
    assert t.bonus == D("3")


def test_penalty_capped_per_item_and_per_sheet():
    t = totals({1: D("10"), 2: D("20"), 5: D("2"), 6: D("5")})
    assert t.penalty == D("4") and t.penalty_capped and t.total == D("26")
    t = totals({1: D("10"), 2: D("20"), 6: D("1.5")})
    assert t.penalty == D("1.5") and t.total == D("28.5")


def test_decimal_arithmetic_is_exact():
    t = totals({1: D("0.1"), 2: D("0.2")})
    assert t.total == D("0.3")
    assert fmt(D("8.50")) == "8,5" and fmt(D("10.00")) == "10" and fmt(D("0.05")) == "0,05"


def entry(unit_id, name, total, penalty="0", bonus="0", complete=True, groups=None):
    t = Totals(
        regular=D(total) - D(bonus) + D(penalty),
        bonus=D(bonus),
        penalty=D(penalty),
        filled=2 if complete else 1,
        required=2,
    )
    return Entry(unit_id=unit_id, name=name, totals=t, group_totals=groups or {})


def test_dense_ranking_with_a_tie_for_third():
    entries = [
        entry(1, "Ban Quản lý Khu kinh tế", "98"),
        entry(2, "Sở Giao thông vận tải", "96"),
        entry(3, "Sở Xây dựng", "95"),
        entry(4, "Sở Tài nguyên và Môi trường", "95"),
        entry(5, "Sở Công Thương", "93"),
    ]
    ranked = rank_entries(entries, ["verified_total", "penalty_total", "bonus_total"])
    ranks = {r.entry.name: r.rank for r in ranked}
    assert ranks == {
        "Ban Quản lý Khu kinh tế": 1,
        "Sở Giao thông vận tải": 2,
        "Sở Xây dựng": 3,
        "Sở Tài nguyên và Môi trường": 3,
        "Sở Công Thương": 4,  # dense: no rank is skipped
    }
    tie = next(r for r in ranked if r.entry.name == "Sở Xây dựng")
    assert "Bằng điểm với Sở Tài nguyên và Môi trường" in tie.rank_reason
    assert "cùng xếp thứ Ba" in tie.rank_reason


def test_tie_break_by_penalty_then_bonus():
    entries = [
        entry(1, "Đơn vị A", "95", penalty="1"),
        entry(2, "Đơn vị B", "95", penalty="0.5"),
        entry(3, "Đơn vị C", "95", penalty="0.5", bonus="2"),
    ]
    ranked = rank_entries(entries, ["verified_total", "penalty_total", "bonus_total"])
    assert [(r.entry.name, r.rank) for r in ranked] == [
        ("Đơn vị C", 1),
        ("Đơn vị B", 2),
        ("Đơn vị A", 3),
    ]
    b = ranked[1]
    assert "xếp trên theo điểm trừ" in b.rank_reason  # above A
    assert "xếp dưới theo điểm cộng" in b.rank_reason  # below C


def test_without_tie_breaks_equal_totals_share_the_rank():
    entries = [entry(1, "A", "95", penalty="1"), entry(2, "B", "95")]
    ranked = rank_entries(entries, [])
    assert [r.rank for r in ranked] == [1, 1]


def test_group_tie_break():
    entries = [
        entry(1, "A", "90", groups={"II": D("40")}),
        entry(2, "B", "90", groups={"II": D("45")}),
    ]
    ranked = rank_entries(entries, ["group:II"])
    assert [(r.entry.name, r.rank) for r in ranked] == [("B", 1), ("A", 2)]


def test_incomplete_sheets_are_not_ranked():
    ranked = rank_entries([entry(1, "A", "90"), entry(2, "B", "99", complete=False)], [])
    assert [(r.entry.name, r.rank) for r in ranked] == [("A", 1), ("B", None)]
    assert "chưa có đủ điểm thẩm định" in ranked[1].rank_reason


BANDS = [
    {"code": "excellent", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_percent": 95},
    {"code": "good", "label": "Hoàn thành tốt nhiệm vụ", "min_percent": 80},
    {"code": "done", "label": "Hoàn thành nhiệm vụ", "min_percent": 50},
    {"code": "not_done", "label": "Không hoàn thành nhiệm vụ", "min_percent": 0},
]


@pytest.mark.parametrize(
    ("total", "code"),
    [
        ("100", "excellent"),
        ("95", "excellent"),
        ("94.99", "good"),
        ("80", "good"),
        ("79", "done"),
        ("50", "done"),
        ("49.5", "not_done"),
    ],
)
def test_classification_bands_by_percent(total, code):
    t = Totals(regular=D(total), filled=1, required=1)
    got, label, reason = classify(totals=t, max_total=D("100"), bands=BANDS, rule_name="Quy chế X")
    assert got == code
    assert label in reason and "Quy chế X" in reason and "trở lên" in reason


def test_classification_by_points_and_with_bonus_above_max():
    bands = [
        {"code": "a", "label": "Loại A", "min_points": 90},
        {"code": "b", "label": "Loại B", "min_points": 0},
    ]
    t = Totals(regular=D("89"), bonus=D("2"), filled=1, required=1)
    code, _label, reason = classify(totals=t, max_total=D("100"), bands=bands, rule_name="Q")
    assert code == "a" and "91/100" in reason


def test_classification_needs_verified_scores():
    t = Totals(regular=D("50"), filled=1, required=2)
    assert classify(totals=t, max_total=D("100"), bands=BANDS, rule_name="Q")[0] == ""


def test_rule_set_validators_refuse_bad_json():
    validate_classification_bands(BANDS)
    validate_tie_break_order(["verified_total", "penalty_total", "group:II"])
    for bad in (
        [],
        [{"code": "x"}],
        [{"code": "x", "label": "X", "min_percent": "abc"}],
        [{"code": "x", "label": "X", "min_percent": -1}],
        [{"code": "x", "label": "X", "min_percent": 1, "min_points": 2}],
    ):
        with pytest.raises(ValidationError):
            validate_classification_bands(bad)
    for bad in ("penalty_total", ["unknown"], ["group:"], [1]):
        with pytest.raises(ValidationError):
            validate_tie_break_order(bad)


@pytest.mark.django_db
def test_example_rule_set_is_shipped_and_valid():
    # The example comes from a data migration (transactional tests elsewhere may have
    # flushed its row: running it again is idempotent).
    import importlib

    from django.apps import apps

    importlib.import_module("rules.migrations.0002_example_rule_set").create_example(apps, None)
    example = RuleSet.objects.get(province__isnull=True, is_example=True)
    example.full_clean()
