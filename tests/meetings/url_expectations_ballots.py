"""URL x role rows of the ballot pages (keys of objects start with "ballots_").
build_objects gets the objects the meeting rows built (e.g. the meeting).

EXPECTED: one row per URL name, in the format of tests/pledges/url_expectations.py.
EXPECTED_POST: the POST of the pages that also answer GET (the form pages and the voting
page); tests/meetings/test_ballot_pages.py walks them with the same roles.

The world's bloc-year is taken to its voting step: the scores verified and locked by the
board, a year-end meeting of its own (28/12/2020 or the next free day) with the three
members present, staff_member named as the member unit's representative (so it votes for
that unit; leader_member votes for the head unit). A POST that would change a ballot gets
input the service refuses (400, nothing changed), or a reset that undoes it."""

import datetime as dt

from django.core.exceptions import ValidationError

ROLES = [
    "anonymous",
    "norole",
    "admin",
    "board_here",
    "board_other",
    "secretariat_here",
    "secretariat_other",
    "leader_member",
    "staff_member",
    "leader_nonmember",
    "staff_nonmember",
]
LOGIN, OK, REDIRECT, BAD, FORBIDDEN = "login", 200, 302, 400, 403

NOBODY = dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN}
# Whoever sees the bloc-year sees its ballots, results and published receipts.
READERS = ("admin", "board_here", "secretariat_here", "leader_member", "staff_member")
# Running ballots: the bloc-year's secretariat and administrators; the board only reads.
RUNNERS = ("admin", "secretariat_here")
# Voting for a unit: its leader, or the representative named in the attendance.
VOTERS = ("leader_member", "staff_member")


def only(status, *roles) -> dict:
    return NOBODY | dict.fromkeys(roles, status)


def _ballot(key):
    return lambda w, o: {"ballot_id": o[key].pk}


def _reopened(o) -> None:
    """Undo a successful open: back to created (no vote was cast)."""
    from meetings.models import Ballot
    from meetings.services import ballots as services

    ballot = Ballot.objects.get(pk=o["ballots_created"].pk)
    if ballot.status == Ballot.Status.OPEN:
        services.ballot_reset(ballot=ballot, reason="Thử lại cho vai trò tiếp theo", actor=None)


EXPECTED: dict = {
    "meetings:ballot_create": (
        "get",
        lambda w, o: {"meeting_id": o["ballots_meeting"].pk},
        only(OK, *RUNNERS),
    ),
    "meetings:ballot_detail": ("get", _ballot("ballots_published"), only(OK, *READERS)),
    "meetings:ballot_edit": ("get", _ballot("ballots_created"), only(OK, *RUNNERS)),
    "meetings:ballot_progress": ("get", _ballot("ballots_open"), only(OK, *READERS)),
    "meetings:ballot_open": (
        "post",
        _ballot("ballots_created"),
        only(REDIRECT, *RUNNERS),
        _reopened,
    ),
    # A mixed ballot without the paper counts: refused with the reason, nothing closed.
    "meetings:ballot_close": ("post", _ballot("ballots_mixed"), only(BAD, *RUNNERS)),
    # Not closed yet: refused with the reason, nothing published.
    "meetings:ballot_publish": ("post", _ballot("ballots_open"), only(BAD, *RUNNERS)),
    # No reason given: the error next to the field, nothing reset.
    "meetings:ballot_reset": ("post", _ballot("ballots_open"), only(BAD, *RUNNERS)),
    # No tie to settle: refused with the reason.
    "meetings:ballot_second_round": (
        "post",
        _ballot("ballots_published"),
        only(BAD, *RUNNERS),
    ),
    # No unit chosen: the error next to the field.
    "meetings:ballot_paper_issue": ("post", _ballot("ballots_mixed"), only(BAD, *RUNNERS)),
    "meetings:ballot_paper": ("get", _ballot("ballots_mixed"), only(OK, *RUNNERS)),
    "meetings:ballot_vote": ("get", _ballot("ballots_open"), only(OK, *VOTERS)),
}

# The POST of the pages above that answer GET too: an empty form is refused next to its
# fields (400) for those who may send it, nothing saved.
EXPECTED_POST: dict = {
    "meetings:ballot_create": (
        "post",
        lambda w, o: {"meeting_id": o["ballots_meeting"].pk},
        only(BAD, *RUNNERS),
    ),
    "meetings:ballot_edit": ("post", _ballot("ballots_created"), only(BAD, *RUNNERS)),
    "meetings:ballot_paper": ("post", _ballot("ballots_mixed"), only(BAD, *RUNNERS)),
    "meetings:ballot_vote": ("post", _ballot("ballots_open"), only(BAD, *VOTERS)),
}


