"""Eligibility computed from stored history (awards/eligibility.py): each condition passing
and failing, renamed and merged units, and the batch form's constant query count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards import services as award_services
from awards.eligibility import eligibility_for_bloc_year, unit_eligibility
from awards.models import AwardRule, AwardType
from blocs import services as bloc_services
from rules.models import RuleSet
from scoring.selectors import scoreboard

from .conftest import nominate, scores_lock

pytestmark = pytest.mark.django_db


def _example() -> RuleSet:
    return RuleSet.objects.get(province__isnull=True, is_example=True)


def _rule(award, **fields) -> AwardRule:
    return award_services.award_rule_set(
        rule_set=_example(), award_type=award, actor=None, **fields
    )


def _reason(result, code):
    found = [r for r in result.reasons if r.code == code]
    assert len(found) == 1, (code, result.reasons)
    return found[0]


def _one(world, award, unit, **kwargs):
    return unit_eligibility(bloc_year=world.bloc_year, award_type=award, unit=unit, **kwargs)


def _sec(world):
    return world.users["secretariat_here"]


# --- rank and classification --------------------------------------------------------------


def test_rank_and_classification_are_the_scoreboards(scored, awards):
    world = scored
    board = {row.unit.pk: row for row in scoreboard(bloc_year=world.bloc_year)["rows"]}
    results = eligibility_for_bloc_year(bloc_year=world.bloc_year, award_types=[awards["flag"]])
    assert len(results) == 3
    for (_award, unit_id), e in results.items():
        row = board[unit_id]
        assert (e.rank, e.rank_label) == (row.rank, row.rank_label)
        assert (e.classification_code, e.classification) == (
            row.classification_code,
            row.classification,
        )
        assert e.classification_reason == row.classification_reason
        assert e.total == row.totals["verified"].total
    assert [results[(awards["flag"].pk, u.pk)].rank for u in (world.head, world.deputy)] == [1, 2]


def test_the_issue_sentence_for_an_eligible_unit(scored, awards):
    world = scored
    nominate(world.bloc_year, awards["flag"], {world.head: 3}, actor=_sec(world))
    e = _one(world, awards["flag"], world.head)
    assert e.eligible
    assert e.summary.startswith(
        "Đủ điều kiện Cờ thi đua của UBND tỉnh: xếp thứ Nhất, hoàn thành xuất sắc nhiệm vụ, "
        "đạt 3/3 phiếu đồng ý (100,0% tổng số đơn vị thành viên, yêu cầu trên 50%)"
    )
    assert all(r.ok for r in e.reasons)
    assert e.ballot.yes == 3 and e.ballot.base_count == 3 and e.ballot.elected
    snap = e.snapshot()
    assert snap["summary"] == e.summary and snap["ballot"]["percent"] == "100.0"
    assert snap["total"] == "97.00"


def test_rank_fails_below_the_required_rank(scored, awards):
    world = scored
    nominate(world.bloc_year, awards["flag"], {world.deputy: 3}, actor=_sec(world))
    e = _one(world, awards["flag"], world.deputy)
    assert not e.eligible
    assert _reason(e, "rank") == _reason(e, "rank").__class__(
        False, "xếp thứ Nhì, cần xếp thứ Nhất", "rank"
    )
    assert e.summary.startswith("Chưa đủ: xếp thứ Nhì, cần xếp thứ Nhất")
    _rule(awards["flag"], max_rank=2)
    assert _reason(_one(world, awards["flag"], world.deputy), "rank").ok
    _rule(awards["flag"], max_rank=None)
    assert not [r for r in _one(world, awards["flag"], world.member).reasons if r.code == "rank"]


def test_classification_below_the_required_band_fails(scored, awards):
    world = scored
    e = _one(world, awards["pm"], world.member)
    reason = _reason(e, "classification")
    assert not reason.ok
    assert reason.text == "xếp loại hoàn thành tốt nhiệm vụ, cần hoàn thành xuất sắc nhiệm vụ"
    assert _reason(_one(world, awards["pm"], world.deputy), "classification").ok
    # "good" means good or better.
    assert _reason(_one(world, awards["chair"], world.head), "consecutive")  # computed
    _rule(awards["chair"], required_classification="good")
    chair = _one(world, awards["chair"], world.member)
    assert _reason(chair, "classification").ok


def test_no_verified_scores_no_rank_or_classification(world, awards):
    e = _one(world, awards["flag"], world.head)
    reason = _reason(e, "scores")
    assert not reason.ok
    assert reason.text == "chưa có kết quả thẩm định điểm năm 2020 (Ban TĐKT chưa khóa điểm)"
    assert not e.eligible and e.rank is None


# --- the ballot ---------------------------------------------------------------------------


def test_ballot_missing_failed_passed_but_not_chosen_and_not_on_the_paper(scored, awards):
    world = scored
    flag = awards["flag"]
    missing = _reason(_one(world, flag, world.head), "ballot")
    assert not missing.ok
    assert missing.text == (
        "chưa có kết quả bỏ phiếu bình xét Cờ thi đua của UBND tỉnh đã công bố tại Hội nghị "
        "tổng kết năm"
    )
    nominate(world.bloc_year, flag, {world.head: 3, world.deputy: 2}, actor=_sec(world))
    second = _reason(_one(world, flag, world.deputy), "ballot")
    assert not second.ok
    assert second.text == (
        "đạt 2/3 phiếu đồng ý (66,7% tổng số đơn vị thành viên, yêu cầu trên 50%) nhưng không "
        "được chọn (vượt số đơn vị tối đa của cuộc bỏ phiếu)"
    )
    absent = _reason(_one(world, flag, world.member), "ballot")
    assert absent.text == "không có tên trong phiếu bình xét Cờ thi đua của UBND tỉnh"

    nominate(world.bloc_year, awards["pm"], {world.deputy: 1}, actor=_sec(world))
    low = _reason(_one(world, awards["pm"], world.deputy), "ballot")
    assert not low.ok
    assert (
        low.text == "chỉ đạt 1/3 phiếu đồng ý (33,3% tổng số đơn vị thành viên, yêu cầu trên 50%)"
    )


def test_a_rule_without_the_ballot_requirement(scored, awards):
    world = scored
    _rule(awards["flag"], ballot_pass_required=False)
    e = _one(world, awards["flag"], world.head)
    assert not [r for r in e.reasons if r.code == "ballot"]
    assert e.eligible


# --- consecutive years, renames and mergers --------------------------------------------------


def test_consecutive_years_count_a_recorded_year(scored, awards):
    world = scored
    e = _one(world, awards["chair"], world.member)
    reason = _reason(e, "consecutive")
    assert not reason.ok
    assert reason.text == "mới 1 năm liên tục hoàn thành tốt nhiệm vụ, cần 2"
    assert "Chưa đủ: " in e.summary and "mới 1 năm liên tục hoàn thành tốt nhiệm vụ, cần 2" in (
        e.summary
    )
    award_services.classification_record_set(
        unit=world.member,
        year=2019,
        classification="done",
        source="Quyết định số 45/QĐ-UBND ngày 20/01/2020",
        actor=None,
    )
    assert not _reason(_one(world, awards["chair"], world.member), "consecutive").ok
    award_services.classification_record_set(
        unit=world.member,
        year=2019,
        classification="excellent",
        source="Quyết định số 45/QĐ-UBND ngày 20/01/2020",
        actor=None,
    )
    ok = _reason(_one(world, awards["chair"], world.member), "consecutive")
    assert ok.ok
    assert ok.text == (
        "2 năm liên tục hoàn thành tốt nhiệm vụ (tính cả năm 2019 của Sở Xây dựng, theo Quyết "
        "định số 45/QĐ-UBND ngày 20/01/2020)"
    )


def test_a_renamed_unit_counts_its_previous_names_verified_year(world, awards):
    """2019: "Sở Giao thông vận tải (cũ)" scored 90 (tốt) in the bloc; renamed in 2020 to the
    world's deputy, which scores 96 (xuất sắc): two consecutive years at "tốt" or better."""
    old = bloc_services.unit_create(province=world.province, name="Sở Giao thông - Vận tải")
    y2019 = bloc_services.bloc_year_create(
        bloc=world.bloc,
        year=2019,
        members=[world.head, old, world.member],
        head=world.head,
        deputy=old,
    )
    board = world.users["board_here"]
    scores_lock(y2019, {world.head: 99, old: 90, world.member: 40}, board=board)
    bloc_services.unit_succeed(unit=old, successor=world.deputy, on=dt.date(2020, 1, 1))
    scores_lock(
        world.bloc_year,
        {world.head: 97, world.deputy: 96, world.member: 85},
        board=board,
        actor=_sec(world),
    )
    e = _one(world, awards["chair"], world.deputy)
    reason = _reason(e, "consecutive")
    assert reason.ok, reason
    assert reason.text == (
        "2 năm liên tục hoàn thành tốt nhiệm vụ (tính cả năm 2019 của Sở Giao thông - Vận tải)"
    )
    assert e.streak == 2
    # The member's own 2019 (40 points: không hoàn thành) breaks its streak; the head's
    # 2019 result is its own.
    assert not _reason(_one(world, awards["chair"], world.member), "consecutive").ok
    assert _reason(_one(world, awards["chair"], world.head), "consecutive").text == (
        "2 năm liên tục hoàn thành tốt nhiệm vụ"
    )
    # Five years of "xuất sắc" for the Prime Minister's certificate: the rename gives 1 + 0.
    pm = _reason(_one(world, awards["pm"], world.deputy), "consecutive")
    assert pm.text == "mới 1 năm liên tục hoàn thành xuất sắc nhiệm vụ, cần 5"


