"""The grid's read model (scoring/grid.py) keeps no cache: a save, an admin or ORM write
shows on the next load; nothing else moves."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blocs.models import Unit
from scoring import services
from scoring.models import CriteriaTable, Criterion, ScoreSheet, ScoringYear, Stage

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


def _data(html):
    return json.loads(
        html.split('id="grid-data" type="application/json">')[1].split("</script>")[0]
    )


def test_admin_and_orm_writes_show_on_the_next_load(world, table, crit):
    """Writes that bypass the services (the admin, a shell) need no revision bump."""
    save(world.bloc_year, Stage.CROSS, world.users["admin"], world.member, crit, {"1.1": "3"})
    client = _client(world)
    _grid(client, world.bloc_year)
    Unit.objects.filter(pk=world.deputy.pk).update(name="Sở <đổi tên> & co")
    CriteriaTable.objects.filter(pk=table.pk).update(bonus_cap=Decimal("7"))
    Criterion.objects.filter(pk=crit["1.1"].pk).update(max_points=Decimal("2"))
    html, rows = _grid(client, world.bloc_year)
    assert rows[world.deputy.pk]["name"] == "Sở <đổi tên> & co" and "<đổi tên>" not in html
    data = _data(html)
    assert data["bonusCap"] == "7.00" and data["criteria"][0]["max"] == "2.00"
    assert rows[world.member.pk]["totals"]["regular"] == "2"  # capped at the new maximum
    ScoreSheet.objects.filter(bloc_year=world.bloc_year, unit=world.member).update(
        cross_submitted_at=timezone.now()
    )
    _, rows = _grid(client, world.bloc_year)
    assert rows[world.member.pk]["submitted"] and not rows[world.member.pk]["editable"]


def test_the_copy_form_and_the_grid_carry_the_csrf_token(world, table, crit):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["board_here"])
    html = client.get(reverse("scoring:grid", args=[world.bloc_year.pk, "verified"])).content
    html = html.decode()
    form = html.split('id="copy-cross-form">')[1].split("</form>")[0]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    root = html.split('id="score-grid-root"')[1].split(">")[0]
    assert 'data-csrf="' in root and len(root.split('data-csrf="')[1].split('"')[0]) == 64
    response = client.post(
        reverse("scoring:copy_to_verified", args=[world.bloc_year.pk]),
        {"csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_locking_and_renaming_change_the_body(world, table, crit):
    client, reader = _client(world), _client(world, "board_here")  # reader: no edit anyway
    html, _ = _grid(client, world.bloc_year)
    assert 'id="locked-note"' not in html and _data(html)["locked"] is False
    html, _ = _grid(reader, world.bloc_year)
    assert 'id="locked-note"' not in html and 'id="readonly-note"' in html
    ScoringYear.objects.update_or_create(
        bloc_year=world.bloc_year, defaults={"locked_at": timezone.now()}
    )
    html, rows = _grid(client, world.bloc_year)
    assert 'id="locked-note"' in html and _data(html)["locked"] is True
    assert not any(r["editable"] for r in rows.values())
    html, _ = _grid(reader, world.bloc_year)
    assert 'id="locked-note"' in html and 'id="readonly-note"' not in html
    table.name = "Bảng đã đổi tên"
    table.save()
    assert reverse("scoring:table_detail", args=[table.pk]) in _grid(client, world.bloc_year)[0]


def test_no_table_page(world):
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
    assert services.criteria_table_for_bloc_year(bloc_year=world.bloc_year) == own
    html, data = head()
    assert reverse("scoring:table_detail", args=[own.pk]) in html
    assert data["criteria"] == [] and (data["bonusCap"], data["penaltyCap"]) == ("1.50", "0.00")
    assert all(r["cells"] == [] for r in data["rows"]) and data["rows"]
