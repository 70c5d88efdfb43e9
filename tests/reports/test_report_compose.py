"""The facts of a report composed from the data (reports.compose): members, head and
deputy, the pledge, the meetings, the ranking with ties and the classification counts
("0" counts included), the recorded classifications of a year scored on paper, the
ballots, the proposals and next year's head and deputy."""

import datetime as dt

import pytest
from django.utils import timezone

from awards.services import classification_record_set
from blocs import services as bloc_services
from blocs.models import BlocYear, Membership
from meetings.models import Meeting
from meetings.services import ballots as ballot_services
from meetings.services import meetings as meeting_services
from reports.compose import count_phrase, report_facts_compose
from scoring import services as scoring_services
from scoring.models import Criterion, Stage
from tests.conftest import year_reach
from tests.meetings.conftest import ballot_cast, ballot_nomination, ballot_year_build
from tests.scoring.conftest import TABLE_SPEC, save

pytestmark = pytest.mark.django_db


def scored_world(world):
    """The world's year scored and locked: head 50/50, deputy and member 47/50 (a tie)."""
    by = world.bloc_year
    scoring_services.criteria_table_create(
        province=world.province, year=2020, bloc_year=by, name="Bảng điểm 2020", groups=TABLE_SPEC
    )
    secretariat = world.users["secretariat_here"]
    year_reach(by, BlocYear.Status.SCORING, actor=secretariat)
    crit = {c.code: c for c in Criterion.objects.filter(table__bloc_year=by)}
    board = world.users["board_here"]
    full = {"1.1": "10", "1.2": "10", "2.1": "20", "2.2": "10"}
    tied = {"1.1": "10", "1.2": "9", "2.1": "18", "2.2": "10"}
    for unit, values in ((world.head, full), (world.deputy, tied), (world.member, tied)):
        save(by, Stage.VERIFIED, board, unit, crit, values)
    scoring_services.scoring_verify(
        bloc_year=by,
        actor=board,
        confirmed_unit_ids=[world.head.pk, world.deputy.pk, world.member.pk],
    )
    by.refresh_from_db()
    return by


def test_count_phrase_pads_to_two_digits_and_keeps_zero():
    assert count_phrase(7, "Hoàn thành xuất sắc nhiệm vụ") == (
        "07 đơn vị hoàn thành xuất sắc nhiệm vụ"
    )
    assert count_phrase(12, "Hoàn thành tốt nhiệm vụ") == "12 đơn vị hoàn thành tốt nhiệm vụ"
    assert count_phrase(0, "Không hoàn thành nhiệm vụ") == "0 đơn vị không hoàn thành nhiệm vụ"


def test_members_head_and_deputy(world):
    facts = report_facts_compose(bloc_year=world.bloc_year, kind="year_end")
    assert facts["member_count"] == 3
    assert [m["name"] for m in facts["members"]][:2] == [world.head.name, world.deputy.name]
    assert facts["head"]["name"] == world.head.name
    assert facts["deputy"]["name"] == world.deputy.name
    assert facts["pledge"] is None
    assert facts["meetings"] == []
    assert facts["ranking"]["source"] == ""
    assert facts["ranking"]["source_label"] == "Chưa có kết quả chấm điểm, xếp loại"
    assert facts["proposals"] == []
    assert facts["next_year"] == {"year": 2021, "exists": False, "head": "", "deputy": ""}


def test_ranking_with_ties_and_zero_counts(world):
    by = scored_world(world)
    ranking = report_facts_compose(bloc_year=by, kind="year_end")["ranking"]
    assert ranking["source"] == "scoring"
    rows = ranking["rows"]
    assert [r["unit"] for r in rows][0] == world.head.name
    assert [r["rank"] for r in rows] == [1, 2, 2]
    assert [r["tied"] for r in rows] == [False, True, True]
    assert ranking["ties"] is True
    counts = {c["code"]: c["count"] for c in ranking["counts"]}
    assert counts == {"excellent": 1, "good": 2, "done": 0, "not_done": 0}
    assert ranking["counts_text"] == (
        "01 đơn vị hoàn thành xuất sắc nhiệm vụ, 02 đơn vị hoàn thành tốt nhiệm vụ"
    )
    zero = next(c for c in ranking["counts"] if c["code"] == "not_done")
    assert zero["text"] == "0 đơn vị không hoàn thành nhiệm vụ"


