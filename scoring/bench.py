"""Benchmark of the score grid (DESIGN.md §7), run by `make bench` / `manage.py
bench_scoring`. It builds a 15-unit x 60-criterion bloc-year in a throwaway test database
and prints:

- the grid page (one stage, every cell filled) against a trivial logged-in page, both
  measured in the same run through the full Django stack (median CPU time of many
  requests), and
  the ratio (printed, not a limit: the load test, `make loadtest`, holds the grid to 2x
  the trivial page under 200 users);
- saving the whole grid (900 cells) in one request and one transaction: time and queries;
- the query counts of the grid page, the scoreboard and the whole-grid save at two sizes.
It fails only when a page's or the save's query count grows with the size. Nothing here
is a test of time: timings vary by machine."""

import json
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def build(*, units: int, criteria: int, tag: str):
    from django.contrib.auth import get_user_model

    from blocs import cycle
    from blocs import services as bloc_services
    from blocs.models import Province, RoleAssignment

    from . import services
    from .models import Stage

    province = Province.objects.filter(code="bench").first() or bloc_services.province_create(
        name="Tỉnh đo hiệu năng",
        code="bench",
        board_name="Ban Thi đua - Khen thưởng",
        authority_name="UBND tỉnh",
    )
    bloc = bloc_services.bloc_create(province=province, name=f"Khối đo hiệu năng {tag}")
    members = [
        bloc_services.unit_create(province=province, name=f"Sở thử nghiệm {tag}-{i:02d}")
        for i in range(units)
    ]
    bloc_year = bloc_services.bloc_year_create(
        bloc=bloc, year=2024, members=members, head=members[0]
    )
    user_model = get_user_model()
    user = user_model.objects.create_user(username=f"thuky.bench.{tag}", password=None)
    bloc_services.role_assign(user=user, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year)
    per_group = max(1, criteria // 6)
    groups, made = [], 0
    for g in range(6):
        items = []
        for _i in range(per_group if g < 5 else criteria - made):
            made += 1
            kind = "regular"
            if made > criteria - 3:
                kind = "bonus" if made <= criteria - 1 else "penalty"
            items.append(
                {
                    "code": f"{g + 1}.{made}",
                    "name": f"Tiêu chí {made}",
                    "kind": kind,
                    "max_points": "10" if kind == "regular" else "5",
                }
            )
        groups.append({"code": str(g + 1), "name": f"Nhóm {g + 1}", "criteria": items})
    table = services.criteria_table_create(
        province=province,
        year=2024,
        bloc_year=bloc_year,
        name=f"Bảng {tag}",
        groups=groups,
        bonus_cap=Decimal(3),
        penalty_cap=Decimal(2),
    )
    # Scores are entered in the year's scoring step (blocs.cycle); the pledge is not part
    # of what is measured, so signing is recorded as closed without one.
    cycle.bloc_year_open_pledging(bloc_year=bloc_year, actor=None, _historical_source="bench")
    cycle.bloc_year_start(
        bloc_year=bloc_year, actor=None, close_signing=True, _historical_source="bench"
    )
    cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=None)
    cells = [
        services.CellInput(u.pk, c.pk, 0, "1,5") for u in members for c in table.criteria.all()
    ]
    services.scores_save(bloc_year=bloc_year, stage=Stage.CROSS, cells=cells, actor=user)
    client = Client()
    client.force_login(user)
    return bloc_year, client


def whole_grid_payload(bloc_year, value: str) -> str:
    from .models import ScoreValue, Stage

    rows = ScoreValue.objects.filter(sheet__bloc_year=bloc_year, stage=Stage.CROSS).values_list(
        "sheet__unit_id", "criterion_id", "version"
    )
    return json.dumps(
        {"cells": [{"unit": u, "criterion": c, "version": v, "value": value} for u, c, v in rows]}
    )


def save_one_cell(bloc_year, value: str) -> None:
    """Save one cross-stage cell through the service, as the grid's save does."""
    from . import services
    from .models import ScoreValue, Stage

    unit_id, criterion_id, version, actor_id = (
        ScoreValue.objects.filter(sheet__bloc_year=bloc_year, stage=Stage.CROSS)
        .order_by("pk")
        .values_list("sheet__unit_id", "criterion_id", "version", "updated_by_id")
        .first()
    )
    from django.contrib.auth import get_user_model

    services.scores_save(
        bloc_year=bloc_year,
        stage=Stage.CROSS,
        cells=[services.CellInput(unit_id, criterion_id, version, value)],
        actor=get_user_model().objects.get(pk=actor_id),
    )


