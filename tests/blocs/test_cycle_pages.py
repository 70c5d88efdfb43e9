"""The step bar where the year is read: the bloc-year page, the secretariat's dashboard and
the board's page of every bloc-year of the province; its buttons; constant query counts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from blocs import services
from blocs.models import BlocYear, RoleAssignment
from core.models import AuditEvent

from .conftest import make_table, open_pledge

S = BlocYear.Status


def client_for(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_bloc_year_page_shows_where_the_year_stands_and_what_blocks_it(world):
    services.bloc_year_set_leadership(
        bloc_year=world.bloc_year, head=world.head, deputy=None, actor=None
    )
    page = (
        client_for(world, "secretariat_here")
        .get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]))
        .content.decode()
    )
    assert 'aria-current="step"' in page and 'data-status="setup"' in page
    assert "Bước tiếp theo" in page and "Ký kết giao ước" in page
    assert "Chưa thể chuyển sang ký kết giao ước: chưa có đơn vị Phó khối." in page
    assert 'id="cycle-act"' not in page  # blocked: no button


def test_the_button_that_takes_the_step(world, leaders):
    open_pledge(world)
    client = client_for(world, "secretariat_here")
    url = reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])
    page = client.get(url).content.decode()
    assert "còn 3 đơn vị chưa ký giao ước" in page
    assert 'id="cycle-close-signing"' in page and 'id="cycle-advance"' not in page
    advance = reverse("blocs:bloc_year_advance", args=[world.bloc_year.pk])
    response = client.post(advance, {"to": "in_progress", "close_signing": "1"})
    assert response.status_code == 302
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.IN_PROGRESS
    page = client.get(url).content.decode()
    assert "Chưa thể chuyển sang chấm điểm: chưa có bảng chấm điểm của năm." in page
    make_table(world)
    page = client.get(url).content.decode()
    assert 'id="cycle-advance"' in page
    client.post(advance, {"to": "scoring"})
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.SCORING
    # The board reads the bar but the step scoring → in progress is not theirs.
    page = client_for(world, "board_here").get(url).content.decode()
    assert 'id="cycle-step-back"' not in page


def test_a_refused_step_says_why_and_changes_nothing(world):
    client = client_for(world, "admin")
    response = client.post(
        reverse("blocs:bloc_year_advance", args=[world.bloc_year.pk]),
        {"to": "pledging"},
        follow=True,
    )
    assert "Chưa thể chuyển sang ký kết giao ước: giao ước chưa được soạn." in (
        response.content.decode()
    )
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.SETUP


def test_a_leader_cannot_take_a_step(world, leaders):
    open_pledge(world)
    response = client_for(world, "leader_member").post(
        reverse("blocs:bloc_year_advance", args=[world.bloc_year.pk]),
        {"to": "in_progress", "close_signing": "1"},
    )
    assert response.status_code == 403
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.PLEDGING


@pytest.mark.parametrize("reason", ["", "ngắn", "x" * 2001])
def test_step_back_form_bad_input(world, leaders, reason):
    open_pledge(world)
    response = client_for(world, "secretariat_here").post(
        reverse("blocs:bloc_year_step_back", args=[world.bloc_year.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_reason" in html and ("lý do" in html.lower())
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.PLEDGING
    assert not AuditEvent.objects.filter(action="bloc_year_step_back").exists()


def test_step_back_form(world, leaders):
    open_pledge(world)
    response = client_for(world, "secretariat_here").post(
        reverse("blocs:bloc_year_step_back", args=[world.bloc_year.pk]),
        {"reason": "Cần bổ sung Sở Văn hóa và Thể thao"},
    )
    assert response.status_code == 302
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == S.SETUP


# --- query counts ------------------------------------------------------------------------------


def _add_blocs(world, count: int, start: int, secretariat=None) -> None:
    for i in range(start, start + count):
        bloc = services.bloc_create(province=world.province, name=f"Khối thi đua thử {i}")
        units = [
            services.unit_create(province=world.province, name=f"Đơn vị thử {i}-{j}")
            for j in range(3)
        ]
        by = services.bloc_year_create(
            bloc=bloc, year=2021, members=units, head=units[0], deputy=units[1]
        )
        if secretariat is not None:
            services.role_assign(
                user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=by
            )


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_board_page_of_every_bloc_year_constant_queries(world):
    client = client_for(world, "board_here")
    url = reverse("blocs:province_cycle", args=[world.province.pk])
    _add_blocs(world, 5, start=1)
    five, html = _queries(client, url)
    assert html.count('class="step-bar step-bar-compact"') == 7  # 5 + the world's two
    _add_blocs(world, 35, start=6)
    forty, html = _queries(client, url)
    assert html.count('class="step-bar step-bar-compact"') == 42
    print(f"province_cycle: {five} queries at 5 blocs, {forty} at 40")
    assert forty == five
    # The year's facts read the ballots, the proposals (2) and the reports: one query each.
    assert five <= 15


def test_secretariat_dashboard_step_bars_constant_queries(world):
    secretariat = world.users["secretariat_here"]
    client = client_for(world, "secretariat_here")
    _add_blocs(world, 5, start=1, secretariat=secretariat)
    secretariat.__dict__.pop("_kt_scopes", None)
    five, html = _queries(client, reverse("core:dashboard"))
    assert html.count('class="step-bar"') == 6
    _add_blocs(world, 35, start=6, secretariat=secretariat)
    forty, html = _queries(client, reverse("core:dashboard"))
    assert html.count('class="step-bar"') == 41
    print(f"dashboard (secretariat): {five} queries at 5 bloc-years, {forty} at 40")
    assert forty == five


def test_bloc_year_page_constant_queries_whatever_the_number_of_blocs(world):
    client = client_for(world, "secretariat_here")
    url = reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])
    _add_blocs(world, 5, start=1)
    five, _html = _queries(client, url)
    _add_blocs(world, 35, start=6)
    forty, _html = _queries(client, url)
    print(f"bloc_year_detail: {five} queries at 5 blocs, {forty} at 40")
    assert forty == five
