"""Shared fixtures. Test data is built through the real services, as users would."""

import datetime as dt
import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from blocs import cycle, services
from blocs.models import Bloc, BlocYear, Province, RoleAssignment, Unit

PASSWORD = "mat-khau-thu-nghiem-2026"

HAS_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
HAS_REDIS = bool(os.environ.get("REDIS_URL"))
HAS_CHROMIUM = os.path.exists("/usr/bin/chromium")
HAS_PDFTOTEXT = shutil.which("pdftotext") is not None

needs_postgres = pytest.mark.skipif(
    not HAS_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL=postgres://..."
)
needs_redis = pytest.mark.skipif(not HAS_REDIS, reason="needs Redis: set REDIS_URL=redis://...")
needs_chromium = pytest.mark.skipif(
    not HAS_CHROMIUM, reason="needs Debian's /usr/bin/chromium (apt-get install chromium)"
)
needs_pdftotext = pytest.mark.skipif(
    not HAS_PDFTOTEXT, reason="needs pdftotext (apt-get install poppler-utils)"
)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_user(username: str, **extra) -> object:
    user_model = get_user_model()
    user = user_model.objects.create_user(username=username, password=PASSWORD, **extra)
    return user


def log_in(client, *, username: str, password: str) -> bool:
    """Log in through the login page, as a person does; True when it worked. Django's
    Client.login() authenticates without a request, which django-axes refuses (it counts
    failures per client address); use this, or client.force_login() when the password is
    not what the test is about."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


@dataclass
class World:
    """Two provinces; in the first, two blocs with one 2020 bloc-year each; one role-holder
    for each role the URL x role test walks."""

    province: Province
    other_province: Province
    bloc: Bloc
    other_bloc: Bloc
    far_bloc: Bloc
    bloc_year: BlocYear
    other_bloc_year: BlocYear
    far_bloc_year: BlocYear
    head: Unit
    deputy: Unit
    member: Unit
    non_member: Unit
    users: dict


@pytest.fixture
def world(db) -> World:
    province = services.province_create(
        name="Quảng Bình",
        code="quang-binh",
        board_name="Ban Thi đua - Khen thưởng tỉnh Quảng Bình",
        authority_name="UBND tỉnh Quảng Bình",
    )
    other_province = services.province_create(
        name="Đắk Lắk",
        code="dak-lak",
        board_name="Ban Thi đua - Khen thưởng tỉnh Đắk Lắk",
        authority_name="UBND tỉnh Đắk Lắk",
    )
    bloc = services.bloc_create(province=province, name="Khối thi đua các ngành Kinh tế - Kỹ thuật")
    other_bloc = services.bloc_create(province=province, name="Khối thi đua Văn hóa - Xã hội")
    far_bloc = services.bloc_create(province=other_province, name="Khối Thi đua số 5", number=5)
    head = services.unit_create(province=province, name="Ban Quản lý Khu kinh tế")
    deputy = services.unit_create(province=province, name="Sở Giao thông vận tải")
    member = services.unit_create(province=province, name="Sở Xây dựng")
    non_member = services.unit_create(province=province, name="Sở Văn hóa và Thể thao")
    far_unit = services.unit_create(province=other_province, name="Sở Công Thương")
    bloc_year = services.bloc_year_create(
        bloc=bloc, year=2020, members=[head, deputy, member], head=head, deputy=deputy
    )
    other_bloc_year = services.bloc_year_create(bloc=other_bloc, year=2020, members=[non_member])
    far_bloc_year = services.bloc_year_create(bloc=far_bloc, year=2021, members=[far_unit])

    users = {"anonymous": None}
    R = RoleAssignment.Role
    specs = {
        "admin": (R.ADMIN, {}),
        "board_here": (R.BOARD, {"province": province}),
        "board_other": (R.BOARD, {"province": other_province}),
        "secretariat_here": (R.SECRETARIAT, {"bloc_year": bloc_year}),
        "secretariat_other": (R.SECRETARIAT, {"bloc_year": other_bloc_year}),
        "leader_member": (R.LEADER, {"unit": head}),
        "staff_member": (R.STAFF, {"unit": member}),
        "leader_nonmember": (R.LEADER, {"unit": non_member}),
        "staff_nonmember": (R.STAFF, {"unit": non_member}),
    }
    for key, (role, scope) in specs.items():
        user = make_user(key.replace("_", "."), is_staff=key == "admin")
        services.role_assign(user=user, role=role, **scope)
        users[key] = user
    users["norole"] = make_user("no.role")
    return World(
        province=province,
        other_province=other_province,
        bloc=bloc,
        other_bloc=other_bloc,
        far_bloc=far_bloc,
        bloc_year=bloc_year,
        other_bloc_year=other_bloc_year,
        far_bloc_year=far_bloc_year,
        head=head,
        deputy=deputy,
        member=member,
        non_member=non_member,
        users=users,
    )


def year_reach(bloc_year: BlocYear, status: str, *, actor=None) -> BlocYear:
    """Drive `bloc_year` through the cycle's services (blocs.cycle) up to `status`, as its
    secretariat would: a minimal pledge is drafted and opened if there is none, signing is
    closed with the missing units recorded, the scoring step needs a table already there.
    Steps beyond scoring are not driven here."""
    from pledges import services as pledge_services
    from pledges.models import Pledge, PledgeVersion

    S = BlocYear.Status
    order = list(S.values)
    bloc_year.refresh_from_db()
    if order.index(bloc_year.status) >= order.index(status):
        return bloc_year
    if bloc_year.status == S.SETUP:
        pledge = Pledge.objects.filter(bloc_year=bloc_year).first()
        version = (
            pledge.versions.exclude(status=PledgeVersion.Status.SUPERSEDED).get()
            if pledge
            else pledge_services.pledge_create(
                bloc_year=bloc_year,
                title=f"Giao ước thi đua năm {bloc_year.year}",
                commitments=[pledge_services.CommitmentData(text="Hoàn thành nhiệm vụ năm.")],
                actor=actor,
            )
        )
        if version.status == PledgeVersion.Status.DRAFT:
            done = set(version.targets.values_list("unit_id", flat=True))
            for unit in bloc_year.members.exclude(pk__in=done):
                pledge_services.unit_targets_save(
                    version=version,
                    unit=unit,
                    targets=[pledge_services.TargetData("Giải ngân vốn đầu tư công", 95, "%")],
                    actor=actor,
                )
            pledge_services.pledge_open(
                version=version, deadline=timezone.localdate() + dt.timedelta(days=30), actor=actor
            )
        else:
            cycle.bloc_year_open_pledging(bloc_year=bloc_year, actor=actor)
        bloc_year.refresh_from_db()
    if status == S.PLEDGING:
        return bloc_year
    if bloc_year.status == S.PLEDGING:
        cycle.bloc_year_start(bloc_year=bloc_year, actor=actor, close_signing=True)
    if status == S.IN_PROGRESS:
        return bloc_year
    if bloc_year.status == S.IN_PROGRESS:
        cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=actor)
    if status == S.SCORING:
        return bloc_year
    raise NotImplementedError(status)


_NOT_RUN: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.skipped and report.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _NOT_RUN.append((report.nodeid, reason.removeprefix("Skipped: ")))


def pytest_terminal_summary(terminalreporter):
    if not _NOT_RUN:
        return
    terminalreporter.section("Tests not run on this machine")
    for nodeid, reason in _NOT_RUN:
        terminalreporter.write_line(f"{nodeid}: {reason}")
