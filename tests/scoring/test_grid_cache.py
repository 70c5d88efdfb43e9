"""The grid's caches: rows reused by their data after a save, and the page body rendered
once around the grid's JSON. A save must show on the next load; nothing else may move."""

import json
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from scoring import selectors, services, views
from scoring.models import CriteriaTable, ScoringYear, Stage

from .conftest import FULL, TABLE_SPEC, save

pytestmark = pytest.mark.django_db


def _client(world, role="secretariat_here"):
    client = Client()
    client.force_login(world.users[role])
    return client


def _grid(client, bloc_year, stage="cross"):
    html = client.get(reverse("scoring:grid", args=[bloc_year.pk, stage])).content.decode()
    data = json.loads(
        html.split('id="grid-data" type="application/json">')[1].split("</script>")[0]
    )
    return html, {r["unit"]: r for r in data["rows"]}


def test_a_save_in_one_row_shows_on_the_next_load_and_other_rows_stay(world, table, crit):
    admin = world.users["admin"]
    for unit in (world.head, world.deputy, world.member):
        save(world.bloc_year, Stage.CROSS, admin, unit, crit, FULL)
    client = _client(world)
    _, before = _grid(client, world.bloc_year)
    save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "7,5"}, {"1.1": 1})
    _, after = _grid(client, world.bloc_year)
    changed = after.pop(world.member.pk)
    old = before.pop(world.member.pk)
    assert changed["cells"][0] == ["7,5", 2, 0] and old["cells"][0] == ["10", 1, 0]
    assert changed["cells"][1:] == old["cells"][1:]
    assert changed["totals"]["regular"] == "45" and old["totals"]["regular"] == "47,5"
    assert after == before
    # The same again, built from nothing, gives the same rows.
    selectors.grid_cache_clear()
    _, fresh = _grid(client, world.bloc_year)
    assert fresh.pop(world.member.pk) == changed and fresh == after


def test_rows_are_reused_only_while_their_data_are_the_same(world, table, crit):
    admin = world.users["admin"]
    save(world.bloc_year, Stage.CROSS, admin, world.head, crit, FULL)
    save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "3"})
    bloc_year = selectors._grid_bloc_year_fetch(world.bloc_year.pk)
    first = {u: j for u, _, j in selectors._grid_shared(bloc_year=bloc_year, stage="cross")["rows"]}
    save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.2": "4"})
    world.deputy.name = "Sở <đổi tên> & co"
    world.deputy.save()
    second = {
        u: j for u, _, j in selectors._grid_shared(bloc_year=bloc_year, stage="cross")["rows"]
    }
    assert second[world.head.pk] is first[world.head.pk]  # unchanged: reused
    assert second[world.member.pk] != first[world.member.pk]  # a new value
    assert json.loads(second[world.member.pk])["cells"][:2] == [["3", 1, 0], ["4", 1, 0]]
    assert second[world.deputy.pk] != first[world.deputy.pk]  # a new name, escaped
    assert "\\u003Cđổi tên\\u003E \\u0026 co" in second[world.deputy.pk]
    # Another table (other caps) never shares rows with this one.
    table.bonus_cap = table.bonus_cap + 1
    table.save()
    third = {u: j for u, _, j in selectors._grid_shared(bloc_year=bloc_year, stage="cross")["rows"]}
    assert third[world.head.pk] is not second[world.head.pk]
    assert third[world.head.pk] == second[world.head.pk]


def test_the_body_around_the_json_is_the_full_render(world, table, crit):
    save(world.bloc_year, Stage.CROSS, world.users["admin"], world.member, crit, {"1.1": "8,5"})
    for role, stage in (
        ("secretariat_here", "cross"),
        ("board_here", "cross"),
        ("board_here", "verified"),
    ):
        client = _client(world, role)
        response = client.get(reverse("scoring:grid", args=[world.bloc_year.pk, stage]))
        assert response.status_code == 200
        context = {
            k: response.context[k]
            for k in (
                "bloc_year",
                "stage",
                "stage_label",
                "can_verify",
                "table",
                "locked",
                "grid_json",
                "any_editable",
            )
        }
        full = render_to_string(
            "scoring/_grid_body.html",
            {
                **context,
                "grid_json": context["grid_json"](),
                "stages": [(s, Stage(s).label) for s in selectors.STAGES],
                "grid_messages": views.grid_messages(),
            },
        )
        assert full in response.content.decode()
        assert views._GRID_JSON_SLOT not in response.content.decode()