def test_a_unit_formed_by_a_merger_counts_its_predecessors_as_the_rule_says(scored, awards):
    world = scored
    a = bloc_services.unit_create(province=world.province, name="Sở Tài nguyên và Môi trường")
    b = bloc_services.unit_create(province=world.province, name="Sở Nông nghiệp và PTNT")
    for unit, code in ((a, "excellent"), (b, "done")):
        award_services.classification_record_set(
            unit=unit, year=2019, classification=code, source="QĐ 7/QĐ-UBND", actor=None
        )
        bloc_services.unit_succeed(unit=unit, successor=world.member, on=dt.date(2020, 3, 1))
    # Default: every predecessor must meet it; one "hoàn thành nhiệm vụ" breaks the streak.
    assert _rule(awards["chair"]).merger_rule == AwardRule.MergerRule.ALL
    reason = _reason(_one(world, awards["chair"], world.member), "consecutive")
    assert not reason.ok and reason.text == "mới 1 năm liên tục hoàn thành tốt nhiệm vụ, cần 2"
    _rule(awards["chair"], merger_rule=AwardRule.MergerRule.ANY)
    reason = _reason(_one(world, awards["chair"], world.member), "consecutive")
    assert reason.ok
    assert "năm 2019 của Sở Tài nguyên và Môi trường, theo QĐ 7/QĐ-UBND" in reason.text
    # Back to "all", with both predecessors at "tốt" or better: it passes.
    _rule(awards["chair"], merger_rule=AwardRule.MergerRule.ALL)
    award_services.classification_record_set(
        unit=b, year=2019, classification="good", source="QĐ 7/QĐ-UBND", actor=None
    )
    reason = _reason(_one(world, awards["chair"], world.member), "consecutive")
    assert reason.ok
    assert "Sở Nông nghiệp và PTNT" in reason.text and "Sở Tài nguyên và Môi trường" in reason.text


