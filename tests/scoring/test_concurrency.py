"""No lost updates: two people saving the same cells at the same moment, each in its own
thread with its own PostgreSQL connection. SQLite serialises whole transactions, so these
run on PostgreSQL only."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from scoring import services
from scoring.models import ScoreChange, ScoreValue, Stage

from ..conftest import needs_postgres
from .conftest import cells_for

pytestmark = [needs_postgres]


def _run(fn, results, key):
    try:
        results[key] = fn()
    except Exception as exc:  # collected and asserted in the main thread
        results[key] = exc
    finally:
        connection.close()


@pytest.fixture
def tx_world(transactional_db, world):
    return world


def test_second_writer_on_stale_data_is_refused_not_lost(tx_world, table, crit):
    world = tx_world
    first, second = world.users["secretariat_here"], world.users["admin"]
    first.first_name = "Nguyễn Văn Thư Ký"
    first.save()
    first_saved, done = threading.Event(), threading.Event()
    results: dict = {}

    def writer_a():
        # Saves and keeps its transaction open while B tries, then commits.
        with transaction.atomic():
            out = services.scores_save(
                bloc_year=world.bloc_year,
                stage=Stage.CROSS,
                cells=cells_for(world.member, crit, {"1.1": "8", "2.1": "15"}),
                actor=first,
            )
            first_saved.set()
            done.wait(timeout=2)  # B is now blocked on the row lock
        return out

    def writer_b():
        first_saved.wait(timeout=10)
        # B opened the grid before A saved: it still holds version 0 for both cells.
        timer = threading.Timer(0.3, done.set)
        timer.start()
        return services.scores_save(
            bloc_year=world.bloc_year,
            stage=Stage.CROSS,
            cells=cells_for(world.member, crit, {"1.1": "9", "2.1": "16"}),
            actor=second,
        )

    threads = [
        threading.Thread(target=_run, args=(writer_a, results, "a")),
        threading.Thread(target=_run, args=(writer_b, results, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not isinstance(results["a"], Exception), results["a"]
    refused = results["b"]
    assert isinstance(refused, services.ScoreSaveRefused), refused
    conflict = refused.conflicts[f"{world.member.pk}:{crit['1.1'].pk}"]
    assert conflict["value"] == "8" and conflict["version"] == 1
    assert "Nguyễn Văn Thư Ký" in conflict["message"]
    values = dict(ScoreValue.objects.values_list("criterion__code", "value"))
    assert values == {"1.1": D("8"), "2.1": D("15")}
    assert ScoreChange.objects.count() == 2


def test_many_concurrent_writers_of_one_cell_exactly_one_wins(tx_world, table, crit):
    world = tx_world
    start = threading.Barrier(4)
    results: dict = {}

    def writer(n):
        def go():
            start.wait(timeout=10)
            return services.scores_save(
                bloc_year=world.bloc_year,
                stage=Stage.CROSS,
                cells=cells_for(world.member, crit, {"1.1": str(n + 5)}),
                actor=world.users["secretariat_here"],
            )

        return go

    threads = [threading.Thread(target=_run, args=(writer(n), results, n)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    winners = [n for n, r in results.items() if not isinstance(r, Exception)]
    losers = [r for r in results.values() if isinstance(r, Exception)]
    assert len(winners) == 1, results
    assert all(isinstance(r, services.ScoreSaveRefused) and r.conflicts for r in losers), losers
    value = ScoreValue.objects.get()
    assert value.value == D(winners[0] + 5) and value.version == 1
    assert ScoreChange.objects.count() == 1


def test_concurrent_writers_of_different_cells_both_succeed(tx_world, table, crit):
    world = tx_world
    start = threading.Barrier(2)
    results: dict = {}

    def writer(code, value):
        def go():
            start.wait(timeout=10)
            return services.scores_save(
                bloc_year=world.bloc_year,
                stage=Stage.CROSS,
                cells=cells_for(world.member, crit, {code: value}),
                actor=world.users["secretariat_here"],
            )

        return go

    threads = [
        threading.Thread(target=_run, args=(writer("1.1", "7"), results, "a")),
        threading.Thread(target=_run, args=(writer("2.1", "17"), results, "b")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(isinstance(r, Exception) for r in results.values()), results
    assert dict(ScoreValue.objects.values_list("criterion__code", "value")) == {
        "1.1": D("7"),
        "2.1": D("17"),
    }
