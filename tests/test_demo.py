"""`manage.py load_demo`: the five blocs of the news reports in shared/seeds/, recorded as
they describe them, plus working demo accounts. DEBUG only; idempotent."""

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from blocs.demo import DEMO_PASSWORD
from blocs.models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit
from meetings.models import Meeting

from .conftest import log_in

pytestmark = pytest.mark.django_db

QB_BLOC = "Khối thi đua các ngành Kinh tế - Kỹ thuật"
UNNAMED_BLOC = "Khối thi đua Kinh tế ngành"
BN_BLOC = "Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật"
BK_BLOC = "Khối thi đua Kinh tế - Kỹ thuật"
DL_BLOC = "Khối Thi đua số 5"
ACCOUNTS = ["admin", "ban.tdkt", "thuky", "lanhdao"]
COUNTED = [Province, Bloc, Unit, BlocYear, Membership, RoleAssignment, Meeting, get_user_model()]


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(settings) -> str:
    settings.DEBUG = True
    return _load()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _bloc_year(province: str, bloc: str, year: int) -> BlocYear:
    return BlocYear.objects.get(bloc__province__name=province, bloc__name=bloc, year=year)


def _leadership(bloc_year: BlocYear) -> tuple[str | None, str | None]:
    head, deputy = bloc_year.head_unit, bloc_year.deputy_unit
    return (head.name if head else None, deputy.name if deputy else None)


def _meeting(bloc_year: BlocYear, kind: str) -> Meeting:
    return Meeting.objects.select_related("host_unit").get(bloc_year=bloc_year, kind=kind)


# --- DEBUG only -------------------------------------------------------------------------------


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    before = _counts()
    with pytest.raises(CommandError) as exc:
        _load()
    assert "DEBUG" in str(exc.value)
    assert _counts() == before
    assert not Province.objects.exists()
    assert not get_user_model().objects.filter(username__in=ACCOUNTS).exists()


# --- The five blocs of the seeds --------------------------------------------------------------


def test_five_blocs_in_five_provinces(demo):
    blocs = Bloc.objects.select_related("province")
    assert blocs.count() == 5
    assert Province.objects.count() == 5
    assert {b.province.name for b in blocs} == {
        "Quảng Bình",
        "Bắc Ninh",
        "Bắc Kạn",
        "Đắk Lắk",
        "Tỉnh chưa rõ tên (bản tin 001)",
    }
    assert {b.name for b in blocs} == {QB_BLOC, UNNAMED_BLOC, BN_BLOC, BK_BLOC, DL_BLOC}


def test_quang_binh_bloc(demo):
    """seeds/000: 9 members; year-end meeting on 13/01/2020 at Ban Quản lý Khu kinh tế."""
    by = _bloc_year("Quảng Bình", QB_BLOC, 2019)
    members = set(by.members.values_list("name", flat=True))
    assert len(members) == 9
    assert "Cảng vụ Hàng hải Quảng Bình" in members
    assert "Ban Quản lý Khu kinh tế" in members
    meeting = _meeting(by, Meeting.Kind.YEAR_END)
    assert meeting.held_on == dt.date(2020, 1, 13)
    assert meeting.host_unit.name == "Ban Quản lý Khu kinh tế"
    assert meeting.source == "seeds/000"
    # The 2020 bloc-year (pledges signed at that meeting) has the same 9 members.
    assert _bloc_year("Quảng Bình", QB_BLOC, 2020).members.count() == 9


def test_unnamed_province_head_and_deputy_rotation(demo):
    """seeds/001: 2019 head GTVT, deputy Công Thương; for 2020 Công Thương and NN&PTNT."""
    province = "Tỉnh chưa rõ tên (bản tin 001)"
    assert _leadership(_bloc_year(province, UNNAMED_BLOC, 2019)) == (
        "Sở Giao thông Vận tải",
        "Sở Công Thương",
    )
    assert _leadership(_bloc_year(province, UNNAMED_BLOC, 2020)) == (
        "Sở Công Thương",
        "Sở Nông nghiệp và Phát triển nông thôn",
    )
    meeting = _meeting(_bloc_year(province, UNNAMED_BLOC, 2019), Meeting.Kind.YEAR_END)
    assert meeting.held_on == dt.date(2019, 12, 11)


def test_bac_ninh_2020_head(demo):
    """seeds/002: Liên minh Hợp tác xã tỉnh elected head for 2020; meeting at Sở Công Thương."""
    by2020 = _bloc_year("Bắc Ninh", BN_BLOC, 2020)
    assert _leadership(by2020)[0] == "Liên minh Hợp tác xã tỉnh"
    assert by2020.members.count() == 9
    meeting = _meeting(_bloc_year("Bắc Ninh", BN_BLOC, 2019), Meeting.Kind.YEAR_END)
    assert meeting.held_on == dt.date(2019, 12, 2)
    assert meeting.host_unit.name == "Sở Công Thương"