def test_a_chain_of_renames_is_followed(scored, awards):
    world = scored
    first = bloc_services.unit_create(province=world.province, name="Sở Xây dựng (2018)")
    middle = bloc_services.unit_create(province=world.province, name="Sở Xây dựng (2019)")
    award_services.classification_record_set(
        unit=first, year=2019, classification="good", source="QĐ 1", actor=None
    )
    bloc_services.unit_succeed(unit=first, successor=middle, on=dt.date(2019, 6, 1))
    bloc_services.unit_succeed(unit=middle, successor=world.member, on=dt.date(2020, 1, 1))
    assert _reason(_one(world, awards["chair"], world.member), "consecutive").ok


# --- prerequisite -------------------------------------------------------------------------


def test_prerequisite_standard_the_unit_meets_the_provincial_flags_conditions(scored, awards):
    world = scored
    head = _reason(_one(world, awards["gov"], world.head), "prerequisite")
    assert head.ok and head.text == "đạt tiêu chuẩn Cờ thi đua của UBND tỉnh năm 2020"
    deputy = _reason(_one(world, awards["gov"], world.deputy), "prerequisite")
    assert not deputy.ok
    assert deputy.text == (
        "chưa đạt tiêu chuẩn Cờ thi đua của UBND tỉnh năm 2020 (xếp thứ Nhì, cần xếp thứ Nhất)"
    )


def test_prerequisite_selected_the_unit_was_chosen_for_it(scored, awards):
    world = scored
    _rule(awards["gov"], prerequisite_mode=AwardRule.PrerequisiteMode.SELECTED)
    before = _reason(_one(world, awards["gov"], world.head), "prerequisite")
    assert not before.ok
    assert before.text == "chưa được bình xét Cờ thi đua của UBND tỉnh năm 2020"
    nominate(world.bloc_year, awards["flag"], {world.head: 3}, actor=_sec(world))
    after = _reason(_one(world, awards["gov"], world.head), "prerequisite")
    assert after.ok and after.text == "được bình xét Cờ thi đua của UBND tỉnh năm 2020"