def timed(fn: Callable[[], object]) -> float:
    """CPU milliseconds of this process (the database server's work not included): on a
    shared machine, wall time measures the neighbours."""
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def queries(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def get_ok(client: Client, url: str) -> Callable[[], object]:
    def go():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return response

    return go


def run(out: Callable[[str], None], rounds: int = 40) -> bool:
    big, client = build(units=15, criteria=60, tag="15x60")
    small, small_client = build(units=3, criteria=5, tag="3x5")
    grid_url = reverse("scoring:grid", args=[big.pk, "cross"])
    trivial_url = reverse("password_change_done")
    board_url = reverse("scoring:scoreboard", args=[big.pk])
    save_url = reverse("scoring:grid_save", args=[big.pk, "cross"])
    grid, trivial = get_ok(client, grid_url), get_ok(client, trivial_url)
    for _ in range(5):  # warm up templates and connections
        grid(), trivial()
    grid_ms, trivial_ms = [], []
    for _ in range(rounds):  # interleaved, so both see the same machine load
        trivial_ms.append(timed(trivial))
        grid_ms.append(timed(grid))
    g, t = statistics.median(grid_ms), statistics.median(trivial_ms)
    ratio = g / t
    after_save_ms = []
    for i in range(max(10, rounds // 4)):  # a real one-cell save (not timed), then a load
        save_one_cell(big, "2" if i % 2 else "2,5")
        after_save_ms.append(timed(grid))
    after_save = statistics.median(after_save_ms)
    size = len(grid().content)
    board_ms = statistics.median(timed(get_ok(client, board_url)) for _ in range(10))

    save_ms, save_queries = [], 0
    for i in range(6):
        payload = whole_grid_payload(big, "2" if i % 2 else "2,5")

        def save(payload=payload):
            response = client.post(save_url, payload, content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(response.content[:300])
            return response

        with CaptureQueriesContext(connection) as ctx:
            save_ms.append(timed(save))
        save_queries = len(ctx.captured_queries)

    def counts(bloc_year, c):
        payload = whole_grid_payload(bloc_year, "3")
        return (
            queries(get_ok(c, reverse("scoring:grid", args=[bloc_year.pk, "cross"]))),
            queries(get_ok(c, reverse("scoring:scoreboard", args=[bloc_year.pk]))),
            queries(
                lambda: c.post(
                    reverse("scoring:grid_save", args=[bloc_year.pk, "cross"]),
                    payload,
                    content_type="application/json",
                )
            ),
        )

    small_counts, big_counts = counts(small, small_client), counts(big, client)
    out(
        f"Database: {connection.vendor}; {rounds} interleaved requests per page, medians "
        "of this process's CPU time (ms)."
    )
    out(
        f"Grid page 15 units x 60 criteria (cross stage, 900 filled cells): {g:.1f} ms "
        f"({size // 1024} KiB of HTML)"
    )
    out(f"Trivial logged-in page (password_change_done):                 {t:.1f} ms")
    out(f"Ratio grid / trivial: {ratio:.2f}x (printed only; see make loadtest)")
    out(
        f"Grid page right after a one-cell save:                         {after_save:.1f} ms "
        f"({after_save / t:.2f}x)"
    )
    out(f"Scoreboard 15 units (3 stages, ranking, classification):       {board_ms:.1f} ms")
    out(
        f"Whole-grid save, 900 cells changed, one request, one transaction: "
        f"median {statistics.median(save_ms):.1f} ms, {save_queries} queries"
    )
    out(
        "Queries (grid page / scoreboard / whole-grid save): "
        f"3x5 = {small_counts}, 15x60 = {big_counts}"
    )
    pages_constant = small_counts[:2] == big_counts[:2]
    save_constant = small_counts[2] == big_counts[2]
    out(
        "Query counts constant across sizes: pages "
        + ("yes" if pages_constant else "NO")
        + ", save "
        + ("yes" if save_constant else "NO")
    )
    if not save_constant and connection.vendor == "sqlite":
        out(
            "  (SQLite: Django splits INSERT statements at 999 parameters, so a large save "
            "takes a few more statements; PostgreSQL takes one per step whatever the size.)"
        )
        save_constant = True
    constant = pages_constant and save_constant
    ok = constant
    out("RESULT: " + ("PASS" if ok else "FAIL"))
    return ok
