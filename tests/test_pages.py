import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services
from blocs.models import Membership
from documents.models import DocumentJob
from meetings.models import Meeting


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n: int) -> None:
    """Add n more of everything the pages list: years of the world's bloc, blocs of its
    province, and members, meetings and documents of its 2020 bloc-year."""
    units = [world.head, world.deputy, world.member]
    for i in range(n):
        services.bloc_year_create(bloc=world.bloc, year=2000 + i, members=units, head=units[0])
        extra = services.bloc_create(province=world.province, name=f"Khối bổ sung {i}")
        services.bloc_year_create(bloc=extra, year=2020, members=units[:2], head=units[1])
        unit = services.unit_create(province=world.province, name=f"Đơn vị bổ sung {i}")
        Membership.objects.create(bloc_year=world.bloc_year, unit=unit)
        Meeting.objects.create(
            bloc_year=world.bloc_year,
            kind=Meeting.Kind.OTHER,
            held_on=dt.date(2020, 3, 1 + i),
            host_unit=unit,
        )
        DocumentJob.objects.create(
            kind="roster", bloc_year=world.bloc_year, requested_by=world.users["admin"]
        )


@pytest.mark.parametrize(
    ("name", "kwargs", "role"),
    [
        ("blocs:bloc_detail", lambda w: {"bloc_id": w.bloc.pk}, "board_here"),
        ("blocs:province_detail", lambda w: {"province_id": w.province.pk}, "board_here"),
        ("blocs:bloc_year_detail", lambda w: {"bloc_year_id": w.bloc_year.pk}, "leader_member"),
        ("core:dashboard", lambda w: {}, "board_here"),
    ],
)
def test_list_pages_use_a_constant_number_of_queries(client, world, name, kwargs, role):
    client.force_login(world.users[role])
    url = reverse(name, kwargs=kwargs(world))
    small = _count_queries(client, url)
    _grow(world, 6)
    large = _count_queries(client, url)
    assert large == small, f"{name}: {small} queries at small size, {large} at large size"


def test_bloc_page_shows_members_and_leadership_by_year(client, world):
    services.bloc_year_create(
        bloc=world.bloc, year=2019, members=[world.head, world.member], head=world.member
    )
    client.force_login(world.users["staff_member"])
    body = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk])).content.decode()
    y2020, y2019 = body.index('id="year-2020"'), body.index('id="year-2019"')
    assert y2020 < y2019  # newest first
    part2020, part2019 = body[y2020:y2019], body[y2019:]
    assert "Trưởng khối:</span> Ban Quản lý Khu kinh tế" in part2020
    assert "Phó khối:</span> Sở Giao thông vận tải" in part2020
    assert "3 đơn vị thành viên" in part2020
    assert "Trưởng khối:</span> Sở Xây dựng" in part2019
    assert "chưa ghi nhận" in part2019  # no deputy recorded for 2019
    assert "2 đơn vị thành viên" in part2019


def test_unit_page_shows_blocs_and_rename_history(client, world):
    new = services.unit_create(province=world.province, name="Sở Xây dựng (hợp nhất)")
    services.unit_succeed(unit=world.deputy, successor=new, on=dt.date(2025, 3, 1))
    client.force_login(world.users["board_here"])
    body = client.get(reverse("blocs:unit_detail", args=[new.pk])).content.decode()
    assert "Trước đây" in body and "Sở Giao thông vận tải" in body
    # The old unit's 2020 membership is part of the new unit's history, under its old name.
    assert "Khối thi đua các ngành Kinh tế - Kỹ thuật" in body
    body = client.get(reverse("blocs:unit_detail", args=[world.deputy.pk])).content.decode()
    assert "Nay là" in body and "Sở Xây dựng (hợp nhất)" in body


def test_bloc_year_page_offers_roster_only_to_managers(client, world):
    url = reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])
    client.force_login(world.users["secretariat_here"])
    assert 'id="request-roster"' in client.get(url).content.decode()
    client.force_login(world.users["leader_member"])
    body = client.get(url).content.decode()
    assert 'id="request-roster"' not in body
    assert "Ban Quản lý Khu kinh tế" in body


def test_pages_are_vietnamese_by_default_and_english_on_request(client, world):
    client.force_login(world.users["board_here"])
    url = reverse("blocs:province_detail", args=[world.province.pk])
    body = client.get(url).content.decode()
    assert '<html lang="vi">' in body and "Các khối thi đua" in body
    client.post(reverse("set_language"), {"language": "en", "next": url})
    body = client.get(url).content.decode()
    assert '<html lang="en">' in body


def test_english_browser_still_gets_vietnamese_until_the_user_switches(client, world):
    client.force_login(world.users["board_here"])
    url = reverse("core:dashboard")
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in body and "Trang chính" in body
    client.post(reverse("set_language"), {"language": "en", "next": url})
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in body and "Home" in body