def test_prerequisite_without_conditions_in_the_rule_set(scored, awards):
    world = scored
    AwardRule.objects.filter(award_type=awards["flag"]).delete()
    reason = _reason(_one(world, awards["gov"], world.head), "prerequisite")
    assert not reason.ok and "chưa quy định điều kiện của Cờ thi đua của UBND tỉnh" in reason.text


# --- quota by bloc size ----------------------------------------------------------------------


def test_quota_keeps_the_units_with_most_votes_and_depends_on_bloc_size(scored, awards):
    world = scored
    chair = awards["chair"]  # example: 2 units below 10 members
    nominate(
        world.bloc_year,
        chair,
        {world.head: 3, world.deputy: 2, world.member: 3},
        actor=_sec(world),
        max_winners=3,
    )
    results = eligibility_for_bloc_year(bloc_year=world.bloc_year, award_types=[chair])
    quota = {u: _reason(results[(chair.pk, u.pk)], "quota") for u in (world.head, world.deputy)}
    member = _reason(results[(chair.pk, world.member.pk)], "quota")
    assert quota[world.head].ok and member.ok
    assert quota[world.head].text == "trong chỉ tiêu 2 đơn vị của khối 3 thành viên"
    assert not quota[world.deputy].ok
    assert quota[world.deputy].text == (
        "vượt chỉ tiêu: khối 3 thành viên được đề nghị tối đa 2 đơn vị, 2 đơn vị khác đứng "
        "trước (nhiều phiếu hơn hoặc xếp hạng cao hơn)"
    )
    _rule(chair, quota=[{"min_members": 0, "quota": 1}, {"min_members": 3, "quota": 3}])
    assert _reason(_one(world, chair, world.deputy), "quota").ok
    _rule(chair, quota=[])
    assert not [r for r in _one(world, chair, world.deputy).reasons if r.code == "quota"]


def test_quota_for_a_unit_to_be_added(scored, awards):
    world = scored
    flag = awards["flag"]
    nominate(world.bloc_year, flag, {world.head: 3}, actor=_sec(world))
    full = _reason(_one(world, flag, world.deputy), "quota")
    assert not full.ok and full.text == "khối đã đủ chỉ tiêu 1 đơn vị (khối 3 thành viên)"
    room = _reason(_one(world, flag, world.deputy, selection={flag.pk: []}), "quota")
    assert room.ok


# --- province-wide ceiling -------------------------------------------------------------------


def test_ceiling_of_government_flags_on_the_provincial_flag_holders(scored, awards):
    world = scored
    gov, flag = awards["gov"], awards["flag"]
    nominate(world.bloc_year, gov, {world.head: 3}, actor=_sec(world))
    # 1 Government flag among 1 unit meeting the provincial flag: 20% of 1, rounded up, is 1.
    up = _reason(_one(world, gov, world.head), "ceiling")
    assert up.ok
    assert up.text == (
        "trong trần toàn tỉnh năm 2020: 1/1 Cờ thi đua của Chính phủ (20% của 1 đơn vị đạt Cờ "
        "thi đua của UBND tỉnh)"
    )
    _rule(gov, ceiling_rounding=AwardRule.Rounding.DOWN)
    down = _reason(_one(world, gov, world.head), "ceiling")
    assert not down.ok
    assert down.text == (
        "vượt trần toàn tỉnh năm 2020: 1 Cờ thi đua của Chính phủ, tối đa 0 (20% của 1 đơn vị "
        "đạt Cờ thi đua của UBND tỉnh)"
    )
    # 50%, rounded down, of 3 units: at most 1 Government flag.
    _rule(gov, ceiling_percent=Decimal("50"))
    one = {gov.pk: [world.head.pk], flag.pk: [world.deputy.pk, world.member.pk]}
    assert _reason(_one(world, gov, world.head, selection=one), "ceiling").ok
    two = {gov.pk: [world.head.pk, world.deputy.pk], flag.pk: [world.member.pk]}
    assert not _reason(_one(world, gov, world.head, selection=two), "ceiling").ok
    _rule(gov, ceiling_percent=None, ceiling_base_award=None)
    assert not [r for r in _one(world, gov, world.head).reasons if r.code == "ceiling"]


