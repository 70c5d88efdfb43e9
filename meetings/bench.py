"""Benchmark of the secret ballot (DESIGN.md §8), run by `manage.py bench_ballots`. In a
throwaway test database it builds a bloc-year through the services (every unit present at
the year-end meeting, each with a leader) and, for 15 voters x 12 candidates and for a
200-voter stress case, prints:

- casting one online ballot (two transactions): median over every voter;
- `ballot_close` (shuffle into vote rows, delete staging, count, pass rules, ties) plus
  `ballot_result`: median of `rounds` ballots, and the queries each takes.
Nothing here is a test: timings vary by machine."""

import datetime as dt
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext


def build(*, voters: int, tag: str):
    from django.contrib.auth import get_user_model

    from awards.models import AwardType
    from blocs import cycle
    from blocs import services as bloc_services
    from blocs.models import Province, RoleAssignment
    from meetings.models import Attendance, Meeting
    from meetings.services import meetings as meeting_services
    from scoring import services as scoring_services
    from scoring.models import Criterion, Stage

    province = Province.objects.filter(code="bench").first() or bloc_services.province_create(
        name="Tỉnh đo hiệu năng",
        code="bench",
        board_name="Ban Thi đua - Khen thưởng",
        authority_name="UBND tỉnh",
    )
    bloc = bloc_services.bloc_create(province=province, name=f"Khối đo bỏ phiếu {tag}")
    units = [
        bloc_services.unit_create(province=province, name=f"Sở thử nghiệm {tag}-{i:03d}")
        for i in range(voters)
    ]
    bloc_year = bloc_services.bloc_year_create(
        bloc=bloc, year=2024, members=units, head=units[0], deputy=units[1]
    )
    users = get_user_model()
    secretariat = users.objects.create_user(username=f"thuky.ballot.{tag}", password=None)
    bloc_services.role_assign(
        user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
    )
    board = users.objects.create_user(username=f"btdkt.ballot.{tag}", password=None)
    bloc_services.role_assign(user=board, role=RoleAssignment.Role.BOARD, province=province)
    leaders = {}
    for i, unit in enumerate(units):
        user = users.objects.create_user(username=f"lanhdao.{tag}.{i:03d}", password=None)
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
        leaders[unit.pk] = user
    table = scoring_services.criteria_table_create(
        province=province,
        year=2024,
        bloc_year=bloc_year,
        name=f"Bảng {tag}",
        groups=[
            {
                "code": "I",
                "name": "Nhiệm vụ",
                "criteria": [{"code": "1", "name": "Hoàn thành", "max_points": "100"}],
            }
        ],
    )
    # The pledge is not what is measured: signing is recorded as closed without one.
    cycle.bloc_year_open_pledging(bloc_year=bloc_year, actor=None, _historical_source="bench")
    cycle.bloc_year_start(
        bloc_year=bloc_year, actor=None, close_signing=True, _historical_source="bench"
    )
    cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=None)
    criterion = Criterion.objects.get(table=table)
    scoring_services.scores_save(
        bloc_year=bloc_year,
        stage=Stage.VERIFIED,
        cells=[
            scoring_services.CellInput(u.pk, criterion.pk, 0, str(Decimal(100 - i % 50)))
            for i, u in enumerate(units)
        ],
        actor=board,
    )
    scoring_services.scoring_verify(
        bloc_year=bloc_year, actor=board, confirmed_unit_ids=[u.pk for u in units]
    )
    meeting = meeting_services.meeting_create(
        bloc_year=bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=dt.date(2024, 12, 20),
        actor=secretariat,
    )
    for unit in units:
        meeting_services.attendance_record(
            meeting=meeting,
            unit=unit,
            status=Attendance.Status.PRESENT,
            actor=secretariat,
            representative_name="Nguyễn Văn An",
        )
    award_type = AwardType.objects.create(
        province=province,
        name=f"Cờ thi đua {tag}",
        level=AwardType.Level.PROVINCE,
        kind=AwardType.Kind.FLAG,
    )
    return {
        "units": units,
        "leaders": leaders,
        "secretariat": secretariat,
        "meeting": meeting,
        "award_type": award_type,
    }


def _ballot_voted(world: dict, *, candidates: int, round_no: int) -> tuple:
    """An open ballot of `candidates` candidates in which every unit has voted online
    (a deterministic spread of yes / no / blank); returns it and the cast times."""
    from meetings.services import ballots as services

    units = world["units"]
    ballot = services.ballot_create(
        meeting=world["meeting"],
        kind="nomination",
        title=f"Bình xét vòng đo {round_no}",
        method="online",
        candidates=[(u, "") for u in units[:candidates]],
        actor=world["secretariat"],
        award_type=world["award_type"],
        max_winners=3,
    )
    services.ballot_open(ballot=ballot, actor=world["secretariat"])
    ids = list(ballot.candidates.order_by("order").values_list("pk", flat=True))
    casts = []
    for i, unit in enumerate(units):
        yes = {ids[(i + round_no) % len(ids)], ids[(i * 7 + 3) % len(ids)]}
        choices = {
            cid: "yes" if cid in yes else ("blank" if (i + j) % 5 == 0 else "no")
            for j, cid in enumerate(ids)
        }
        start = time.perf_counter()
        services.ballot_vote_cast(
            ballot=ballot, unit=unit, user=world["leaders"][unit.pk], choices=choices
        )
        casts.append(time.perf_counter() - start)
    return ballot, casts


def measure(world: dict, *, candidates: int, rounds: int) -> dict:
    from meetings.selectors.ballots import ballot_recount_matches, ballot_result
    from meetings.services import ballots as services

    casts, closes, queries, ok = [], [], [], True
    for r in range(rounds):
        ballot, cast_times = _ballot_voted(world, candidates=candidates, round_no=r)
        casts += cast_times
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            services.ballot_close(ballot=ballot, actor=world["secretariat"])
            result = ballot_result(ballot=ballot)
            closes.append(time.perf_counter() - start)
        queries.append(len(ctx.captured_queries))
        ok = ok and result.valid == len(world["units"]) and ballot_recount_matches(ballot=ballot)
    return {
        "voters": len(world["units"]),
        "candidates": candidates,
        "cast_ms_median": round(statistics.median(casts) * 1000, 1),
        "close_and_result_ms_median": round(statistics.median(closes) * 1000, 1),
        "close_and_result_ms_max": round(max(closes) * 1000, 1),
        "queries": max(queries),
        "rounds": rounds,
        "ok": ok,
    }


def run(write: Callable[[str], None], *, rounds: int = 5) -> bool:
    ok = True
    for voters, tag in ((15, "15"), (200, "200")):
        world = build(voters=voters, tag=tag)
        figures = measure(world, candidates=12, rounds=rounds)
        write(
            f"{figures['voters']} voters x {figures['candidates']} candidates: cast "
            f"{figures['cast_ms_median']} ms (median), close + result "
            f"{figures['close_and_result_ms_median']} ms (median of {rounds}, max "
            f"{figures['close_and_result_ms_max']} ms), {figures['queries']} queries, "
            f"recount {'matches' if figures['ok'] else 'DOES NOT MATCH'}"
        )
        ok = ok and figures["ok"]
    return ok
