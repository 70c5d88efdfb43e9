"""Helpers of the awards tests: verified and locked scores, and published nomination ballots,
built through the real scoring and meetings services."""

import datetime as dt
from decimal import Decimal

import pytest

from awards import services as award_services
from blocs.models import BlocYear, Membership
from meetings.models import Attendance, Ballot, Meeting
from meetings.services import ballots as ballot_services
from meetings.services import meetings as meeting_services
from scoring import services as scoring_services
from scoring.models import Criterion, Stage

from ..conftest import year_reach

# One criterion of 100 points: a unit's points are its percentage (bands 95 / 80 / 50).
TABLE = [
    {
        "code": "I",
        "name": "Thực hiện nhiệm vụ chính trị",
        "criteria": [{"code": "1", "name": "Hoàn thành nhiệm vụ năm", "max_points": "100"}],
    }
]


def scores_lock(bloc_year: BlocYear, points: dict, *, board, actor=None) -> None:
    """Verified points per unit (every member), locked by the board."""
    table = scoring_services.criteria_table_create(
        province=bloc_year.bloc.province,
        year=bloc_year.year,
        bloc_year=bloc_year,
        name=f"Bảng chấm điểm năm {bloc_year.year}",
        groups=TABLE,
        bonus_cap=Decimal("0"),
        penalty_cap=Decimal("0"),
    )
    year_reach(bloc_year, BlocYear.Status.SCORING, actor=actor)
    criterion = Criterion.objects.get(table=table)
    scoring_services.scores_save(
        bloc_year=bloc_year,
        stage=Stage.VERIFIED,
        cells=[
            scoring_services.CellInput(
                unit_id=unit.pk, criterion_id=criterion.pk, version=0, value=str(value)
            )
            for unit, value in points.items()
        ],
        actor=board,
    )
    scoring_services.scoring_verify(
        bloc_year=bloc_year,
        actor=board,
        confirmed_unit_ids=list(
            Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True)
        ),
    )


def year_end_meeting(bloc_year: BlocYear, *, actor) -> Meeting:
    meeting = Meeting.objects.filter(bloc_year=bloc_year, kind=Meeting.Kind.YEAR_END).first()
    if meeting is None:
        meeting = meeting_services.meeting_create(
            bloc_year=bloc_year,
            kind=Meeting.Kind.YEAR_END,
            held_on=dt.date(bloc_year.year, 12, 20),
            actor=actor,
            place="Hội trường Sở Nội vụ",
        )
        for m in Membership.objects.filter(bloc_year=bloc_year).select_related("unit"):
            meeting_services.attendance_record(
                meeting=meeting,
                unit=m.unit,
                status=Attendance.Status.PRESENT,
                actor=actor,
                representative_name="Nguyễn Văn An",
                representative_title="Phó Giám đốc",
            )
    return meeting


def nominate(bloc_year: BlocYear, award, yes: dict, *, actor, max_winners: int = 1) -> Ballot:
    """A published paper ballot for `award` with the given yes votes per unit (every other
    ballot paper says no)."""
    meeting = year_end_meeting(bloc_year, actor=actor)
    ballot = ballot_services.ballot_create(
        meeting=meeting,
        kind=Ballot.Kind.NOMINATION,
        title=f"Bình xét {award.name}",
        method=Ballot.Method.PAPER,
        candidates=[(unit, "") for unit in yes],
        actor=actor,
        award_type=award,
        max_winners=max_winners,
    )
    ballot_services.ballot_open(ballot=ballot, actor=actor)
    ballot.refresh_from_db()
    n = ballot.present_count
    per = {
        c.pk: (yes[c.unit], n - yes[c.unit], 0) for c in ballot.candidates.select_related("unit")
    }
    ballot_services.ballot_paper_counts_enter(
        ballot=ballot, issued=n, returned=n, valid=n, invalid=0, per_candidate=per, actor=actor
    )
    ballot_services.ballot_close(ballot=ballot, actor=actor)
    ballot_services.ballot_publish(ballot=ballot, actor=actor)
    return ballot


@pytest.fixture
def awards(world) -> dict:
    """The four award types of the world's province with the example conditions, by key."""
    types = award_services.award_types_seed(province=world.province)
    return dict(zip(("gov", "flag", "pm", "chair"), types, strict=True))


@pytest.fixture
def scored(world, awards):
    """2020 scores locked: head 97 (xuất sắc, Nhất), deputy 96 (xuất sắc, Nhì), member 85
    (tốt, Ba)."""
    scores_lock(
        world.bloc_year,
        {world.head: 97, world.deputy: 96, world.member: 85},
        board=world.users["board_here"],
        actor=world.users["secretariat_here"],
    )
    world.bloc_year.refresh_from_db()
    return world


@pytest.fixture
def voted(scored, awards):
    """Published ballots: Cờ thi đua của UBND tỉnh for the head (3/3); Bằng khen của Chủ
    tịch UBND tỉnh for the deputy (3/3) and the member (2/3)."""
    world = scored
    sec = world.users["secretariat_here"]
    sec.email = "thuky@example.vn"
    sec.save()
    nominate(world.bloc_year, awards["flag"], {world.head: 3}, actor=sec)
    nominate(
        world.bloc_year,
        awards["chair"],
        {world.deputy: 3, world.member: 2},
        actor=sec,
        max_winners=2,
    )
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == BlocYear.Status.VOTING
    return world
