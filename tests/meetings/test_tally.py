"""Pure counting rules (meetings.tally): exact thresholds, percentages, quotas, ties,
ballot papers and paper counts. No database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from meetings import tally
from meetings.tally import CandidateSpec, Row


@pytest.mark.parametrize(
    ("yes", "base", "num", "den", "strict", "expected"),
    [
        (5, 9, 1, 2, True, True),  # 5/9 > 1/2
        (4, 8, 1, 2, True, False),  # exactly half is not "more than half"
        (4, 8, 1, 2, False, True),  # but is "at least half"
        (6, 9, 2, 3, False, True),  # exactly 2/3, "từ 2/3 trở lên"
        (6, 9, 2, 3, True, False),  # exactly 2/3 is not "trên 2/3"
        (7, 9, 2, 3, True, True),
        (5, 9, 2, 3, False, False),
        (2, 3, 2, 3, False, True),  # 0.666... as a float would be fragile; integers are not
        (200, 300, 2, 3, False, True),
        (199, 300, 2, 3, False, False),
        (0, 0, 1, 2, False, False),  # no base, nothing passes
        (0, 5, 0, 1, False, False),  # no yes vote never passes
    ],
)
def test_thresholds_are_exact(yes, base, num, den, strict, expected):
    assert (
        tally.passes(yes=yes, base_count=base, numerator=num, denominator=den, strict=strict)
        is expected
    )


def test_percent_rounds_half_up_to_one_place_with_a_comma():
    assert tally.percent(8, 9) == Decimal("88.9")
    assert tally.percent_label(tally.percent(8, 9)) == "88,9%"
    assert tally.percent_label(tally.percent(2, 3)) == "66,7%"
    assert tally.percent_label(tally.percent(1, 8)) == "12,5%"
    assert tally.percent_label(tally.percent(9, 9)) == "100,0%"
    assert tally.percent(1, 0) == Decimal("0.0")


def test_threshold_labels():
    assert (
        tally.threshold_label(numerator=1, denominator=2, strict=True, base_label="số phiếu hợp lệ")
        == "trên 50% số phiếu hợp lệ"
    )
    assert (
        tally.threshold_label(
            numerator=2, denominator=3, strict=False, base_label="tổng số đơn vị thành viên"
        )
        == "từ 2/3 tổng số đơn vị thành viên trở lên"
    )


SPECS = [
    CandidateSpec(id=1, unit_id=11, position="", name="Sở A"),
    CandidateSpec(id=2, unit_id=12, position="", name="Sở B"),
    CandidateSpec(id=3, unit_id=13, position="", name="Sở C"),
]


def test_a_ballot_paper_answers_every_candidate():
    assert tally.choices_clean(
        choices={1: "yes", "2": "no", 3: "blank"}, candidates=SPECS, max_winners=1
    ) == {"1": "yes", "2": "no", "3": "blank"}


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({1: "yes", 2: "no"}, "Chưa chọn cho 1 đơn vị: Sở C."),
        ({1: "yes", 2: "no", 3: "no", 99: "no"}, "Phiếu có đơn vị không thuộc danh sách"),
        ({1: "yes", 2: "no", "x": "no"}, "Phiếu có đơn vị không thuộc danh sách"),
        ({1: "maybe", 2: "no", 3: "no"}, "Mỗi đơn vị chỉ được chọn"),
        ({1: "yes", 2: "yes", 3: "no"}, "nhiều hơn số được chọn (1)"),
        ("yes", "Phiếu bầu không hợp lệ."),
    ],
)
def test_bad_ballot_papers_are_refused_without_repeating_the_choice(choices, message):
    with pytest.raises(ValidationError) as exc:
        tally.choices_clean(choices=choices, candidates=SPECS, max_winners=1)
    assert message in exc.value.messages[0]


def test_an_election_allows_one_yes_per_position():
    specs = [
        CandidateSpec(id=1, unit_id=11, position="head", name="A"),
        CandidateSpec(id=2, unit_id=12, position="head", name="B"),
        CandidateSpec(id=3, unit_id=13, position="deputy", name="C"),
    ]
    tally.choices_clean(choices={1: "yes", 2: "no", 3: "yes"}, candidates=specs, max_winners=1)
    with pytest.raises(ValidationError):
        tally.choices_clean(choices={1: "yes", 2: "yes", 3: "no"}, candidates=specs, max_winners=1)


def test_count_online():
    votes = [{"1": "yes", "2": "no"}, {"1": "yes", "2": "blank"}, {"1": "no", "2": "yes"}]
    assert tally.count_online(votes, [1, 2]) == {1: (2, 1, 0), 2: (1, 1, 1)}


def _rows(*spec):
    return [
        Row(id=i, unit_id=100 + i, position=p, name=n, yes=y, passed=ok)
        for i, (n, p, y, ok) in enumerate(spec, 1)
    ]


def test_quota_keeps_the_most_yes_votes():
    rows = _rows(("A", "", 7, True), ("B", "", 8, True), ("C", "", 6, True), ("D", "", 2, False))
    out = tally.winners_select(rows=rows, max_winners=2, tie_rule="second_round")
    assert out.elected == {1, 2} and out.tie_note == "" and out.tied == []


def test_failing_candidates_never_win_even_with_free_places():
    rows = _rows(("A", "", 7, True), ("B", "", 3, False))
    out = tally.winners_select(rows=rows, max_winners=3, tie_rule="second_round")
    assert out.elected == {1}


def test_tie_at_the_cut_off_goes_to_a_second_round():
    rows = _rows(("A", "", 8, True), ("B", "", 6, True), ("C", "", 6, True))
    out = tally.winners_select(rows=rows, max_winners=2, tie_rule="second_round")
    assert out.elected == {1}
    assert sorted(out.tied) == [2, 3]
    assert "cần bỏ phiếu lại (vòng 2)" in out.tie_note and "B, C" in out.tie_note


def test_tie_at_the_cut_off_by_the_score_ranking():
    rows = _rows(("A", "", 8, True), ("B", "", 6, True), ("C", "", 6, True))
    ranks = {101: 1, 102: 5, 103: 2}
    out = tally.winners_select(rows=rows, max_winners=2, tie_rule="score_ranking", ranks=ranks)
    assert out.elected == {1, 3}
    assert "thứ hạng điểm thi đua" in out.tie_note and "chọn C" in out.tie_note
    assert out.tied == []


def test_equal_ranks_leave_the_tie_to_a_second_round():
    rows = _rows(("B", "", 6, True), ("C", "", 6, True))
    out = tally.winners_select(
        rows=rows, max_winners=1, tie_rule="score_ranking", ranks={101: 3, 102: 3}
    )
    assert out.elected == set() and sorted(out.tied) == [1, 2]


def test_a_tie_above_the_cut_off_is_no_tie():
    rows = _rows(("A", "", 6, True), ("B", "", 6, True), ("C", "", 4, True))
    out = tally.winners_select(rows=rows, max_winners=2, tie_rule="second_round")
    assert out.elected == {1, 2} and out.tie_note == ""


def test_election_one_head_one_deputy_and_the_head_is_not_also_deputy():
    rows = [
        Row(id=1, unit_id=11, position="head", name="A", yes=7, passed=True),
        Row(id=2, unit_id=12, position="head", name="B", yes=5, passed=True),
        Row(id=3, unit_id=11, position="deputy", name="A", yes=8, passed=True),
        Row(id=4, unit_id=13, position="deputy", name="C", yes=6, passed=True),
    ]
    out = tally.winners_select(rows=rows, max_winners=1, tie_rule="second_round")
    assert out.elected == {1, 4}


def _paper(**kw):
    args = {
        "issued": 8,
        "returned": 8,
        "valid": 7,
        "invalid": 1,
        "per_candidate": {1: (5, 2, 0), 2: (3, 3, 1)},
        "candidate_ids": [1, 2],
        "max_issued": 9,
    }
    args.update(kw)
    return tally.paper_counts_errors(**args)


def test_paper_counts_that_add_up():
    assert _paper() == {}


def test_paper_counts_name_each_wrong_field():
    assert _paper(invalid=0)["valid"] == (
        "Tổng số phiếu hợp lệ và không hợp lệ (7) phải bằng số phiếu thu về (8)."
    )
    assert set(_paper(returned=9, invalid=2)) == {"returned"}
    assert set(_paper(issued=10, returned=8)) == {"issued"}
    errors = _paper(per_candidate={1: (5, 2, 1), 2: (3, 3, 1)})
    assert set(errors) == {"candidate_1_yes", "candidate_1_no", "candidate_1_blank"}
    assert "(8) phải bằng số phiếu hợp lệ (7)" in errors["candidate_1_yes"]
    assert set(_paper(per_candidate={1: (5, 2, 0)})) == {"candidate_2_yes"}
    assert set(_paper(per_candidate={1: (5, -2, 0), 2: (3, 3, 1)})) == {"candidate_1_no"}
    assert set(_paper(issued=None, valid="7")) == {"issued", "valid"}
    assert "per_candidate" in _paper(per_candidate={1: (5, 2, 0), 2: (3, 3, 1), 3: (0, 0, 7)})