def test_bac_kan_2018_leadership_and_mid_year_meeting(demo):
    """seeds/003: head TN&MT, deputy Công Thương; mid-year review 20/7/2018 at Công Thương."""
    by = _bloc_year("Bắc Kạn", BK_BLOC, 2018)
    assert _leadership(by) == ("Sở Tài nguyên và Môi trường", "Sở Công Thương")
    assert by.members.count() == 9
    meeting = _meeting(by, Meeting.Kind.MID_YEAR)
    assert meeting.held_on == dt.date(2018, 7, 20)
    assert meeting.host_unit.name == "Sở Công Thương"


def test_dak_lak_bloc_number_5(demo):
    """seeds/004: Khối Thi đua số 5, 8 units; year-end 28/01/2021 at GTVT; 2021 head BQL KCN."""
    bloc = Bloc.objects.get(province__name="Đắk Lắk", name=DL_BLOC)
    assert bloc.number == 5
    by2020 = _bloc_year("Đắk Lắk", DL_BLOC, 2020)
    by2021 = _bloc_year("Đắk Lắk", DL_BLOC, 2021)
    assert by2020.members.count() == 8
    assert by2021.members.count() == 8
    assert _leadership(by2021)[0] == "Ban Quản lý các Khu công nghiệp"
    meeting = _meeting(by2020, Meeting.Kind.YEAR_END)
    assert meeting.held_on == dt.date(2021, 1, 28)
    assert meeting.host_unit.name == "Sở Giao thông Vận tải"


def test_dak_lak_2025_reorganisation_keeps_history(demo):
    old = Unit.objects.get(province__name="Đắk Lắk", name="Sở Giao thông Vận tải")
    assert old.successor is not None
    assert old.successor.name == "Sở Xây dựng"
    assert not old.active
    # Past memberships still point at the old unit.
    assert _bloc_year("Đắk Lắk", DL_BLOC, 2020).members.filter(pk=old.pk).exists()


# --- Demo accounts ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ACCOUNTS)
def test_demo_account_logs_in(demo, username):
    client = Client()
    assert log_in(client, username=username, password=DEMO_PASSWORD)
    assert client.get("/").status_code == 200


def test_demo_accounts_have_their_roles(demo):
    users = get_user_model().objects
    admin = users.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert RoleAssignment.objects.filter(user=admin, role=RoleAssignment.Role.ADMIN).exists()

    qb_2020 = _bloc_year("Quảng Bình", QB_BLOC, 2020)
    assert RoleAssignment.objects.filter(
        user__username="thuky", role=RoleAssignment.Role.SECRETARIAT, bloc_year=qb_2020
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="lanhdao",
        role=RoleAssignment.Role.LEADER,
        unit__province__name="Quảng Bình",
        unit__name="Ban Quản lý Khu kinh tế",
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="ban.tdkt",
        role=RoleAssignment.Role.BOARD,
        province__name="Quảng Bình",
    ).exists()
    for username in ("ban.tdkt", "thuky", "lanhdao"):
        user = users.get(username=username)
        assert not user.is_superuser
        assert not user.is_staff


def test_demo_accounts_see_their_dashboards(demo):
    client = Client()
    log_in(client, username="thuky", password=DEMO_PASSWORD)
    html = client.get("/").content.decode()
    assert 'id="secretariat-section"' in html
    assert f"{QB_BLOC} – năm 2020" in html

    log_in(client, username="ban.tdkt", password=DEMO_PASSWORD)
    html = client.get("/").content.decode()
    assert 'id="board-section"' in html
    assert QB_BLOC in html
    assert DL_BLOC not in html

    log_in(client, username="lanhdao", password=DEMO_PASSWORD)
    html = client.get("/").content.decode()
    assert 'id="unit-section"' in html
    assert "Ban Quản lý Khu kinh tế" in html


def test_output_lists_the_accounts(demo):
    assert "Đã nạp dữ liệu mẫu." in demo
    assert DEMO_PASSWORD in demo
    listed = [line.split()[0] for line in demo.splitlines() if line.startswith("  ")]
    for username in ACCOUNTS:
        assert username in listed
    # One line per account, even for an account with two roles (thuky).
    assert len(listed) == len(set(listed))


# --- Idempotent -------------------------------------------------------------------------------


def test_load_demo_twice_changes_nothing(demo):
    first = _counts()
    assert all(first.values()), first
    second_output = _load()
    assert _counts() == first
    assert second_output == demo
    for username in ACCOUNTS:
        assert log_in(Client(), username=username, password=DEMO_PASSWORD)