def test_ceiling_counts_the_other_blocs_of_the_province(scored, awards):
    world = scored
    third = bloc_services.bloc_create(province=world.province, name="Khối thi đua Nội chính")
    a = bloc_services.unit_create(province=world.province, name="Sở Tư pháp")
    b = bloc_services.unit_create(province=world.province, name="Thanh tra tỉnh")
    other = bloc_services.bloc_year_create(bloc=third, year=2020, members=[a, b], head=a, deputy=b)
    scores_lock(other, {a: 99, b: 70}, board=world.users["board_here"])
    nominate(other, awards["flag"], {a: 2}, actor=world.users["admin"])
    nominate(world.bloc_year, awards["gov"], {world.head: 3}, actor=_sec(world))
    reason = _reason(_one(world, awards["gov"], world.head), "ceiling")
    assert "20% của 2 đơn vị đạt Cờ thi đua của UBND tỉnh" in reason.text


# --- exclusivity, membership, missing conditions ---------------------------------------------


def test_no_two_awards_for_the_same_achievement(scored, awards):
    world = scored
    nominate(world.bloc_year, awards["flag"], {world.head: 3}, actor=_sec(world))
    nominate(world.bloc_year, awards["gov"], {world.head: 3}, actor=_sec(world))
    for award, other in (
        (awards["flag"], "Cờ thi đua của Chính phủ"),
        (awards["gov"], "Cờ thi đua của UBND tỉnh"),
    ):
        reason = _reason(_one(world, award, world.head), "exclusive")
        assert not reason.ok
        assert reason.text == (
            f"đã được bình xét {other} năm 2020: một thành tích chỉ đề nghị một hình thức "
            "khen thưởng"
        )
    # Removing the provincial flag from the selection (a proposal's items) clears it.
    only_gov = {awards["flag"].pk: []}
    assert _reason(_one(world, awards["gov"], world.head, selection=only_gov), "exclusive").ok
    _rule(awards["gov"], exclusive_group="")
    assert not [r for r in _one(world, awards["gov"], world.head).reasons if r.code == "exclusive"]


def test_a_unit_outside_the_bloc_and_an_award_without_conditions(scored, awards):
    world = scored
    e = _one(world, awards["flag"], world.non_member)
    assert not _reason(e, "member").ok
    assert _reason(e, "member").text == "không phải đơn vị thành viên của khối năm 2020"
    bare = AwardType.objects.create(
        province=world.province, name="Giấy khen", level="province_chair", kind="certificate"
    )
    e = _one(world, bare, world.head)
    assert not e.eligible
    assert e.summary == (
        "Chưa đủ: Quy chế mẫu (ví dụ, cần thay bằng quy chế của tỉnh) chưa quy định điều kiện "
        "của Giấy khen"
    )


# --- the batch form -------------------------------------------------------------------------


def _count(world, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        eligibility_for_bloc_year(bloc_year=world.bloc_year, **kwargs)
    return len(ctx.captured_queries)


def test_a_whole_bloc_year_in_a_constant_number_of_queries(scored, awards):
    world = scored
    small = _count(world)
    nominate(world.bloc_year, awards["flag"], {world.head: 3, world.deputy: 2}, actor=_sec(world))
    nominate(world.bloc_year, awards["chair"], {world.member: 3}, actor=_sec(world))
    for i in range(3):
        unit = bloc_services.unit_create(province=world.province, name=f"Đơn vị cũ {i}")
        award_services.classification_record_set(
            unit=unit, year=2019, classification="good", source="QĐ 1", actor=None
        )
        bloc_services.unit_succeed(unit=unit, successor=world.member, on=dt.date(2020, 1, 1))
    big = _count(world)
    assert small == big <= 13


def test_a_year_scored_on_paper_counts_its_recorded_classification_but_has_no_rank(world, awards):
    award_services.classification_record_set(
        unit=world.head,
        year=2020,
        classification="excellent",
        source="Quyết định số 9/QĐ-UBND ngày 10/01/2021",
        actor=None,
    )
    pm = _one(world, awards["pm"], world.head)
    assert _reason(pm, "classification") == _reason(pm, "classification").__class__(
        True,
        "hoàn thành xuất sắc nhiệm vụ (theo Quyết định số 9/QĐ-UBND ngày 10/01/2021)",
        "classification",
    )
    assert not [r for r in pm.reasons if r.code == "scores"]
    assert pm.classification == "Hoàn thành xuất sắc nhiệm vụ" and pm.rank is None
    flag = _one(world, awards["flag"], world.head)
    assert not _reason(flag, "scores").ok and _reason(flag, "classification").ok
    # The member has no record: the scores are missing for its classification.
    assert not _reason(_one(world, awards["pm"], world.member), "scores").ok