def test_locking_and_renaming_change_the_body(world, table, crit):
    client, reader = _client(world), _client(world, "board_here")  # reader: no edit anyway
    html, _ = _grid(client, world.bloc_year)
    assert 'id="locked-note"' not in html and '"locked":false' in html
    html, _ = _grid(reader, world.bloc_year)
    assert 'id="locked-note"' not in html and 'id="readonly-note"' in html
    services.scoring_revision_bump(bloc_year_ids=[world.bloc_year.pk])  # the state exists
    ScoringYear.objects.filter(bloc_year=world.bloc_year).update(locked_at=timezone.now())
    services.scoring_revision_bump(bloc_year_ids=[world.bloc_year.pk])
    html, rows = _grid(client, world.bloc_year)
    assert 'id="locked-note"' in html and '"locked":true' in html
    assert not any(r["editable"] for r in rows.values())
    html, _ = _grid(reader, world.bloc_year)
    assert 'id="locked-note"' in html and 'id="readonly-note"' not in html
    table.name = "Bảng đã đổi tên"
    table.save()
    services.scoring_revision_bump(bloc_year_ids=[world.bloc_year.pk])
    assert reverse("scoring:table_detail", args=[table.pk]) in _grid(client, world.bloc_year)[0]


def test_no_table_page_is_cached_and_fresh(world):
    client = _client(world)
    for _ in range(2):
        response = client.get(reverse("scoring:grid", args=[world.bloc_year.pk, "cross"]))
        assert response.status_code == 200
        assert 'id="grid-data"' not in response.content.decode()


def test_the_grid_uses_the_own_table_else_the_shared_one(world):
    client = _client(world)
    url = reverse("scoring:grid", args=[world.bloc_year.pk, "cross"])

    def head():
        html = client.get(url).content.decode()
        data = json.loads(
            html.split('id="grid-data" type="application/json">')[1].split("</script>")[0]
        )
        return html, data

    shared = services.criteria_table_create(
        province=world.province,
        year=world.bloc_year.year,
        bloc_year=None,
        name="Bảng dùng chung",
        groups=TABLE_SPEC,
        bonus_cap=Decimal("5"),
        penalty_cap=Decimal("4"),
    )
    assert services.criteria_table_for_bloc_year(bloc_year=world.bloc_year) == shared
    html, data = head()
    assert reverse("scoring:table_detail", args=[shared.pk]) in html
    assert [c["code"] for c in data["criteria"]] == [
        c.code for c in shared.criteria.order_by("position", "id")
    ]
    assert (data["bonusCap"], data["penaltyCap"], data["criteria"][0]["max"]) == (
        "5.00",
        "4.00",
        str(shared.criteria.order_by("position", "id")[0].max_points),
    )
    own = CriteriaTable.objects.create(
        province=world.province,
        year=world.bloc_year.year,
        bloc_year=world.bloc_year,
        name="Bảng riêng, chưa có tiêu chí",
        bonus_cap=Decimal("1.5"),
    )
    services.scoring_revision_bump(bloc_year_ids=[world.bloc_year.pk])
    assert services.criteria_table_for_bloc_year(bloc_year=world.bloc_year) == own
    html, data = head()
    assert reverse("scoring:table_detail", args=[own.pk]) in html
    assert data["criteria"] == [] and (data["bonusCap"], data["penaltyCap"]) == ("1.50", "0.00")
    assert all(r["cells"] == [] for r in data["rows"]) and data["rows"]
