"""Shared fixtures of the meeting tests. Fixtures of the ballots work are prefixed
`ballot_`; the meetings work may add its own below, each part editing only its own.

`ballot_year`: a bloc-year of 9 member units in the world's province, taken through the
cycle's services to scoring with verified, locked and distinct scores (unit i ranks i+1),
each unit with a leader account, a secretariat account, and the year-end meeting of
20/12/2020 with every unit present (through meetings-core's services)."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from awards.models import AwardType
from blocs import cycle, services
from blocs.models import Bloc, BlocYear, RoleAssignment, Unit
from meetings.models import Attendance, Ballot, Meeting
from meetings.services import ballots as ballot_services
from meetings.services import meetings as meeting_services
from scoring import services as scoring_services
from scoring.models import Criterion, Stage

from ..conftest import make_user, year_reach
from ..scoring.conftest import TABLE_SPEC, save

BALLOT_UNIT_NAMES = [
    "Sở Giao thông Vận tải",
    "Sở Công Thương",
    "Sở Tư pháp",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường",
    "Sở Kế hoạch và Đầu tư",
    "Sở Thông tin và Truyền thông",
    "Ban Quản lý các Khu công nghiệp",
    "Quỹ Đầu tư phát triển tỉnh",
]


@dataclass
class BallotYear:
    bloc: Bloc
    bloc_year: BlocYear
    units: list[Unit]
    leaders: dict[int, object]  # unit id -> leader user
    secretariat: object
    board: object
    admin: object
    meeting: Meeting
    award_type: AwardType
    extra: dict = field(default_factory=dict)

    @property
    def head(self) -> Unit:
        return self.units[0]

    @property
    def deputy(self) -> Unit:
        return self.units[1]


def ballot_year_build(world, *, n_units: int = 9, present: int | None = None) -> BallotYear:
    province = world.province
    bloc = services.bloc_create(province=province, name="Khối thi đua các ngành Kinh tế")
    units = [services.unit_create(province=province, name=n) for n in BALLOT_UNIT_NAMES[:n_units]]
    for i in range(len(units), n_units):
        units.append(services.unit_create(province=province, name=f"Đơn vị thử nghiệm số {i + 1}"))
    bloc_year = services.bloc_year_create(
        bloc=bloc, year=2020, members=units, head=units[0], deputy=units[1]
    )
    secretariat = make_user("thuky.khoi")
    services.role_assign(
        user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
    )
    leaders = {}
    for i, unit in enumerate(units):
        user = make_user(f"lanhdao.{i + 1}")
        services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
        leaders[unit.pk] = user
    year_reach(bloc_year, BlocYear.Status.IN_PROGRESS, actor=secretariat)
    table = scoring_services.criteria_table_create(
        province=province,
        year=2020,
        bloc_year=bloc_year,
        name="Bảng chấm điểm năm 2020",
        groups=TABLE_SPEC,
    )
    crit = {c.code: c for c in Criterion.objects.filter(table=table)}
    cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=secretariat)
    board = world.users["board_here"]
    for i, unit in enumerate(units):
        values = {"1.1": str(max(10 - i, 0)), "1.2": "9", "2.1": "18", "2.2": "10"}
        save(bloc_year, Stage.VERIFIED, board, unit, crit, values)
    scoring_services.scoring_verify(
        bloc_year=bloc_year, actor=board, confirmed_unit_ids=[u.pk for u in units]
    )
    meeting = meeting_services.meeting_create(
        bloc_year=bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 20),
        actor=secretariat,
        place="Hội trường Sở Giao thông Vận tải",
    )
    present = n_units if present is None else present
    for i, unit in enumerate(units):
        ballot_attend(meeting, unit, secretariat, present=i < present)
    award_type = AwardType.objects.create(
        province=province,
        name="Cờ thi đua của UBND tỉnh",
        level=AwardType.Level.PROVINCE,
        kind=AwardType.Kind.FLAG,
    )
    bloc_year.refresh_from_db()
    return BallotYear(
        bloc=bloc,
        bloc_year=bloc_year,
        units=units,
        leaders=leaders,
        secretariat=secretariat,
        board=board,
        admin=world.users["admin"],
        meeting=meeting,
        award_type=award_type,
    )


def ballot_attend(meeting, unit, actor, *, present: bool = True, representative_user=None):
    return meeting_services.attendance_record(
        meeting=meeting,
        unit=unit,
        status=Attendance.Status.PRESENT if present else Attendance.Status.ABSENT,
        actor=actor,
        representative_name="Nguyễn Văn An" if present else "",
        representative_title="Phó Giám đốc" if present else "",
        representative_user=representative_user,
    )


@pytest.fixture
def ballot_year(world) -> BallotYear:
    return ballot_year_build(world)


def ballot_nomination(by: BallotYear, *, candidates=None, method="online", max_winners=1, **kw):
    candidates = candidates if candidates is not None else by.units[:3]
    return ballot_services.ballot_create(
        meeting=by.meeting,
        kind=Ballot.Kind.NOMINATION,
        title="Bình xét Cờ thi đua của UBND tỉnh năm 2020",
        method=method,
        candidates=[(u, "") for u in candidates],
        actor=by.secretariat,
        award_type=by.award_type,
        max_winners=max_winners,
        **kw,
    )


def ballot_election(by: BallotYear, *, heads=None, deputies=None, method="online"):
    heads = heads if heads is not None else [by.units[2], by.units[3]]
    deputies = deputies if deputies is not None else [by.units[4], by.units[5]]
    return ballot_services.ballot_create(
        meeting=by.meeting,
        kind=Ballot.Kind.ELECTION,
        title="Bầu Trưởng khối, Phó khối năm 2021",
        method=method,
        candidates=[(u, "head") for u in heads] + [(u, "deputy") for u in deputies],
        actor=by.secretariat,
    )


def ballot_choices(ballot, pattern: dict) -> dict[int, str]:
    """{candidate id: answer} from {unit id or (unit id, position): answer}; others blank."""
    out = {}
    for c in ballot.candidates.all():
        out[c.pk] = pattern.get((c.unit_id, c.position), pattern.get(c.unit_id, "blank"))
    return out


def ballot_cast(by: BallotYear, ballot, unit, pattern: dict) -> str:
    return ballot_services.ballot_vote_cast(
        ballot=ballot, unit=unit, user=by.leaders[unit.pk], choices=ballot_choices(ballot, pattern)
    )


# --- meetings-core fixtures (prefix meeting_) -----------------------------------------------

MEETING_UNIT_NAMES = [
    "Sở Giao thông Vận tải",
    "Sở Công Thương",
    "Sở Tư pháp",
    "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường",
    "Sở Kế hoạch và Đầu tư",
    "Sở Thông tin và Truyền thông",
    "Ban Quản lý các Khu công nghiệp",
    "Quỹ Đầu tư phát triển tỉnh",
]


@dataclass
class MeetingYear:
    """A 2020 bloc-year of nine member units (head: the first, deputy: the second), each
    with a leader who has an e-mail address, a staff account of the third unit, the
    secretariat, and a year-end meeting of 20/12/2020 at 08:00 with nothing recorded."""

    bloc_year: BlocYear
    units: list[Unit]
    leaders: dict[int, object]
    staff: object
    secretariat: object
    meeting: Meeting


@pytest.fixture
def meeting_year(world) -> MeetingYear:
    bloc = services.bloc_create(province=world.province, name="Khối thi đua Kinh tế tổng hợp")
    units = [services.unit_create(province=world.province, name=n) for n in MEETING_UNIT_NAMES]
    bloc_year = services.bloc_year_create(
        bloc=bloc, year=2020, members=units, head=units[0], deputy=units[1]
    )
    secretariat = make_user("thuky.hoinghi", email="thuky@example.gov.vn")
    services.role_assign(
        user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
    )
    leaders = {}
    for i, unit in enumerate(units):
        user = make_user(
            f"giamdoc.{i + 1}",
            email=f"giamdoc{i + 1}@example.gov.vn",
            last_name="Nguyễn Văn",
            first_name=f"Giám Đốc {i + 1}",
        )
        services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
        leaders[unit.pk] = user
    staff = make_user("canbo.xaydung", email="canbo@example.gov.vn")
    services.role_assign(user=staff, role=RoleAssignment.Role.STAFF, unit=units[2])
    meeting = meeting_services.meeting_create(
        bloc_year=bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 12, 20),
        starts_at=dt.time(8, 0),
        place="Hội trường Sở Giao thông Vận tải",
        actor=secretariat,
    )
    return MeetingYear(
        bloc_year=bloc_year,
        units=units,
        leaders=leaders,
        staff=staff,
        secretariat=secretariat,
        meeting=meeting,
    )


def meeting_attend_all(my: MeetingYear, *, present: int) -> None:
    """The first `present` units present (their leader's name), the others absent."""
    for i, unit in enumerate(my.units):
        meeting_services.attendance_record(
            meeting=my.meeting,
            unit=unit,
            status=Attendance.Status.PRESENT if i < present else Attendance.Status.ABSENT,
            actor=my.secretariat,
            representative_name=f"Nguyễn Văn Giám Đốc {i + 1}" if i < present else "",
            representative_title="Giám đốc" if i < present else "",
        )
