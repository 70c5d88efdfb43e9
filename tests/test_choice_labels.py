"""Look-alike records: two provinces both have a "Sở Công Thương" and a "Khối thi đua Kinh
tế ngành". Every picker, in the product and in the admin, names the province (and the year
where it applies), and the admin's searches find by province."""

import datetime as dt
import html
import json
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services
from blocs.forms import InviteForm, NewYearForm
from blocs.models import RoleAssignment, Unit
from meetings.models import Meeting

UNIT, BLOC = "Sở Công Thương", "Khối thi đua Kinh tế ngành"


@dataclass
class Twins:
    units: dict  # province name -> Unit
    blocs: dict
    years: dict


@pytest.fixture
def twins(world) -> Twins:
    here, far = world.province, world.other_province
    units = {
        here.name: services.unit_create(province=here, name=UNIT),
        far.name: Unit.objects.get(province=far, name=UNIT),  # already in the world
    }
    blocs = {p.name: services.bloc_create(province=p, name=BLOC) for p in (here, far)}
    years = {
        name: services.bloc_year_create(bloc=bloc, year=2020, members=[units[name]])
        for name, bloc in blocs.items()
    }
    return Twins(units=units, blocs=blocs, years=years)


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.users["admin"])
    return client


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no select {name}"
    return [
        html.unescape(label).strip()
        for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))
    ]


def test_labels_name_the_province_and_the_year(twins):
    assert {str(u) for u in twins.units.values()} == {
        "Sở Công Thương (Quảng Bình)",
        "Sở Công Thương (Đắk Lắk)",
    }
    assert {str(b) for b in twins.blocs.values()} == {
        "Khối thi đua Kinh tế ngành (Quảng Bình)",
        "Khối thi đua Kinh tế ngành (Đắk Lắk)",
    }
    assert {str(y) for y in twins.years.values()} == {
        "Khối thi đua Kinh tế ngành (Quảng Bình) – 2020",
        "Khối thi đua Kinh tế ngành (Đắk Lắk) – 2020",
    }
    meetings = [
        Meeting.objects.create(
            bloc_year=y, kind=Meeting.Kind.YEAR_END, held_on=dt.date(2020, 12, 11)
        )
        for y in twins.years.values()
    ]
    assert len({str(m) for m in meetings}) == 2
    assert all(str(m).startswith("Hội nghị tổng kết năm 11/12/2020 – Khối") for m in meetings)


# --- the product ---------------------------------------------------------------------------


def test_a_product_unit_picker_names_the_province(world, twins):
    client = Client()
    client.force_login(world.users["admin"])
    for province, unit in [(world.province, "Quảng Bình"), (world.other_province, "Đắk Lắk")]:
        page = client.get(reverse("blocs:user_invite", args=[province.pk])).content.decode()
        assert f"Sở Công Thương ({unit})" in _options(page, "unit")


def test_product_unit_pickers_are_distinct_across_provinces_in_one_query(twins):
    units = Unit.objects.filter(name=UNIT)
    invite = InviteForm(units=units)
    with CaptureQueriesContext(connection) as queries:
        labels = [label for value, label in invite.fields["unit"].choices if value]
    assert sorted(labels) == ["Sở Công Thương (Quảng Bình)", "Sở Công Thương (Đắk Lắk)"]
    assert len(queries) == 1  # the province comes with the units
    checkboxes = str(NewYearForm(units=units)["members"])
    assert "Sở Công Thương (Quảng Bình)" in checkboxes and "Sở Công Thương (Đắk Lắk)" in checkboxes


# --- the admin -----------------------------------------------------------------------------


def test_admin_selects_of_blocs_and_bloc_years_name_the_province(twins, admin_client_):
    page = admin_client_.get(reverse("admin:blocs_blocyear_add")).content.decode()
    assert {
        "Khối thi đua Kinh tế ngành (Quảng Bình)",
        "Khối thi đua Kinh tế ngành (Đắk Lắk)",
    } <= set(_options(page, "bloc"))

    for url in [reverse("admin:blocs_roleassignment_add"), reverse("admin:meetings_meeting_add")]:
        labels = _options(admin_client_.get(url).content.decode(), "bloc_year")
        assert "Khối thi đua Kinh tế ngành (Quảng Bình) – 2020" in labels
        assert "Khối thi đua Kinh tế ngành (Đắk Lắk) – 2020" in labels
        assert len(labels) == len(set(labels)), labels


def test_admin_unit_autocomplete_names_and_searches_the_province(twins, admin_client_):
    def texts(model: str, field: str, term: str) -> list[str]:
        app = "meetings" if model == "meeting" else "blocs"
        response = admin_client_.get(
            reverse("admin:autocomplete"),
            {"app_label": app, "model_name": model, "field_name": field, "term": term},
        )
        assert response.status_code == 200
        return sorted(r["text"] for r in json.loads(response.content)["results"])

    both = ["Sở Công Thương (Quảng Bình)", "Sở Công Thương (Đắk Lắk)"]
    assert texts("roleassignment", "unit", "Công Thương") == both
    assert texts("membership", "unit", "Công Thương") == both
    assert texts("meeting", "host_unit", "Công Thương") == both
    # The province is searched too: name and province words in any order.
    assert texts("roleassignment", "unit", "Thương Đắk") == ["Sở Công Thương (Đắk Lắk)"]
    assert texts("unit", "successor", "Quảng Bình Công Thương") == ["Sở Công Thương (Quảng Bình)"]


def test_admin_lists_search_by_province(world, twins, admin_client_):
    def rows(url: str, term: str) -> int:
        return admin_client_.get(url, {"q": term}).context["cl"].result_count

    assert rows(reverse("admin:blocs_bloc_changelist"), '"Kinh tế ngành"') == 2
    assert rows(reverse("admin:blocs_bloc_changelist"), '"Kinh tế ngành" Đắk') == 1
    assert rows(reverse("admin:blocs_blocyear_changelist"), '"Kinh tế ngành" Quảng 2020') == 1
    services.role_assign(
        user=world.users["norole"],
        role=RoleAssignment.Role.SECRETARIAT,
        bloc_year=twins.years["Đắk Lắk"],
    )
    assert rows(reverse("admin:blocs_roleassignment_changelist"), "no.role Đắk") == 1
    assert rows(reverse("admin:blocs_roleassignment_changelist"), "no.role Quảng") == 0
    assignment = RoleAssignment.objects.get(user=world.users["norole"])
    assert str(assignment).endswith("Khối thi đua Kinh tế ngành (Đắk Lắk) – 2020")


def test_admin_pickers_do_not_query_once_per_choice(world, twins, admin_client_):
    url = reverse("admin:blocs_roleassignment_add")
    with CaptureQueriesContext(connection) as before:
        admin_client_.get(url)
    for n in range(6):
        bloc = services.bloc_create(province=world.other_province, name=f"{BLOC} {n}")
        services.bloc_year_create(bloc=bloc, year=2020, members=[twins.units["Đắk Lắk"]])
    with CaptureQueriesContext(connection) as after:
        labels = _options(admin_client_.get(url).content.decode(), "bloc_year")
    assert "Khối thi đua Kinh tế ngành 5 (Đắk Lắk) – 2020" in labels
    assert len(after) == len(before)