def test_unlocked_scores_are_not_reported_as_ranking(world):
    by = world.bloc_year
    scoring_services.criteria_table_create(
        province=world.province, year=2020, bloc_year=by, name="Bảng điểm 2020", groups=TABLE_SPEC
    )
    ranking = report_facts_compose(bloc_year=by, kind="year_end")["ranking"]
    assert ranking["source"] == "" and ranking["rows"] == []


def test_recorded_classifications_of_a_year_scored_on_paper(world):
    admin = world.users["admin"]
    source = "Quyết định số 12/QĐ-UBND ngày 15/01/2021"
    classification_record_set(
        unit=world.head, year=2020, classification="excellent", source=source, actor=admin
    )
    classification_record_set(
        unit=world.deputy, year=2020, classification="good", source=source, actor=admin
    )
    ranking = report_facts_compose(bloc_year=world.bloc_year, kind="year_end")["ranking"]
    assert ranking["source"] == "records"
    assert source in ranking["source_label"]
    assert [(r["unit"], r["classification_code"]) for r in ranking["rows"]] == [
        (world.head.name, "excellent"),
        (world.deputy.name, "good"),
    ]
    assert ranking["missing"] == [world.member.name]
    assert ranking["counts_text"] == (
        "01 đơn vị hoàn thành xuất sắc nhiệm vụ, 01 đơn vị hoàn thành tốt nhiệm vụ"
    )


def test_meetings_ballots_and_next_year(world):
    by = ballot_year_build(world, n_units=4)
    ballot = ballot_nomination(by, candidates=by.units[:2], max_winners=1)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    for unit in by.units:
        ballot_cast(by, ballot, unit, {by.units[0].pk: "yes", by.units[1].pk: "no"})
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    ballot_services.ballot_publish(ballot=ballot, actor=by.secretariat)
    meeting_services.meeting_create(
        bloc_year=by.bloc_year,
        kind=Meeting.Kind.MID_YEAR,
        held_on=dt.date(2020, 7, 10),
        actor=by.secretariat,
        place="Sở Công Thương",
    )
    nxt = bloc_services.bloc_year_create(
        bloc=by.bloc, year=2021, members=by.units, head=by.units[2], deputy=by.units[3]
    )
    facts = report_facts_compose(bloc_year=by.bloc_year, kind="year_end")
    assert [(m["kind"], m["held_on"]) for m in facts["meetings"]] == [
        ("mid_year", "10/07/2020"),
        ("year_end", "20/12/2020"),
    ]
    (b,) = facts["ballots"]
    assert b["title"] == ballot.title
    assert b["present"] == 4 and b["valid"] == 4
    assert b["elected"] == [by.units[0].name]
    first = b["candidates"][0]
    assert (first["unit"], first["yes"], first["percent"]) == (by.units[0].name, 4, "100,0%")
    assert facts["ranking"]["source"] == "scoring"
    assert facts["ranking"]["rows"][0]["unit"] == by.units[0].name
    assert facts["next_year"]["head"] == by.units[2].name
    assert facts["next_year"]["deputy"] == by.units[3].name
    assert nxt.memberships.filter(role=Membership.Role.HEAD).exists()

    mid = report_facts_compose(bloc_year=by.bloc_year, kind="mid_year")
    assert [m["held_on"] for m in mid["meetings"]] == ["10/07/2020"]
    assert mid["ballots"] == [] and mid["next_year"] is None
    assert mid["period_end"] == timezone.localdate().strftime("%d/%m/%Y")
