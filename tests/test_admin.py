"""Administrators set up blocs in the Django admin; bad input gets a Vietnamese error and
nothing is saved."""

from django.urls import reverse

from blocs.models import BlocYear, Membership


def _bloc_year_post(world, rows, year=2023):
    data = {
        "bloc": world.bloc.pk,
        "year": year,
        "status": "setup",
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": 0,
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    for i, (unit, role) in enumerate(rows):
        data[f"memberships-{i}-unit"] = unit.pk
        data[f"memberships-{i}-role"] = role
    return data


def test_admin_creates_bloc_year_with_members(client, world):
    client.force_login(world.users["admin"])
    rows = [(world.head, "head"), (world.deputy, "deputy"), (world.member, "member")]
    response = client.post(reverse("admin:blocs_blocyear_add"), _bloc_year_post(world, rows))
    assert response.status_code == 302, response.content.decode()[:2000]
    by = BlocYear.objects.get(bloc=world.bloc, year=2023)
    assert by.memberships.count() == 3


def test_admin_refuses_two_heads_and_saves_nothing(client, world):
    client.force_login(world.users["admin"])
    rows = [(world.head, "head"), (world.deputy, "head")]
    response = client.post(reverse("admin:blocs_blocyear_add"), _bloc_year_post(world, rows))
    assert response.status_code == 200
    assert "Mỗi năm chỉ có một đơn vị Trưởng khối." in response.content.decode()
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2023).exists()


def test_admin_refuses_duplicate_year_in_vietnamese(client, world):
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("admin:blocs_blocyear_add"),
        _bloc_year_post(world, [(world.head, "member")], year=2020),
    )
    assert response.status_code == 200
    assert "đã tồn tại" in response.content.decode()
    assert BlocYear.objects.filter(bloc=world.bloc, year=2020).count() == 1
    assert Membership.objects.filter(bloc_year__year=2020, bloc_year__bloc=world.bloc).count() == 3


def test_admin_refuses_unit_of_other_province(client, world):
    client.force_login(world.users["admin"])
    far_unit = world.far_bloc_year.members.get()
    response = client.post(
        reverse("admin:blocs_blocyear_add"),
        _bloc_year_post(world, [(world.head, "head"), (far_unit, "member")]),
    )
    assert response.status_code == 200
    assert "cùng tỉnh" in response.content.decode()
    assert not BlocYear.objects.filter(bloc=world.bloc, year=2023).exists()


def test_admin_pages_are_vietnamese(client, world):
    client.force_login(world.users["admin"])
    body = client.get(reverse("admin:index")).content.decode()
    assert "Quản trị Khối thi đua" in body
    assert "Năm thi đua của khối" in body or "năm thi đua của khối" in body.lower()


def test_admin_offers_no_status_field_on_a_bloc_year(client, world):
    """The year's status moves only through blocs.cycle: the admin shows it, never as a
    field it would silently drop."""
    client.force_login(world.users["admin"])
    for url in (
        reverse("admin:blocs_blocyear_add"),
        reverse("admin:blocs_blocyear_change", args=[world.bloc_year.pk]),
    ):
        html = client.get(url).content.decode()
        assert 'name="status"' not in html, url
    posted = _bloc_year_post(world, [(world.head, "head"), (world.deputy, "deputy")])
    posted["status"] = "closed"
    client.post(reverse("admin:blocs_blocyear_add"), posted)
    assert BlocYear.objects.get(bloc=world.bloc, year=2023).status == BlocYear.Status.SETUP
