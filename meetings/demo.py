"""Demo meetings and ballots: the meetings of the five seed reports (shared/seeds/),
recorded through the services as the reports describe them.

What a report gives is recorded as given (date, place, host, chair, guests, the awards
proposed, the head elected); what it does not give is illustrative and marked so: the
vote counts (the ballots carry `illustrative`, and their pages say "số liệu minh họa"),
the representatives' names of units the report does not name, and the candidates of the
ballots whose winners the report does not name. Years the product did not score (the
reports' own years) reach voting with the report as the recorded source (blocs.cycle).

Quảng Bình's meeting of 13/01/2020 stays open, with an online nomination ballot in which
the Quảng Bình leader accounts (`lanhdao` and the pledges demo's `lanhdao.*.qb`) can vote.
Idempotent: a meeting that exists is left as it is."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from awards.models import AwardType
from awards.services import (
    CHAIR_CERTIFICATE,
    GOVERNMENT_FLAG,
    PM_CERTIFICATE,
    PROVINCE_FLAG,
    award_types_seed,
)
from blocs import cycle
from blocs.models import BlocYear, Membership, Province, Unit
from documents.services import document_job_request

from .models import Attendance, Ballot, BallotCandidate, Meeting, MeetingPerson
from .services import ballots as ballot_services
from .services import meetings as meeting_services
from .services import minutes as minutes_services

S = BlocYear.Status
UNNAMED_REPRESENTATIVE = "Đại diện lãnh đạo đơn vị"
UNNAMED_TITLE = "bản tin không ghi tên"


@dataclass
class BallotSpec:
    """`winners`: the units the report says were chosen; `others`: illustrative candidates
    that did not pass. An election names (head, deputy); either may be None."""

    kind: str
    title: str
    award: str | None = None
    winners: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    head: str | None = None
    deputy: str | None = None
    method: str = Ballot.Method.PAPER
    # "publish": counted on paper and published; "open": left open for the demo accounts.
    state: str = "publish"
    # Render its tally record (biên bản kiểm phiếu) through the document pipeline.
    tally_pdf: bool = False


@dataclass
class MeetingSpec:
    province: str
    bloc: str
    year: int
    kind: str
    held_on: dt.date
    starts_at: dt.time | None
    host: str | None
    place: str
    source: str
    summary: str
    chairs: list[tuple[str, str, str | None]]  # (name, title, unit)
    guests: list[tuple[str, str, str]]  # (name, title, what they did)
    agenda: list[tuple[str, str]]  # (title, presenter)
    ballots: list[BallotSpec] = field(default_factory=list)
    # Named representatives: unit -> (name, title); the others are recorded as unnamed.
    representatives: dict[str, tuple[str, str]] = field(default_factory=dict)


UNNAMED_BLOC = "Khối thi đua Kinh tế ngành"
QB_BLOC = "Khối thi đua các ngành Kinh tế - Kỹ thuật"
BN_BLOC = "Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật"
BK_BLOC = "Khối thi đua Kinh tế - Kỹ thuật"
DL_BLOC = "Khối Thi đua số 5"

YEAR_END_AGENDA = [
    ("Báo cáo tổng kết công tác thi đua, khen thưởng năm và phương hướng nhiệm vụ năm sau", ""),
    ("Công bố kết quả chấm điểm, xếp loại thi đua", ""),
    ("Bình xét, suy tôn các danh hiệu thi đua và hình thức khen thưởng", ""),
    ("Bầu đơn vị Trưởng khối, Phó khối năm sau", ""),
    ("Phát biểu chỉ đạo, kết luận hội nghị", ""),
]

MEETINGS: list[MeetingSpec] = [
    MeetingSpec(
        province="chua-ro-ten",
        bloc=UNNAMED_BLOC,
        year=2019,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2019, 12, 11),
        starts_at=dt.time(8, 0),
        host=None,
        place="",
        source="seeds/001",
        summary=(
            "Tổng kết công tác thi đua, khen thưởng năm 2019, triển khai nhiệm vụ năm 2020. "
            "Lãnh đạo Ban Thi đua, Khen thưởng công bố bảng điểm năm 2019: 07 đơn vị hoàn thành "
            "xuất sắc nhiệm vụ, 01 đơn vị hoàn thành tốt nhiệm vụ; các đơn vị bỏ phiếu suy tôn "
            "01 Cờ thi đua của Chính phủ, 01 Cờ thi đua của UBND tỉnh, 02 Bằng khen của UBND "
            "tỉnh; thống nhất đề cử Sở Công Thương là Trưởng khối, Sở Nông nghiệp và Phát "
            "triển nông thôn là Phó khối năm 2020."
        ),
        chairs=[
            (
                "Đặng Trọng Thắng",
                "Tỉnh ủy viên, Giám đốc Sở Giao thông Vận tải, Trưởng khối năm 2019",
                "Sở Giao thông Vận tải",
            )
        ],
        guests=[
            (
                "Trương Minh Hiến",
                "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Chủ tịch UBND tỉnh, Lãnh đạo phụ trách khối",
                "Phát biểu chỉ đạo, kết luận hội nghị",
            ),
            (
                "Lê Thị Thu Hằng",
                "Trưởng Ban Thi đua, Khen thưởng (Sở Nội vụ)",
                "Công bố bảng điểm năm 2019 của các đơn vị trong khối",
            ),
        ],
        agenda=YEAR_END_AGENDA,
        representatives={
            "Sở Giao thông Vận tải": ("Đặng Trọng Thắng", "Giám đốc Sở Giao thông Vận tải"),
            "Sở Công Thương": ("Đinh Văn An", "Giám đốc Sở Công Thương"),
        },
        # The report gives the numbers of awards, not the units: the units are illustrative.
        ballots=[
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Suy tôn Cờ thi đua của Chính phủ năm 2019",
                award=GOVERNMENT_FLAG,
                winners=["Sở Giao thông Vận tải"],
            ),
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Suy tôn Cờ thi đua của UBND tỉnh năm 2019",
                award=PROVINCE_FLAG,
                winners=["Sở Công Thương"],
            ),
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Bằng khen của Chủ tịch UBND tỉnh năm 2019",
                award=CHAIR_CERTIFICATE,
                winners=["Sở Nông nghiệp và Phát triển nông thôn", "Sở Tài nguyên và Môi trường"],
                others=["Sở Khoa học và Công nghệ"],
            ),
            BallotSpec(
                Ballot.Kind.ELECTION,
                "Bầu Trưởng khối, Phó khối năm 2020",
                head="Sở Công Thương",
                deputy="Sở Nông nghiệp và Phát triển nông thôn",
                tally_pdf=True,
            ),
        ],
    ),
    MeetingSpec(
        province="bac-ninh",
        bloc=BN_BLOC,
        year=2019,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2019, 12, 2),
        starts_at=dt.time(14, 0),
        host="Sở Công Thương",
        place="Sở Công Thương",
        source="seeds/002",
        summary=(
            "Tổng kết công tác thi đua, khen thưởng năm 2019; triển khai phương hướng nhiệm vụ "
            "năm 2020. Bình xét đề nghị các danh hiệu thi đua, hình thức khen thưởng và bầu "
            "Liên minh Hợp tác xã tỉnh làm Trưởng khối năm 2020."
        ),
        chairs=[],
        guests=[],
        agenda=YEAR_END_AGENDA,
        ballots=[
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Cờ thi đua của Chính phủ năm 2019",
                award=GOVERNMENT_FLAG,
                winners=["Sở Công Thương"],
            ),
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Cờ thi đua của UBND tỉnh năm 2019",
                award=PROVINCE_FLAG,
                winners=[
                    "Sở Xây dựng",
                    "Sở Thông tin và Truyền thông",
                    "Cục Dự trữ quốc gia khu vực Hà Bắc",
                ],
            ),
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Bằng khen của Thủ tướng Chính phủ năm 2019",
                award=PM_CERTIFICATE,
                winners=["Sở Giao thông vận tải", "Quỹ Đầu tư phát triển tỉnh"],
            ),
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Bằng khen của Chủ tịch UBND tỉnh năm 2019",
                award=CHAIR_CERTIFICATE,
                winners=[
                    "Sở Tài nguyên và Môi trường",
                    "Liên minh Hợp tác xã tỉnh",
                    "Ban Quản lý khu vực phát triển đô thị Bắc Ninh",
                ],
            ),
            BallotSpec(
                Ballot.Kind.ELECTION,
                "Bầu Trưởng khối năm 2020",
                head="Liên minh Hợp tác xã tỉnh",
            ),
        ],
    ),
    MeetingSpec(
        province="dak-lak",
        bloc=DL_BLOC,
        year=2020,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2021, 1, 28),
        starts_at=dt.time(14, 0),
        host="Sở Giao thông Vận tải",
        place="Sở Giao thông Vận tải",
        source="seeds/004",
        summary=(
            "Tổng kết phong trào thi đua, khen thưởng năm 2020, ký kết giao ước thi đua năm 2021. "
            "Thống nhất đề nghị UBND tỉnh tặng Cờ thi đua cho Sở Giao thông Vận tải và tặng "
            "Bằng khen cho 03 đơn vị; bầu Ban Quản lý các Khu công nghiệp làm Khối trưởng năm "
            "2021."
        ),
        chairs=[],
        guests=[("Đại diện Ban Thi đua - Khen thưởng tỉnh", "", "")],
        agenda=YEAR_END_AGENDA,
        ballots=[
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Cờ thi đua của UBND tỉnh năm 2020",
                award=PROVINCE_FLAG,
                winners=["Sở Giao thông Vận tải"],
            ),
            # "Bằng khen cho 03 đơn vị": the report does not name them (illustrative).
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Bằng khen của Chủ tịch UBND tỉnh năm 2020",
                award=CHAIR_CERTIFICATE,
                winners=["Sở Xây dựng", "Sở Công Thương", "Ban Quản lý các Khu công nghiệp"],
            ),
            BallotSpec(
                Ballot.Kind.ELECTION,
                "Bầu Khối trưởng năm 2021",
                head="Ban Quản lý các Khu công nghiệp",
            ),
        ],
    ),
    MeetingSpec(
        province="bac-kan",
        bloc=BK_BLOC,
        year=2018,
        kind=Meeting.Kind.MID_YEAR,
        held_on=dt.date(2018, 7, 20),
        starts_at=None,
        host="Sở Công Thương",
        place="Sở Công Thương",
        source="seeds/003",
        summary=(
            "Sơ kết công tác thi đua - khen thưởng 6 tháng đầu năm 2018, phương hướng nhiệm vụ "
            "6 tháng cuối năm, do Sở Tài nguyên và Môi trường (Trưởng khối) và Sở Công Thương "
            "(Phó khối) đồng chủ trì."
        ),
        chairs=[
            (
                "Nông Văn Kỳ",
                "Giám đốc Sở Tài nguyên và Môi trường (đơn vị Trưởng khối)",
                "Sở Tài nguyên và Môi trường",
            ),
            (
                "Vũ Đức Chính",
                "Giám đốc Sở Công Thương (đơn vị Phó Trưởng khối)",
                "Sở Công Thương",
            ),
        ],
        guests=[("Hoàng Văn Ưu", "Phó Trưởng Ban Thi đua - Khen thưởng tỉnh Bắc Kạn", "")],
        agenda=[
            (
                "Thông qua dự thảo báo cáo sơ kết công tác thi đua 6 tháng đầu năm, phương hướng "
                "nhiệm vụ 6 tháng cuối năm 2018",
                "Vũ Đức Chính, Giám đốc Sở Công Thương (đơn vị Phó Trưởng khối)",
            ),
            ("Thảo luận, đóng góp ý kiến của các đơn vị thành viên", ""),
            ("Phát biểu của lãnh đạo Ban Thi đua - Khen thưởng tỉnh", "Hoàng Văn Ưu"),
        ],
        representatives={
            "Sở Tài nguyên và Môi trường": (
                "Nông Văn Kỳ",
                "Giám đốc Sở Tài nguyên và Môi trường",
            ),
            "Sở Công Thương": ("Vũ Đức Chính", "Giám đốc Sở Công Thương"),
        },
    ),
    MeetingSpec(
        province="quang-binh",
        bloc=QB_BLOC,
        year=2019,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2020, 1, 13),
        starts_at=dt.time(8, 0),
        host="Ban Quản lý Khu kinh tế",
        place="Ban Quản lý Khu kinh tế",
        source="seeds/000",
        summary=(
            "Tổng kết phong trào thi đua năm 2019, triển khai nhiệm vụ năm 2020. Kết quả xếp "
            "loại: Ban Quản lý Khu kinh tế dẫn đầu; Sở Giao thông vận tải xếp thứ Nhì; Sở Xây "
            "dựng và Sở Tài nguyên và Môi trường đồng xếp thứ Ba. Các thành viên ký kết giao "
            "ước thi đua năm 2020."
        ),
        chairs=[],
        guests=[("Mai Xuân Toàn", "Trưởng Ban Thi đua - Khen thưởng tỉnh", "")],
        agenda=[
            ("Báo cáo tổng kết phong trào thi đua năm 2019", ""),
            ("Công bố kết quả xếp loại thi đua năm 2019", ""),
            ("Bình xét, suy tôn danh hiệu thi đua năm 2019", ""),
            ("Đề ra phương hướng nhiệm vụ và ký kết giao ước thi đua năm 2020", ""),
        ],
        ballots=[
            # Open, online: the demo's leader accounts vote from the dashboard.
            BallotSpec(
                Ballot.Kind.NOMINATION,
                "Bình xét Cờ thi đua của UBND tỉnh năm 2019",
                award=PROVINCE_FLAG,
                winners=["Ban Quản lý Khu kinh tế"],
                others=["Sở Giao thông vận tải"],
                method=Ballot.Method.ONLINE,
                state="open",
            ),
        ],
    ),
]


def _admin():
    return get_user_model().objects.filter(username="admin").first()


def _bloc_year(spec: MeetingSpec) -> BlocYear:
    return BlocYear.objects.select_related("bloc__province").get(
        bloc__province__code=spec.province, bloc__name=spec.bloc, year=spec.year
    )


def _units(bloc_year: BlocYear) -> dict[str, Unit]:
    return {
        m.unit.name: m.unit
        for m in Membership.objects.filter(bloc_year=bloc_year).select_related("unit")
    }


def _to_voting(bloc_year: BlocYear, source: str, actor) -> None:
    """A year the product did not score reaches voting with its report as the source;
    a scored and locked year (Quảng Bình 2019) is opened by its ballot."""
    if bloc_year.status == S.IN_PROGRESS:
        cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=actor, _historical_source=source)
    if bloc_year.status == S.SCORING and not _scored(bloc_year):
        cycle.bloc_year_open_voting(bloc_year=bloc_year, actor=actor, _historical_source=source)


def _scored(bloc_year: BlocYear) -> bool:
    from scoring.models import ScoringYear

    state = ScoringYear.objects.filter(bloc_year=bloc_year).first()
    return bool(state and state.locked)


def _meeting(spec: MeetingSpec, bloc_year: BlocYear, units: dict[str, Unit], actor) -> Meeting:
    meeting = meeting_services.meeting_create(
        bloc_year=bloc_year,
        kind=spec.kind,
        held_on=spec.held_on,
        starts_at=spec.starts_at,
        place=spec.place,
        host_unit=units[spec.host] if spec.host else None,
        summary=spec.summary,
        source=spec.source,
        actor=actor,
    )
    R = MeetingPerson.Role
    if spec.chairs:
        meeting_services.meeting_people_set(
            meeting=meeting,
            role=R.CHAIR,
            people=[
                {"name": n, "title": t, "unit": units.get(u) if u else None}
                for n, t, u in spec.chairs
            ],
            actor=actor,
        )
    if spec.guests:
        meeting_services.meeting_people_set(
            meeting=meeting,
            role=R.GUEST,
            people=[{"name": n, "title": t, "note": note} for n, t, note in spec.guests],
            actor=actor,
        )
    meeting_services.meeting_agenda_set(
        meeting=meeting,
        items=[{"title": t, "presenter": p} for t, p in spec.agenda],
        actor=actor,
    )
    # The reports speak of "lãnh đạo các đơn vị thành viên": every member was present.
    leaders = {
        m.unit_id: (m.leader_name, m.leader_title)
        for m in Membership.objects.filter(bloc_year=bloc_year)
    }
    rows = []
    for name, unit in units.items():
        rep_name, rep_title = spec.representatives.get(name) or leaders.get(unit.pk) or ("", "")
        rows.append(
            {
                "unit": unit,
                "status": Attendance.Status.PRESENT,
                "representative_name": rep_name or UNNAMED_REPRESENTATIVE,
                "representative_title": rep_title or UNNAMED_TITLE,
            }
        )
    meeting_services.attendance_record_many(meeting=meeting, rows=rows, actor=actor)
    return meeting


def _paper_counts(ballot: Ballot, winners: set[int], entitled: int) -> dict:
    """Illustrative paper counts: every entitled unit votes; a winner gets all yes but one
    (so that no result is unanimous), another candidate fewer than half."""
    counts = {}
    for candidate in BallotCandidate.objects.filter(ballot=ballot):
        if candidate.unit_id in winners:
            yes = entitled - 1 if entitled > 2 else entitled
        else:
            yes = max(0, entitled // 2 - 2)
        counts[candidate.pk] = (yes, entitled - yes, 0)
    return counts


def _ballot(spec: BallotSpec, meeting: Meeting, units: dict[str, Unit], actor) -> Ballot:
    province = meeting.bloc_year.bloc.province
    if spec.kind == Ballot.Kind.ELECTION:
        candidates = [(units[spec.head], BallotCandidate.Position.HEAD)] if spec.head else []
        if spec.deputy:
            candidates.append((units[spec.deputy], BallotCandidate.Position.DEPUTY))
        winners = {units[u].pk for u in (spec.head, spec.deputy) if u}
        award, max_winners = None, None
    else:
        candidates = [(units[u], "") for u in spec.winners + spec.others]
        winners = {units[u].pk for u in spec.winners}
        award = AwardType.objects.get(province=province, name=spec.award)
        max_winners = len(spec.winners)
    ballot = ballot_services.ballot_create(
        meeting=meeting,
        kind=spec.kind,
        title=spec.title,
        method=spec.method,
        candidates=candidates,
        award_type=award,
        max_winners=max_winners,
        illustrative=True,
        actor=actor,
    )
    ballot_services.ballot_open(ballot=ballot, actor=actor)
    if spec.state == "open":
        return ballot
    participations = list(ballot.participations.select_related("unit"))
    for participation in participations:
        ballot_services.ballot_paper_issue(ballot=ballot, unit=participation.unit, actor=actor)
    entitled = len(participations)
    ballot_services.ballot_paper_counts_enter(
        ballot=ballot,
        issued=entitled,
        returned=entitled,
        valid=entitled,
        invalid=0,
        per_candidate=_paper_counts(ballot, winners, entitled),
        actor=actor,
    )
    ballot_services.ballot_close(ballot=ballot, actor=actor)
    ballot_services.ballot_publish(ballot=ballot, actor=actor)
    if spec.tally_pdf:
        document_job_request(
            kind="ballot_tally",
            bloc_year=meeting.bloc_year,
            user=actor,
            params={"ballot_id": ballot.pk},
        )
    return ballot


def demo_load() -> list[tuple[str, str]]:
    """Record the seed meetings; returns no extra accounts. Not one transaction: an online
    vote is written in two (meetings.services.ballots), so each meeting is its own."""
    actor = _admin()
    for code in ("chua-ro-ten", "bac-ninh", "dak-lak", "quang-binh", "bac-kan"):
        province = Province.objects.filter(code=code).first()
        if province is not None:
            award_types_seed(province=province, actor=actor)
    for spec in MEETINGS:
        with transaction.atomic():
            bloc_year = _bloc_year(spec)
            if Meeting.objects.filter(
                bloc_year=bloc_year, kind=spec.kind, held_on=spec.held_on
            ).exists():
                continue
            units = _units(bloc_year)
            meeting = _meeting(spec, bloc_year, units, actor)
            if spec.ballots:
                _to_voting(bloc_year, spec.source, actor)
            for ballot_spec in spec.ballots:
                _ballot(ballot_spec, meeting, units, actor)
            minutes_services.minutes_draft(meeting=meeting, actor=actor)
    return []
