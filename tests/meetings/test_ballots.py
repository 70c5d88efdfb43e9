"""Ballot services (DESIGN.md §8): every state change allowed and refused, quorum, pass
rules on each base, quotas, ties under both rules, self-vote, paper counts, who may vote,
reset, the election of next year's head and deputy, receipts and recount."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from blocs import cycle
from blocs import services as bloc_services
from blocs.models import BlocYear, Membership, RoleAssignment
from meetings.models import (
    Ballot,
    BallotCandidate,
    BallotEvent,
    BallotParticipation,
    Meeting,
    StagedVote,
    Vote,
)
from meetings.selectors import ballots as selectors
from meetings.services import ballots as services
from meetings.services import meetings as meeting_services
from rules.models import RuleSet

from ..conftest import make_user
from .conftest import (
    ballot_attend,
    ballot_cast,
    ballot_choices,
    ballot_election,
    ballot_nomination,
)

pytestmark = pytest.mark.django_db


def _msg(exc) -> str:
    return " ".join(exc.value.messages)


def _open(by, ballot):
    return services.ballot_open(ballot=ballot, actor=by.secretariat)


def _close(by, ballot):
    return services.ballot_close(ballot=ballot, actor=by.secretariat)


def _rows(ballot) -> dict:
    return {(r.unit.pk, r.position): r for r in selectors.ballot_result(ballot=ballot).rows}


def _row(ballot, unit, position=""):
    return _rows(ballot)[(unit.pk, position)]


def _vote_many(by, ballot, patterns: list[dict]):
    """patterns[i] is the paper of by.units[i]."""
    return [ballot_cast(by, ballot, by.units[i], p) for i, p in enumerate(patterns)]


# --- create and update ------------------------------------------------------------------------


def test_create_copies_the_rule_set(ballot_year, world):
    RuleSet.objects.create(
        province=world.province,
        year=2020,
        name="Quy chế khối 2020",
        ballot_threshold_numerator=2,
        ballot_threshold_denominator=3,
        ballot_threshold_strict=False,
        ballot_base="valid",
        ballot_self_vote_allowed=False,
        ballot_tie_rule="second_round",
        ballot_publication="receipts",
    )
    ballot = ballot_nomination(ballot_year, max_winners=2)
    assert (
        ballot.status,
        ballot.threshold_numerator,
        ballot.threshold_denominator,
        ballot.threshold_strict,
        ballot.base,
        ballot.self_vote_allowed,
        ballot.tie_rule,
        ballot.publication,
        ballot.max_winners,
    ) == ("created", 2, 3, False, "valid", False, "second_round", "receipts", 2)
    assert [c.unit for c in ballot.candidates.order_by("order")] == ballot_year.units[:3]
    assert BallotEvent.objects.get(ballot=ballot).action == "create"


def test_a_nomination_needs_an_award_type_of_the_province(ballot_year, world):
    by = ballot_year
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            meeting=by.meeting,
            kind="nomination",
            title="Bình xét",
            method="online",
            candidates=[(by.units[0], "")],
            actor=by.secretariat,
        )
    assert "award_type" in exc.value.message_dict
    from awards.models import AwardType

    far = AwardType.objects.create(
        province=world.other_province, name="Cờ thi đua", level="province", kind="flag"
    )
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            meeting=by.meeting,
            kind="nomination",
            title="Bình xét",
            method="online",
            candidates=[(by.units[0], "")],
            actor=by.secretariat,
            award_type=far,
        )
    assert exc.value.message_dict["award_type"] == [
        "Danh hiệu, hình thức khen thưởng phải của tỉnh của khối."
    ]
    assert not Ballot.objects.exists()


def test_candidates_must_be_members(ballot_year, world):
    with pytest.raises(ValidationError) as exc:
        ballot_nomination(ballot_year, candidates=[ballot_year.units[0], world.non_member])
    assert exc.value.message_dict["candidates"] == [
        "Đơn vị Sở Văn hóa và Thể thao không phải thành viên của khối trong năm 2020."
    ]
    assert not Ballot.objects.exists()


@pytest.mark.parametrize(
    ("title", "method", "max_winners", "field"),
    [
        ("", "online", 1, "title"),
        ("x" * 301, "online", 1, "title"),
        ("Bình xét", "fax", 1, "method"),
        ("Bình xét", "online", 0, "max_winners"),
    ],
)
def test_bad_settings_are_refused_by_field(ballot_year, title, method, max_winners, field):
    by = ballot_year
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            meeting=by.meeting,
            kind="nomination",
            title=title,
            method=method,
            candidates=[(by.units[0], "")],
            actor=by.secretariat,
            award_type=by.award_type,
            max_winners=max_winners,
        )
    assert field in exc.value.message_dict
    assert not Ballot.objects.exists()


def test_ballots_only_at_the_year_end_meeting(ballot_year):
    by = ballot_year
    mid = meeting_services.meeting_create(
        bloc_year=by.bloc_year,
        kind=Meeting.Kind.MID_YEAR,
        held_on=dt.date(2020, 7, 20),
        actor=by.secretariat,
    )
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            meeting=mid,
            kind="nomination",
            title="Bình xét",
            method="online",
            candidates=[(by.units[0], "")],
            actor=by.secretariat,
            award_type=by.award_type,
        )
    assert "tại Hội nghị tổng kết năm" in _msg(exc)


def test_the_head_may_not_stand_for_head_again_when_the_rule_set_forbids(ballot_year, world):
    by = ballot_year  # units[0] is this year's head; the example rule set forbids a repeat
    with pytest.raises(ValidationError) as exc:
        ballot_election(by, heads=[by.units[0], by.units[2]])
    assert exc.value.message_dict["candidates"] == [
        "Theo quy chế, Sở Giao thông Vận tải là Trưởng khối năm 2020 nên không được ứng cử "
        "Trưởng khối năm 2021 (không làm Trưởng khối hai năm liền)."
    ]
    # It may stand for deputy; and a rule set that allows the repeat allows it.
    ballot_election(by, heads=[by.units[2]], deputies=[by.units[0]])
    RuleSet.objects.create(
        province=world.province, year=2020, name="Quy chế", election_head_repeat_allowed=True
    )
    ballot_election(by, heads=[by.units[0], by.units[2]])


def test_election_candidates_have_a_position(ballot_year):
    by = ballot_year
    with pytest.raises(ValidationError) as exc:
        services.ballot_create(
            meeting=by.meeting,
            kind="election",
            title="Bầu",
            method="online",
            candidates=[(by.units[2], "")],
            actor=by.secretariat,
        )
    assert "Trưởng khối hoặc Phó khối" in _msg(exc)


def test_update_while_created_then_refused_once_open(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_update(
        ballot=ballot,
        actor=by.secretariat,
        title="Bình xét lại",
        base="present",
        candidates=[(by.units[3], ""), (by.units[4], "")],
    )
    ballot.refresh_from_db()
    assert ballot.title == "Bình xét lại" and ballot.base == "present"
    assert sorted(c.unit_id for c in ballot.candidates.all()) == sorted(
        [by.units[3].pk, by.units[4].pk]
    )
    with pytest.raises(ValidationError) as exc:
        services.ballot_update(ballot=ballot, actor=by.secretariat, status="published")
    assert "status" in _msg(exc)
    _open(by, ballot)
    with pytest.raises(ValidationError) as exc:
        services.ballot_update(ballot=ballot, actor=by.secretariat, title="Khác")
    assert _msg(exc) == "Cuộc bỏ phiếu đã mở, không thể sửa thiết lập."
    # Below the service, the database refuses too.
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(base="members")
    with pytest.raises(DatabaseError), transaction.atomic():
        BallotCandidate.objects.filter(ballot=ballot).update(unit=by.units[5])
    if connection.vendor == "postgresql":  # SQLite guards updates only
        with pytest.raises(DatabaseError), transaction.atomic():
            BallotCandidate.objects.create(ballot=ballot, unit=by.units[6])


# --- open -------------------------------------------------------------------------------------


def test_open_refused_without_the_quorum(ballot_year):
    by = ballot_year
    for unit in by.units[5:]:
        ballot_attend(by.meeting, unit, by.secretariat, present=False)
    ballot = ballot_nomination(by)
    with pytest.raises(ValidationError) as exc:
        _open(by, ballot)
    assert _msg(exc) == "Chưa đủ số đơn vị dự họp theo quy chế: có mặt 5/9, cần ít nhất 6."
    ballot.refresh_from_db()
    assert ballot.status == "created" and not BallotParticipation.objects.exists()
    ballot_attend(by.meeting, by.units[5], by.secretariat)  # 6/9 = 2/3: enough
    _open(by, ballot)
    assert (ballot.members_count, ballot.present_count) == (9, 6)
    entitled = set(BallotParticipation.objects.values_list("unit_id", flat=True))
    assert entitled == {u.pk for u in by.units[:6]}


def test_open_moves_the_year_to_voting_and_freezes_the_attendance(ballot_year):
    by = ballot_year
    assert by.bloc_year.status == BlocYear.Status.SCORING
    ballot = ballot_nomination(by)
    _open(by, ballot)
    by.bloc_year.refresh_from_db()
    by.meeting.refresh_from_db()
    assert by.bloc_year.status == BlocYear.Status.VOTING
    assert by.meeting.attendance_frozen_at is not None
    with pytest.raises(ValidationError):
        ballot_attend(by.meeting, by.units[0], by.secretariat, present=False)
    with pytest.raises(ValidationError) as exc:
        _open(by, ballot)
    assert "đang ở trạng thái “Đang bỏ phiếu”" in _msg(exc)
    # A second ballot of the same meeting opens in voting without moving the year again.
    second = ballot_nomination(by, candidates=by.units[3:5])
    _open(by, second)
    assert second.status == "open"


def test_open_refused_before_the_scores_are_locked(ballot_year):
    by = ballot_year
    from scoring import services as scoring_services

    scoring_services.scoring_reopen(
        bloc_year=by.bloc_year, reason="Sai sót khi cộng điểm của đơn vị", actor=by.board
    )
    ballot = ballot_nomination(by)
    with pytest.raises(ValidationError) as exc:
        _open(by, ballot)
    assert _msg(exc) == "Chưa thể chuyển sang bỏ phiếu: Ban TĐKT chưa thẩm định điểm."
    ballot.refresh_from_db()
    assert ballot.status == "created"


# --- voting -----------------------------------------------------------------------------------


def test_one_ballot_per_unit(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    _open(by, ballot)
    receipt = ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
    assert len(receipt) == 11 and receipt[5] == "-"
    assert set(receipt.replace("-", "")) <= set(services.RECEIPT_ALPHABET)
    with pytest.raises(ValidationError) as exc:
        ballot_cast(by, ballot, by.units[0], {by.units[1].pk: "yes"})
    assert _msg(exc) == "Đơn vị Sở Giao thông Vận tải đã bỏ phiếu."
    assert StagedVote.objects.filter(ballot=ballot).count() == 1
    assert selectors.ballot_voter_units(ballot=ballot, user=by.leaders[by.units[0].pk]) == []
    assert selectors.ballot_voter_units(ballot=ballot, user=by.leaders[by.units[1].pk]) == [
        by.units[1]
    ]


def test_a_leader_cannot_vote_for_another_unit(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    _open(by, ballot)
    with pytest.raises(ValidationError) as exc:
        services.ballot_vote_cast(
            ballot=ballot,
            unit=by.units[1],
            user=by.leaders[by.units[0].pk],
            choices=ballot_choices(ballot, {}),
        )
    assert "không phải lãnh đạo hoặc người được cử bỏ phiếu thay Sở Công Thương" in _msg(exc)
    assert not BallotParticipation.objects.exclude(voted_method="").exists()


@pytest.mark.parametrize("who", ["board", "admin", "secretariat"])
def test_the_board_admins_and_secretariat_never_vote(ballot_year, who):
    by = ballot_year
    ballot = ballot_nomination(by)
    _open(by, ballot)
    user = getattr(by, who)
    with pytest.raises(ValidationError):
        services.ballot_vote_cast(
            ballot=ballot, unit=by.units[0], user=user, choices=ballot_choices(ballot, {})
        )
    assert selectors.ballot_voter_units(ballot=ballot, user=user) == []
    assert not StagedVote.objects.exists()


def test_the_named_representative_votes_for_the_unit(ballot_year):
    by = ballot_year
    staff = make_user("canbo.sotuphap")
    bloc_services.role_assign(user=staff, role=RoleAssignment.Role.STAFF, unit=by.units[2])
    ballot_attend(by.meeting, by.units[2], by.secretariat, representative_user=staff)
    ballot = ballot_nomination(by)
    _open(by, ballot)
    assert selectors.ballot_voter_units(ballot=ballot, user=staff) == [by.units[2]]
    services.ballot_vote_cast(
        ballot=ballot, unit=by.units[2], user=staff, choices=ballot_choices(ballot, {})
    )
    with pytest.raises(ValidationError):  # the leader cannot vote a second time for it
        ballot_cast(by, ballot, by.units[2], {})


def test_an_absent_unit_is_not_entitled(ballot_year):
    by = ballot_year
    ballot_attend(by.meeting, by.units[8], by.secretariat, present=False)
    ballot = ballot_nomination(by)
    _open(by, ballot)
    with pytest.raises(ValidationError) as exc:
        ballot_cast(by, ballot, by.units[8], {})
    assert "không có quyền bỏ phiếu" in _msg(exc)


def test_a_paper_with_more_yes_than_places_is_refused(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, max_winners=1)
    _open(by, ballot)
    with pytest.raises(ValidationError) as exc:
        ballot_cast(by, ballot, by.units[3], {by.units[0].pk: "yes", by.units[1].pk: "yes"})
    assert "nhiều hơn số được chọn (1)" in _msg(exc)
    # Nothing recorded: the unit may still vote.
    assert BallotParticipation.objects.get(ballot=ballot, unit=by.units[3]).voted_method == ""
    with pytest.raises(ValidationError):
        services.ballot_vote_cast(
            ballot=ballot,
            unit=by.units[3],
            user=by.leaders[by.units[3].pk],
            choices={**ballot_choices(ballot, {}), 999999: "yes"},
        )
    ballot_cast(by, ballot, by.units[3], {by.units[0].pk: "yes"})


def test_without_self_vote_the_own_candidacy_is_blank(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, max_winners=3)
    services.ballot_update(ballot=ballot, actor=by.secretariat, self_vote_allowed=False)
    _open(by, ballot)
    a = by.units[0]
    receipt = ballot_cast(by, ballot, a, {a.pk: "yes", by.units[1].pk: "yes"})
    staged = StagedVote.objects.get(receipt=receipt)
    own = BallotCandidate.objects.get(ballot=ballot, unit=a)
    assert staged.choices[str(own.pk)] == "blank"
    assert list(staged.choices.values()).count("yes") == 1


def test_no_online_vote_on_a_paper_ballot_and_none_after_close(ballot_year):
    by = ballot_year
    paper = ballot_nomination(by, method="paper")
    _open(by, paper)
    with pytest.raises(ValidationError) as exc:
        ballot_cast(by, paper, by.units[0], {})
    assert _msg(exc) == "Cuộc bỏ phiếu này chỉ bỏ phiếu giấy."
    online = ballot_nomination(by, candidates=by.units[3:5])
    _open(by, online)
    _close(by, online)
    with pytest.raises(ValidationError) as exc:
        ballot_cast(by, online, by.units[0], {})
    assert "Đã kết thúc bỏ phiếu" in _msg(exc)


# --- paper ------------------------------------------------------------------------------------


def _paper_counts(by, ballot, **kw):
    a, b, c = (BallotCandidate.objects.get(ballot=ballot, unit=u).pk for u in by.units[:3])
    args = {
        "issued": 5,
        "returned": 5,
        "valid": 4,
        "invalid": 1,
        "per_candidate": {a: (4, 0, 0), b: (1, 3, 0), c: (0, 2, 2)},
    }
    args.update(kw)
    return services.ballot_paper_counts_enter(ballot=ballot, actor=by.secretariat, **args)


def test_mixed_ballot_counts_online_and_paper(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, method="mixed")
    _open(by, ballot)
    a = by.units[0]
    for unit in by.units[:4]:
        ballot_cast(by, ballot, unit, {a.pk: "yes"})
    with pytest.raises(ValidationError) as exc:
        _close(by, ballot)
    assert _msg(exc) == "Tổ kiểm phiếu chưa nhập kết quả phiếu giấy."
    for unit in by.units[4:]:
        services.ballot_paper_issue(ballot=ballot, unit=unit, actor=by.secretariat)
    with pytest.raises(ValidationError) as exc:  # a unit given paper cannot vote online
        ballot_cast(by, ballot, by.units[4], {})
    assert _msg(exc) == "Đơn vị Sở Tài nguyên và Môi trường đã bỏ phiếu."
    with pytest.raises(ValidationError) as exc:
        services.ballot_paper_issue(ballot=ballot, unit=by.units[0], actor=by.secretariat)
    assert exc.value.message_dict["unit"] == ["Đơn vị Sở Giao thông Vận tải đã bỏ phiếu."]
    _paper_counts(by, ballot)
    _close(by, ballot)
    result = selectors.ballot_result(ballot=ballot)
    assert (result.entitled, result.issued, result.returned, result.valid, result.invalid) == (
        9,
        9,
        9,
        8,
        1,
    )
    row = _row(ballot, a)
    assert (row.yes, row.no, row.blank) == (8, 0, 0)
    assert row.passed and row.elected and row.percent_label == "88,9%"  # 8/9 members
    assert selectors.ballot_recount_matches(ballot=ballot)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"invalid": 0}, {"valid", "invalid"}),
        ({"returned": 6, "invalid": 2}, {"returned"}),
        ({"issued": 6, "returned": 5}, {"issued"}),  # only 5 units have paper or no vote
        ({"issued": -1}, {"issued"}),
        ({"valid": "bốn"}, {"valid"}),
    ],
)
def test_paper_counts_that_do_not_add_up_name_the_field(ballot_year, change, fields):
    by = ballot_year
    ballot = ballot_nomination(by, method="mixed")
    _open(by, ballot)
    for unit in by.units[:4]:
        ballot_cast(by, ballot, unit, {})
    with pytest.raises(ValidationError) as exc:
        _paper_counts(by, ballot, **change)
    assert set(exc.value.message_dict) == fields
    ballot.refresh_from_db()
    assert ballot.paper_issued is None
    assert not BallotCandidate.objects.filter(ballot=ballot, paper_yes__isnull=False).exists()


def test_paper_counts_per_candidate_name_the_candidate(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, method="paper")
    _open(by, ballot)
    b = BallotCandidate.objects.get(ballot=ballot, unit=by.units[1]).pk
    a, c = (
        BallotCandidate.objects.get(ballot=ballot, unit=u).pk for u in (by.units[0], by.units[2])
    )
    with pytest.raises(ValidationError) as exc:
        _paper_counts(by, ballot, per_candidate={a: (4, 0, 0), b: (1, 3, 1), c: (0, 2, 2)})
    assert set(exc.value.message_dict) == {
        f"candidate_{b}_yes",
        f"candidate_{b}_no",
        f"candidate_{b}_blank",
    }
    assert exc.value.message_dict[f"candidate_{b}_yes"] == [
        "Đồng ý, không đồng ý và để trống cộng lại (5) phải bằng số phiếu hợp lệ (4)."
    ]
    with pytest.raises(ValidationError) as exc:
        _paper_counts(by, ballot, invalid=0)
    assert exc.value.message_dict["valid"] == [
        "Tổng số phiếu hợp lệ và không hợp lệ (4) phải bằng số phiếu thu về (5)."
    ]
    _paper_counts(by, ballot)
    _close(by, ballot)
    assert _row(ballot, by.units[0]).yes == 4


# --- pass rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "num", "den", "strict", "present", "voters", "yes", "passed"),
    [
        ("members", 1, 2, True, 9, 9, 5, True),  # 5/9 > 1/2
        ("members", 1, 2, True, 9, 9, 4, False),
        ("members", 2, 3, False, 9, 9, 6, True),  # exactly 2/3, "từ 2/3 trở lên"
        ("members", 2, 3, True, 9, 9, 6, False),  # exactly 2/3 is not "trên 2/3"
        ("members", 1, 2, True, 8, 8, 4, False),  # 4/9 members, though half of those present
        ("present", 1, 2, True, 8, 8, 4, False),  # exactly half of 8 present is not more
        ("present", 1, 2, False, 8, 8, 4, True),  # but is at least half
        ("present", 2, 3, False, 6, 6, 4, True),  # 4/6 present = 2/3 (4/9 members)
        ("valid", 1, 2, True, 9, 6, 4, True),  # 4/6 votes cast, though 4/9 members
        ("valid", 1, 2, True, 9, 6, 3, False),
        ("valid", 1, 2, False, 9, 6, 3, True),
        ("valid", 2, 3, False, 9, 6, 4, True),
    ],
)
def test_pass_rule_on_each_base(ballot_year, base, num, den, strict, present, voters, yes, passed):
    by = ballot_year
    for unit in by.units[present:]:
        ballot_attend(by.meeting, unit, by.secretariat, present=False)
    ballot = ballot_nomination(by, candidates=by.units[:1])
    services.ballot_update(
        ballot=ballot,
        actor=by.secretariat,
        base=base,
        threshold_numerator=num,
        threshold_denominator=den,
        threshold_strict=strict,
    )
    _open(by, ballot)
    a = by.units[0]
    _vote_many(by, ballot, [{a.pk: "yes"} if i < yes else {a.pk: "no"} for i in range(voters)])
    _close(by, ballot)
    row = _row(ballot, a)
    assert row.passed is passed and row.elected is passed
    result = selectors.ballot_result(ballot=ballot)
    assert result.base_count == {"members": 9, "present": present, "valid": voters}[base]
    assert result.threshold_label.startswith("trên " if strict else "từ ")


def test_quota_keeps_the_most_yes_votes(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, candidates=by.units[:4], max_winners=2)
    _open(by, ballot)
    a, b, c, d = by.units[:4]
    _vote_many(
        by,
        ballot,
        [{a.pk: "yes", b.pk: "yes"}] * 5
        + [{a.pk: "yes", c.pk: "yes"}] * 2
        + [{c.pk: "yes", d.pk: "yes"}] * 2,
    )
    _close(by, ballot)
    rows = _rows(ballot)
    # a 7, c 4 (fails: 4/9), b 5, d 2: a and b are chosen.
    assert {k[0] for k, r in rows.items() if r.elected} == {a.pk, b.pk}
    assert {k[0] for k, r in rows.items() if r.passed} == {a.pk, b.pk}
    assert ballot.tie_note == ""


def test_tie_rules(ballot_year):
    """c and d tie for the one place (4 yes each, both passing > 1/3): by score ranking c
    (rank 3) beats d (rank 4) and the note says why; by second round neither is chosen,
    the note says a second round is needed, and the second round holds just the two."""
    by = ballot_year
    c, d = by.units[2], by.units[3]
    for rule in ("score_ranking", "second_round"):
        ballot = ballot_nomination(by, candidates=[c, d], max_winners=1)
        services.ballot_update(
            ballot=ballot,
            actor=by.secretariat,
            tie_rule=rule,
            threshold_numerator=1,
            threshold_denominator=3,
        )
        _open(by, ballot)
        _vote_many(by, ballot, [{c.pk: "yes"}] * 4 + [{d.pk: "yes"}] * 4 + [{}])
        _close(by, ballot)
        rows = _rows(ballot)
        assert rows[(c.pk, "")].passed and rows[(d.pk, "")].passed  # 4/9 > 1/3
        if rule == "score_ranking":
            assert rows[(c.pk, "")].elected and not rows[(d.pk, "")].elected
            assert "theo thứ hạng điểm thi đua của năm: chọn Sở Tư pháp" in ballot.tie_note
            assert (
                "Sở Tư pháp hạng 3; Sở Nông nghiệp và Phát triển nông thôn hạng 4"
                in ballot.tie_note
            )
            with pytest.raises(ValidationError):
                services.ballot_second_round_create(ballot=ballot, actor=by.secretariat)
        else:
            assert not rows[(c.pk, "")].elected and not rows[(d.pk, "")].elected
            assert "cần bỏ phiếu lại (vòng 2)" in ballot.tie_note
            second = services.ballot_second_round_create(ballot=ballot, actor=by.secretariat)
            assert (second.status, second.round, second.previous_round_id) == (
                "created",
                2,
                ballot.pk,
            )
            assert sorted(second.candidates.values_list("unit_id", flat=True)) == sorted(
                [c.pk, d.pk]
            )
            assert second.max_winners == 1 and second.tie_rule == "second_round"
            with pytest.raises(ValidationError):  # only one next round
                services.ballot_second_round_create(ballot=ballot, actor=by.secretariat)
            _open(by, second)
            _vote_many(by, second, [{d.pk: "yes"}] * 6)
            _close(by, second)
            assert _row(second, d).elected


# --- state changes ----------------------------------------------------------------------------


def test_states_move_only_forward(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    for step in (services.ballot_close, services.ballot_publish):
        with pytest.raises(ValidationError) as exc:
            step(ballot=ballot, actor=by.secretariat)
        assert "đang ở trạng thái “Đã tạo”" in _msg(exc)
    _open(by, ballot)
    ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
    with pytest.raises(ValidationError):
        services.ballot_publish(ballot=ballot, actor=by.secretariat)
    _close(by, ballot)
    with pytest.raises(ValidationError):
        _open(by, ballot)
    with pytest.raises(ValidationError):
        _close(by, ballot)
    with pytest.raises(ValidationError):
        services.ballot_reset(ballot=ballot, reason="Mở nhầm cuộc bỏ phiếu", actor=by.secretariat)
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    for step in (services.ballot_open, services.ballot_close, services.ballot_publish):
        with pytest.raises(ValidationError):
            step(ballot=ballot, actor=by.secretariat)
    # The database refuses a status going back, and any change to a published ballot.
    for status in ("closed", "open", "created"):
        with pytest.raises(DatabaseError), transaction.atomic():
            Ballot.objects.filter(pk=ballot.pk).update(status=status)
    if connection.vendor == "postgresql":  # SQLite guards the status and the settings
        with pytest.raises(DatabaseError), transaction.atomic():
            Ballot.objects.filter(pk=ballot.pk).update(tie_note="sửa")
    with pytest.raises(DatabaseError), transaction.atomic():
        BallotCandidate.objects.filter(ballot=ballot).update(yes_count=9)
    with pytest.raises(DatabaseError), transaction.atomic():
        BallotParticipation.objects.filter(ballot=ballot).exclude(voted_method="").update(
            voted_method=""
        )
    assert [e.action for e in BallotEvent.objects.filter(ballot=ballot)] == [
        "create",
        "open",
        "close",
        "publish",
    ]


def test_reset_only_before_the_first_vote_with_a_reason(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    with pytest.raises(ValidationError):  # not open yet
        services.ballot_reset(ballot=ballot, reason="Mở nhầm cuộc bỏ phiếu", actor=by.secretariat)
    _open(by, ballot)
    with pytest.raises(ValidationError) as exc:
        services.ballot_reset(ballot=ballot, reason="nhầm", actor=by.secretariat)
    assert exc.value.message_dict["reason"] == ["Cần nêu lý do (ít nhất 10 ký tự)."]
    services.ballot_reset(ballot=ballot, reason="Thiếu một đơn vị ứng cử", actor=by.secretariat)
    ballot.refresh_from_db()
    assert ballot.status == "created" and ballot.present_count is None
    assert not BallotParticipation.objects.filter(ballot=ballot).exists()
    event = BallotEvent.objects.filter(ballot=ballot).last()
    assert (event.action, event.note, event.actor) == (
        "reset",
        "Thiếu một đơn vị ứng cử",
        by.secretariat,
    )
    services.ballot_update(
        ballot=ballot, actor=by.secretariat, candidates=[(u, "") for u in by.units[:4]]
    )
    _open(by, ballot)
    ballot_cast(by, ballot, by.units[0], {})
    with pytest.raises(ValidationError) as exc:
        services.ballot_reset(
            ballot=ballot, reason="Muốn bỏ phiếu lại từ đầu", actor=by.secretariat
        )
    assert "đã có đơn vị bỏ phiếu" in _msg(exc)
    with pytest.raises(DatabaseError), transaction.atomic():
        Ballot.objects.filter(pk=ballot.pk).update(status="created")


def test_reset_refused_once_a_paper_is_issued(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, method="paper")
    _open(by, ballot)
    services.ballot_paper_issue(ballot=ballot, unit=by.units[0], actor=by.secretariat)
    with pytest.raises(ValidationError):
        services.ballot_reset(
            ballot=ballot, reason="Muốn bỏ phiếu lại từ đầu", actor=by.secretariat
        )


# --- election ---------------------------------------------------------------------------------


def _elect(by, *, heads, deputies, head_votes, deputy_votes):
    ballot = ballot_election(by, heads=heads, deputies=deputies)
    _open(by, ballot)
    papers = []
    for i in range(9):
        papers.append(
            {
                (heads[0].pk, "head"): "yes" if i < head_votes else "no",
                (deputies[0].pk, "deputy"): "yes" if i < deputy_votes else "no",
            }
        )
    _vote_many(by, ballot, papers)
    _close(by, ballot)
    return ballot


def test_a_published_election_writes_next_years_head_and_deputy(ballot_year):
    by = ballot_year
    c, d, e = by.units[2], by.units[3], by.units[4]
    ballot = _elect(by, heads=[c, d], deputies=[e], head_votes=7, deputy_votes=6)
    assert _row(ballot, c, "head").elected and _row(ballot, e, "deputy").elected
    assert not BlocYear.objects.filter(bloc=by.bloc, year=2021).exists()
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    next_year = BlocYear.objects.get(bloc=by.bloc, year=2021)
    assert ballot.elected_bloc_year == next_year
    roles = dict(
        Membership.objects.filter(bloc_year=next_year)
        .exclude(role="member")
        .values_list("role", "unit_id")
    )
    assert roles == {"head": c.pk, "deputy": e.pk}
    assert next_year.memberships.count() == 9  # this year's members by default
    assert next_year.status == BlocYear.Status.SETUP
    # The secretariat carries over to set up the new year.
    assert RoleAssignment.objects.filter(
        role="secretariat", bloc_year=next_year, user=by.secretariat
    ).exists()

    # A second election for 2021 is refused with the reason.
    second = _elect(by, heads=[d], deputies=[by.units[5]], head_votes=8, deputy_votes=8)
    with pytest.raises(ValidationError) as exc:
        services.ballot_publish(ballot=second, actor=by.secretariat)
    assert "Năm thi đua 2021 đã có kết quả bầu Trưởng khối, Phó khối" in _msg(exc)
    second.refresh_from_db()
    assert second.status == "closed"
    roles = dict(
        Membership.objects.filter(bloc_year=next_year)
        .exclude(role="member")
        .values_list("role", "unit_id")
    )
    assert roles == {"head": c.pk, "deputy": e.pk}


def test_an_election_into_an_existing_next_year(ballot_year):
    from blocs import setup

    by = ballot_year
    next_year = setup.bloc_year_create_next(
        bloc=by.bloc, year=2021, members=by.units[:6], source=by.bloc_year, actor=by.secretariat
    )
    ballot = _elect(by, heads=[by.units[2]], deputies=[by.units[6]], head_votes=9, deputy_votes=9)
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    roles = dict(
        Membership.objects.filter(bloc_year=next_year)
        .exclude(role="member")
        .values_list("role", "unit_id")
    )
    assert roles == {"head": by.units[2].pk, "deputy": by.units[6].pk}  # added as a member


def test_an_election_without_a_winner_for_deputy_keeps_the_head_only(ballot_year):
    by = ballot_year
    ballot = _elect(by, heads=[by.units[2]], deputies=[by.units[4]], head_votes=9, deputy_votes=2)
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    roles = dict(
        Membership.objects.filter(bloc_year=ballot.elected_bloc_year)
        .exclude(role="member")
        .values_list("role", "unit_id")
    )
    assert roles == {"head": by.units[2].pk}


# --- results, receipts, recount ---------------------------------------------------------------


def test_receipts_and_recount_per_publication_mode(ballot_year):
    by = ballot_year
    a, b = by.units[:2]
    results = {}
    for mode in ("choices", "receipts", "none"):
        ballot = ballot_nomination(by, candidates=[a, b], max_winners=2)
        services.ballot_update(ballot=ballot, actor=by.secretariat, publication=mode)
        _open(by, ballot)
        receipts = _vote_many(
            by, ballot, [{a.pk: "yes", b.pk: "no"}] * 4 + [{a.pk: "blank", b.pk: "yes"}] * 3
        )
        assert len(set(receipts)) == 7
        _close(by, ballot)
        assert selectors.ballot_published_votes(ballot=ballot) == []  # not before publication
        services.ballot_publish(ballot=ballot, actor=by.secretariat)
        results[mode] = (ballot, receipts, selectors.ballot_published_votes(ballot=ballot))
    ballot, receipts, published = results["choices"]
    assert [r for r, _c in published] == sorted(receipts)
    ca = str(BallotCandidate.objects.get(ballot=ballot, unit=a).pk)
    assert sorted(c[ca] for _r, c in published) == ["blank"] * 3 + ["yes"] * 4
    recount = selectors.ballot_recount(ballot=ballot)
    assert recount[int(ca)] == (4, 0, 3)
    assert selectors.ballot_recount_matches(ballot=ballot)
    _ballot, receipts, published = results["receipts"]
    assert published == [(r, None) for r in sorted(receipts)]
    assert results["none"][2] == []


def test_result_figures_and_the_small_electorate_warning(ballot_year):
    by = ballot_year
    a, b = by.units[:2]
    ballot = ballot_nomination(by, candidates=[a, b], max_winners=2, illustrative=True)
    _open(by, ballot)
    result = selectors.ballot_result(ballot=ballot)
    assert not result.counted and not result.small_electorate
    _vote_many(by, ballot, [{a.pk: "yes", b.pk: "yes"}] * 8 + [{a.pk: "yes", b.pk: "no"}])
    _close(by, ballot)
    result = selectors.ballot_result(ballot=ballot)
    assert (result.members, result.present, result.entitled, result.valid) == (9, 9, 9, 9)
    assert result.base == "members" and result.base_label == "tổng số đơn vị thành viên"
    assert result.threshold_label == "trên 50% tổng số đơn vị thành viên"
    assert result.illustrative and result.counted and result.closed_at is not None
    # Every unit said yes to a: with 9 voters that reveals each one's answer.
    assert result.small_electorate
    assert [(r.unit, r.yes, r.percent_label) for r in result.rows] == [
        (a, 9, "100,0%"),
        (b, 8, "88,9%"),
    ]


def test_ballots_published_is_a_fact_of_the_year(ballot_year):
    by = ballot_year
    facts = lambda: cycle.year_facts_load([by.bloc_year])[by.bloc_year.pk]  # noqa: E731
    assert not facts().ballots_published
    first = ballot_nomination(by)
    second = ballot_nomination(by, candidates=by.units[3:5])
    for ballot in (first, second):
        _open(by, ballot)
        _close(by, ballot)
    services.ballot_publish(ballot=first, actor=by.secretariat)
    assert not facts().ballots_published  # one of the two is not published yet
    services.ballot_publish(ballot=second, actor=by.secretariat)
    assert facts().ballots_published
    blockers = cycle.transition_blockers(cycle.TRANSITIONS["voting"], facts())
    assert "ballots" not in [c.code for c in blockers]


# --- reading ----------------------------------------------------------------------------------


def test_who_reads_and_who_manages_a_ballot(ballot_year, world):
    by = ballot_year
    ballot = ballot_nomination(by)
    for user in (by.secretariat, by.board, by.admin, by.leaders[by.units[4].pk]):
        assert selectors.ballot_get_for_user(user=user, ballot_id=ballot.pk) == ballot
    for user in (
        world.users["leader_nonmember"],
        world.users["board_other"],
        world.users["norole"],
    ):
        with pytest.raises(PermissionDenied):
            selectors.ballot_get_for_user(user=user, ballot_id=ballot.pk)
    for user in (by.secretariat, by.admin):
        selectors.ballot_get_for_user(user=user, ballot_id=ballot.pk, manage=True)
    for user in (by.board, by.leaders[by.units[0].pk]):
        with pytest.raises(PermissionDenied):
            selectors.ballot_get_for_user(user=user, ballot_id=ballot.pk, manage=True)
    from django.http import Http404

    for bad in (999999, "abc"):
        with pytest.raises(Http404):
            selectors.ballot_get_for_user(user=by.admin, ballot_id=bad)


def test_close_waits_for_a_vote_between_its_two_transactions(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    _open(by, ballot)
    # A participation marked online whose paper has not reached the box yet.
    BallotParticipation.objects.filter(ballot=ballot, unit=by.units[0]).update(
        voted_method="online"
    )
    with pytest.raises(ValidationError) as exc:
        _close(by, ballot)
    assert "Đang ghi nhận phiếu" in _msg(exc)
    assert Vote.objects.count() == 0


def test_close_and_result_take_a_constant_number_of_queries(
    ballot_year, django_assert_max_num_queries
):
    by = ballot_year
    ballot = ballot_nomination(by, candidates=by.units[:5], max_winners=2)
    _open(by, ballot)
    _vote_many(by, ballot, [{by.units[i % 5].pk: "yes"} for i in range(9)])
    with django_assert_max_num_queries(16):
        _close(by, ballot)
    with django_assert_max_num_queries(3):
        result = selectors.ballot_result(ballot=ballot)
    assert len(result.rows) == 5


def test_an_election_tied_for_head_is_settled_by_a_second_round(ballot_year):
    by = ballot_year
    c, d, e = by.units[2], by.units[3], by.units[4]
    ballot = ballot_election(by, heads=[c, d], deputies=[e])
    services.ballot_update(
        ballot=ballot,
        actor=by.secretariat,
        tie_rule="second_round",
        threshold_numerator=1,
        threshold_denominator=3,
    )
    _open(by, ballot)
    papers = [{(c.pk, "head"): "yes", (e.pk, "deputy"): "yes"}] * 4
    papers += [{(d.pk, "head"): "yes", (e.pk, "deputy"): "yes"}] * 4
    papers += [{(e.pk, "deputy"): "yes"}]
    _vote_many(by, ballot, papers)
    _close(by, ballot)
    assert not _row(ballot, c, "head").elected and not _row(ballot, d, "head").elected
    assert _row(ballot, e, "deputy").elected
    assert "Trưởng khối: các đơn vị" in ballot.tie_note
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    assert ballot.elected_bloc_year is None  # the second round will write next year
    assert not BlocYear.objects.filter(bloc=by.bloc, year=2021).exists()
    second = services.ballot_second_round_create(ballot=ballot, actor=by.secretariat)
    assert sorted(second.candidates.values_list("unit_id", "position")) == sorted(
        [(c.pk, "head"), (d.pk, "head")]
    )
    _open(by, second)
    _vote_many(by, second, [{(c.pk, "head"): "yes"}] * 6 + [{(d.pk, "head"): "yes"}] * 3)
    _close(by, second)
    services.ballot_publish(ballot=second, actor=by.secretariat)
    roles = dict(
        Membership.objects.filter(bloc_year=second.elected_bloc_year)
        .exclude(role="member")
        .values_list("role", "unit_id")
    )
    assert roles == {"head": c.pk, "deputy": e.pk}
