"""The dashboard: each role sees its own section and nothing of the others; the board's
page costs a constant number of queries however many blocs the province has."""

from django.test import Client
from django.urls import reverse

from blocs import services
from documents.models import DocumentJob

DASHBOARD = reverse("core:dashboard")
NO_ROLE = "Tài khoản của bạn chưa được phân quyền"
SECTIONS = ("admin-section", "secretariat-section", "board-section", "unit-section")


def _page(world, role: str) -> str:
    client = Client()
    client.force_login(world.users[role])
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    return response.content.decode()


def _sections(html: str) -> set[str]:
    return {s for s in SECTIONS if f'id="{s}"' in html}


def test_anonymous_is_redirected_to_login(client, world):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={DASHBOARD}"


def test_secretariat_sees_its_bloc_year(world):
    html = _page(world, "secretariat_here")
    assert _sections(html) == {"secretariat-section"}
    assert f"{world.bloc.name} – năm 2020" in html
    assert reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]) in html
    assert world.head.name in html  # head and deputy are shown
    assert world.deputy.name in html
    # Head and deputy recorded, no document open: nothing pending.
    assert "Không có việc tồn đọng." in html
    assert world.other_bloc.name not in html
    assert world.far_bloc.name not in html
    assert NO_ROLE not in html


def test_secretariat_sees_pending_items(world):
    """other_bloc_year has no head or deputy; add one failed and one running document."""
    failed = DocumentJob.objects.create(
        kind="roster", bloc_year=world.other_bloc_year, status=DocumentJob.Status.FAILED
    )
    running = DocumentJob.objects.create(
        kind="roster", bloc_year=world.other_bloc_year, status=DocumentJob.Status.RUNNING
    )
    # A job of another bloc-year must not show up here.
    DocumentJob.objects.create(
        kind="roster", bloc_year=world.bloc_year, status=DocumentJob.Status.FAILED
    )
    html = _page(world, "secretariat_other")
    assert _sections(html) == {"secretariat-section"}
    assert f"{world.other_bloc.name} – năm 2020" in html
    assert "Việc cần làm" in html
    assert "Chưa ghi nhận đơn vị Trưởng khối." in html
    assert "Chưa ghi nhận đơn vị Phó khối." in html
    assert f"Văn bản #{failed.pk} bị lỗi, cần tạo lại." in html
    assert f"Văn bản #{running.pk} đang được tạo." in html
    assert html.count("Văn bản #") == 2
    assert world.bloc.name not in html


def test_leader_sees_its_units_blocs(world):
    html = _page(world, "leader_member")
    assert _sections(html) == {"unit-section"}
    assert world.head.name in html
    assert f"{world.bloc.name} – 2020" in html
    assert "(Trưởng khối)" in html
    assert world.other_bloc.name not in html
    assert world.far_bloc.name not in html


def test_staff_sees_its_units_blocs(world):
    html = _page(world, "staff_member")
    assert _sections(html) == {"unit-section"}
    assert world.member.name in html
    assert f"{world.bloc.name} – 2020" in html
    assert "(Thành viên)" in html


def test_board_sees_its_provinces_blocs(world):
    html = _page(world, "board_here")
    assert _sections(html) == {"board-section"}
    assert world.province.name in html
    assert world.bloc.name in html
    assert world.other_bloc.name in html
    assert world.far_bloc.name not in html
    assert world.other_province.name not in html


def test_board_of_other_province_sees_only_its_blocs(world):
    html = _page(world, "board_other")
    assert _sections(html) == {"board-section"}
    assert world.far_bloc.name in html
    assert world.bloc.name not in html
    assert world.other_bloc.name not in html


def test_admin_sees_every_province(world):
    html = _page(world, "admin")
    assert "admin-section" in _sections(html)
    assert world.province.name in html
    assert world.other_province.name in html
    assert NO_ROLE not in html


def test_user_without_role_sees_warning(world):
    html = _page(world, "norole")
    assert NO_ROLE in html
    assert _sections(html) == set()
    assert world.bloc.name not in html


def test_user_with_role_sees_no_warning(world):
    for role in ("board_here", "secretariat_here", "leader_member", "staff_member"):
        assert NO_ROLE not in _page(world, role), role


# --- Query count ------------------------------------------------------------------------------

# Session, user, role assignments, provinces, blocs, years, memberships: 7 today.
QUERY_CAP = 8


def _add_blocs(world, count: int, start: int) -> None:
    """More blocs in the board's province, each with two years and three members."""
    for i in range(start, start + count):
        bloc = services.bloc_create(province=world.province, name=f"Khối thi đua thử {i}")
        units = [
            services.unit_create(province=world.province, name=f"Đơn vị thử {i}-{j}")
            for j in range(3)
        ]
        for year in (2020, 2021):
            services.bloc_year_create(
                bloc=bloc, year=year, members=units, head=units[0], deputy=units[1]
            )


def _board_queries(world, django_assert_max_num_queries) -> tuple[int, str]:
    client = Client()
    client.force_login(world.users["board_here"])
    with django_assert_max_num_queries(QUERY_CAP) as captured:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_board_dashboard_queries_do_not_grow_with_blocs(world, django_assert_max_num_queries):
    small, html = _board_queries(world, django_assert_max_num_queries)
    assert html.count("Khối thi đua thử") == 0
    _add_blocs(world, 5, start=1)
    large, html = _board_queries(world, django_assert_max_num_queries)
    assert html.count("Khối thi đua thử") == 5
    assert large == small, f"{small} queries with 2 blocs, {large} with 7"
    _add_blocs(world, 5, start=6)
    larger, html = _board_queries(world, django_assert_max_num_queries)
    assert html.count("Khối thi đua thử") == 10
    assert larger == small, f"{small} queries with 2 blocs, {larger} with 12"