def _scores_locked(world) -> None:
    from blocs.models import BlocYear
    from scoring import services as scoring_services
    from scoring.models import Criterion, ScoringYear, Stage

    from ..conftest import year_reach
    from ..scoring.conftest import TABLE_SPEC, save

    bloc_year = world.bloc_year
    table = scoring_services.criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        table = scoring_services.criteria_table_create(
            province=world.province,
            year=bloc_year.year,
            bloc_year=bloc_year,
            name="Bảng chấm điểm năm 2020",
            groups=TABLE_SPEC,
        )
    year_reach(bloc_year, BlocYear.Status.SCORING, actor=world.users["secretariat_here"])
    if ScoringYear.objects.filter(bloc_year=bloc_year, locked_at__isnull=False).exists():
        return
    crit = {c.code: c for c in Criterion.objects.filter(table=table)}
    board = world.users["board_here"]
    units = [world.head, world.deputy, world.member]
    for i, unit in enumerate(units):
        values = {"1.1": str(10 - i), "1.2": "9", "2.1": "18", "2.2": "10"}
        save(bloc_year, Stage.VERIFIED, board, unit, crit, values)
    scoring_services.scoring_verify(
        bloc_year=bloc_year, actor=board, confirmed_unit_ids=[u.pk for u in units]
    )


def _year_end_meeting(world):
    """A year-end meeting of our own: the meeting rows may change theirs."""
    from meetings.models import Attendance, Meeting
    from meetings.services import meetings as meeting_services

    secretariat = world.users["secretariat_here"]
    day = dt.date(2020, 12, 28)
    for _i in range(20):
        try:
            meeting = meeting_services.meeting_create(
                bloc_year=world.bloc_year,
                kind=Meeting.Kind.YEAR_END,
                held_on=day,
                actor=secretariat,
                place="Hội trường Ban Quản lý Khu kinh tế",
            )
            break
        except ValidationError:
            day += dt.timedelta(days=1)
    for unit, user in (
        (world.head, None),
        (world.deputy, None),
        (world.member, world.users["staff_member"]),
    ):
        meeting_services.attendance_record(
            meeting=meeting,
            unit=unit,
            status=Attendance.Status.PRESENT,
            actor=secretariat,
            representative_name="Nguyễn Văn An",
            representative_title="Phó Giám đốc",
            representative_user=user,
        )
    return meeting


def ballots_world_build(world) -> dict:
    """The world's bloc-year at its voting step with ballots in every state."""
    from awards.models import AwardType
    from meetings.models import Ballot
    from meetings.services import ballots as services

    _scores_locked(world)
    meeting = _year_end_meeting(world)
    secretariat = world.users["secretariat_here"]
    award_type, _created = AwardType.objects.get_or_create(
        province=world.province,
        name="Cờ thi đua của UBND tỉnh",
        defaults={"level": AwardType.Level.PROVINCE, "kind": AwardType.Kind.FLAG},
    )
    units = [world.head, world.deputy, world.member]

    def nomination(title, method=Ballot.Method.ONLINE):
        return services.ballot_create(
            meeting=meeting,
            kind=Ballot.Kind.NOMINATION,
            title=title,
            method=method,
            candidates=[(u, "") for u in units],
            actor=secretariat,
            award_type=award_type,
            max_winners=1,
        )

    def vote(ballot, user, unit, answers):
        choices = {c.pk: answers.get(c.unit_id, "no") for c in ballot.candidates.all()}
        return services.ballot_vote_cast(ballot=ballot, unit=unit, user=user, choices=choices)

    created = nomination("Bình xét Cờ thi đua của UBND tỉnh năm 2020 (mới tạo)")
    opened = nomination("Bình xét Cờ thi đua của UBND tỉnh năm 2020 (đang bỏ phiếu)")
    services.ballot_open(ballot=opened, actor=secretariat)
    mixed = nomination("Bình xét Cờ thi đua của UBND tỉnh năm 2020 (phiếu giấy)", "mixed")
    services.ballot_open(ballot=mixed, actor=secretariat)
    closed = nomination("Bình xét Cờ thi đua của UBND tỉnh năm 2020 (đã kiểm phiếu)")
    published = nomination("Bình xét Cờ thi đua của UBND tỉnh năm 2020 (đã công bố)")
    receipts = {}
    for ballot in (closed, published):
        services.ballot_open(ballot=ballot, actor=secretariat)
        receipts[ballot.pk] = [
            vote(ballot, world.users["leader_member"], world.head, {world.head.pk: "yes"}),
            vote(ballot, world.users["staff_member"], world.member, {world.head.pk: "yes"}),
        ]
        services.ballot_close(ballot=ballot, actor=secretariat)
    services.ballot_publish(ballot=published, actor=secretariat)
    return {
        "ballots_meeting": meeting,
        "ballots_award_type": award_type,
        "ballots_created": created,
        "ballots_open": opened,
        "ballots_mixed": mixed,
        "ballots_closed": closed,
        "ballots_published": published,
        "ballots_receipts": receipts,
    }


def build_objects(world, objects: dict) -> dict:
    from blocs.models import BlocYear

    built = ballots_world_build(world)
    # Opening the first ballot took the world's year to its voting step; the rows of the
    # other apps (tests/blocs/url_expectations.py: advance, step back) are written for a
    # year at its scoring step, so the status is put back for them. A state the services
    # would never make (opened ballots in a year at scoring), for the URL x role test only;
    # the ballot rows do not depend on it (opening moves the year to voting again).
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=BlocYear.Status.SCORING)
    world.bloc_year.refresh_from_db()
    return built
