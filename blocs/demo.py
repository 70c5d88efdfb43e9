"""Demo data: the five blocs of the news reports in shared/seeds/, recorded as they are
described there, plus demo accounts. Idempotent: running it twice changes nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from . import cycle, services
from .models import Bloc, BlocYear, Province, RoleAssignment, Unit

DEMO_PASSWORD = "khoithidua"  # noqa: S105 - documented demo password, DEBUG only


@dataclass
class YearSpec:
    """`reach`: the status this loader takes the year to, through the cycle's services
    (blocs.cycle), recording what its seed report (`source`) does not give; the pledges and
    scoring loaders take some years further (Quảng Bình 2019 to scoring, its 2020 to
    pledging, Đắk Lắk 2021 to in progress after signing)."""

    year: int
    reach: str
    head: str | None = None
    deputy: str | None = None
    source: str = ""
    # unit -> (leader's name, title as signed), as the seed report names them; units it
    # does not name stay unrecorded ("chưa ghi nhận").
    leaders: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass
class BlocSpec:
    province: dict
    name: str
    number: int | None
    members: list[str]
    years: list[YearSpec]
    # (old unit, successor, date): the 2025 reorganisation, recorded without rewriting history.
    successions: list[tuple[str, str, dt.date]] = field(default_factory=list)


QUANG_BINH = {
    "name": "Quảng Bình",
    "code": "quang-binh",
    "board_name": "Ban Thi đua - Khen thưởng tỉnh Quảng Bình",
    "authority_name": "UBND tỉnh Quảng Bình",
}
BAC_NINH = {
    "name": "Bắc Ninh",
    "code": "bac-ninh",
    "board_name": "Ban Thi đua - Khen thưởng tỉnh Bắc Ninh",
    "authority_name": "UBND tỉnh Bắc Ninh",
}
BAC_KAN = {
    "name": "Bắc Kạn",
    "code": "bac-kan",
    "board_name": "Ban Thi đua - Khen thưởng tỉnh Bắc Kạn",
    "authority_name": "UBND tỉnh Bắc Kạn",
}
DAK_LAK = {
    "name": "Đắk Lắk",
    "code": "dak-lak",
    "board_name": "Ban Thi đua - Khen thưởng tỉnh Đắk Lắk",
    "authority_name": "UBND tỉnh Đắk Lắk",
}
# The report (seeds/001) does not name its province.
UNNAMED = {
    "name": "Tỉnh chưa rõ tên (bản tin 001)",
    "code": "chua-ro-ten",
    "board_name": "Ban Thi đua, Khen thưởng (Sở Nội vụ)",
    "authority_name": "UBND tỉnh",
}

QB_BQL_KKT = "Ban Quản lý Khu kinh tế"

BLOCS: list[BlocSpec] = [
    BlocSpec(
        province=QUANG_BINH,
        name="Khối thi đua các ngành Kinh tế - Kỹ thuật",
        number=None,
        members=[
            QB_BQL_KKT,
            "Sở Giao thông vận tải",
            "Sở Xây dựng",
            "Sở Công Thương",
            "Sở Tài nguyên và Môi trường",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "Sở Thông tin và Truyền thông",
            "Cảng vụ Hàng hải Quảng Bình",
            "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp",
        ],
        years=[
            YearSpec(2019, BlocYear.Status.IN_PROGRESS, source="seeds/000"),
            YearSpec(2020, BlocYear.Status.SETUP),
        ],
    ),
    BlocSpec(
        province=UNNAMED,
        name="Khối thi đua Kinh tế ngành",
        number=None,
        # The report names the sectors of the bloc; these are their departments.
        members=[
            "Sở Giao thông Vận tải",
            "Sở Công Thương",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "Sở Thông tin và Truyền thông",
            "Sở Tài nguyên và Môi trường",
            "Sở Xây dựng",
            "Sở Khoa học và Công nghệ",
            "Ban Quản lý các khu công nghiệp",
        ],
        years=[
            YearSpec(
                2019,
                BlocYear.Status.IN_PROGRESS,
                head="Sở Giao thông Vận tải",
                deputy="Sở Công Thương",
                source="seeds/001",
                leaders={
                    "Sở Giao thông Vận tải": (
                        "Đặng Trọng Thắng",
                        "Giám đốc Sở Giao thông Vận tải",
                    ),
                    "Sở Công Thương": ("Đinh Văn An", "Giám đốc Sở Công Thương"),
                },
            ),
        ],
    ),
    BlocSpec(
        province=BAC_NINH,
        name="Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật",
        number=None,
        members=[
            "Sở Công Thương",
            "Sở Xây dựng",
            "Sở Thông tin và Truyền thông",
            "Cục Dự trữ quốc gia khu vực Hà Bắc",
            "Sở Giao thông vận tải",
            "Quỹ Đầu tư phát triển tỉnh",
            "Sở Tài nguyên và Môi trường",
            "Liên minh Hợp tác xã tỉnh",
            "Ban Quản lý khu vực phát triển đô thị Bắc Ninh",
        ],
        years=[
            YearSpec(2019, BlocYear.Status.IN_PROGRESS, source="seeds/002"),
            # Its head is written by the election of the year-end meeting (meetings.demo).
            YearSpec(2020, BlocYear.Status.SETUP),
        ],
    ),
    BlocSpec(
        province=BAC_KAN,
        name="Khối thi đua Kinh tế - Kỹ thuật",
        number=None,
        members=[
            "Sở Công Thương",
            "Sở Xây dựng",
            "Sở Tài nguyên và Môi trường",
            "Sở Giao thông vận tải",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "Ban Quản lý Vườn Quốc gia Ba Bể",
            "Ban Quản lý các khu công nghiệp",
            "Ban Quản lý Dự án đầu tư xây dựng tỉnh",
            "Quỹ Phát triển đất, rừng và bảo vệ môi trường",
        ],
        years=[
            YearSpec(
                2018,
                BlocYear.Status.IN_PROGRESS,
                head="Sở Tài nguyên và Môi trường",
                deputy="Sở Công Thương",
                source="seeds/003",
                leaders={
                    "Sở Tài nguyên và Môi trường": (
                        "Nông Văn Kỳ",
                        "Giám đốc Sở Tài nguyên và Môi trường",
                    ),
                    "Sở Công Thương": ("Vũ Đức Chính", "Giám đốc Sở Công Thương"),
                },
            ),
        ],
    ),
    BlocSpec(
        province=DAK_LAK,
        name="Khối Thi đua số 5",
        number=5,
        members=[
            "Sở Giao thông Vận tải",
            "Sở Xây dựng",
            "Sở Tài nguyên và Môi trường",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "Sở Công Thương",
            "Ban Quản lý các Khu công nghiệp",
            "Ban Quản lý dự án đầu tư xây dựng công trình giao thông và nông nghiệp "
            "phát triển nông thôn",
            "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp",
        ],
        years=[
            YearSpec(2020, BlocYear.Status.IN_PROGRESS, source="seeds/004"),
            YearSpec(2021, BlocYear.Status.SETUP, head="Ban Quản lý các Khu công nghiệp"),
        ],
        successions=[
            ("Sở Giao thông Vận tải", "Sở Xây dựng", dt.date(2025, 3, 1)),
            ("Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Môi trường", dt.date(2025, 3, 1)),
            (
                "Sở Nông nghiệp và Phát triển nông thôn",
                "Sở Nông nghiệp và Môi trường",
                dt.date(2025, 3, 1),
            ),
        ],
    ),
]

# username, full name, role, scope: ("province", code) | ("bloc_year", (province, bloc, year))
# | ("unit", (province, unit name)) | None
QB_BLOC = "Khối thi đua các ngành Kinh tế - Kỹ thuật"
DL_BLOC = "Khối Thi đua số 5"
ACCOUNTS: list[tuple[str, str, str, tuple | None]] = [
    ("admin", "Quản trị hệ thống", RoleAssignment.Role.ADMIN, None),
    (
        "ban.tdkt",
        "Cán bộ Ban TĐKT Quảng Bình",
        RoleAssignment.Role.BOARD,
        ("province", "quang-binh"),
    ),
    (
        "thuky",
        "Thư ký khối Kinh tế - Kỹ thuật (Quảng Bình)",
        RoleAssignment.Role.SECRETARIAT,
        ("bloc_year", ("quang-binh", QB_BLOC, 2020)),
    ),
    (
        "thuky",
        "Thư ký khối Kinh tế - Kỹ thuật (Quảng Bình)",
        RoleAssignment.Role.SECRETARIAT,
        ("bloc_year", ("quang-binh", QB_BLOC, 2019)),
    ),
    (
        "lanhdao",
        "Lãnh đạo Ban Quản lý Khu kinh tế",
        RoleAssignment.Role.LEADER,
        ("unit", ("quang-binh", QB_BQL_KKT)),
    ),
    (
        "canbo",
        "Cán bộ Ban Quản lý Khu kinh tế",
        RoleAssignment.Role.STAFF,
        ("unit", ("quang-binh", QB_BQL_KKT)),
    ),
    (
        "ban.tdkt.daklak",
        "Cán bộ Ban TĐKT Đắk Lắk",
        RoleAssignment.Role.BOARD,
        ("province", "dak-lak"),
    ),
    (
        "thuky.daklak",
        "Thư ký Khối Thi đua số 5 (Đắk Lắk)",
        RoleAssignment.Role.SECRETARIAT,
        ("bloc_year", ("dak-lak", DL_BLOC, 2021)),
    ),
    (
        "thuky.daklak",
        "Thư ký Khối Thi đua số 5 (Đắk Lắk)",
        RoleAssignment.Role.SECRETARIAT,
        ("bloc_year", ("dak-lak", DL_BLOC, 2020)),
    ),
    (
        "thuky.bacninh",
        "Thư ký khối kinh tế, kỹ thuật (Bắc Ninh)",
        RoleAssignment.Role.SECRETARIAT,
        (
            "bloc_year",
            (
                "bac-ninh",
                "Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật",
                2020,
            ),
        ),
    ),
    (
        "thuky.bacninh",
        "Thư ký khối kinh tế, kỹ thuật (Bắc Ninh)",
        RoleAssignment.Role.SECRETARIAT,
        (
            "bloc_year",
            (
                "bac-ninh",
                "Khối thi đua các sở, ban, ngành tham mưu và quản lý Nhà nước về kinh tế, kỹ thuật",
                2019,
            ),
        ),
    ),
    (
        "thuky.backan",
        "Thư ký khối Kinh tế - Kỹ thuật (Bắc Kạn)",
        RoleAssignment.Role.SECRETARIAT,
        ("bloc_year", ("bac-kan", "Khối thi đua Kinh tế - Kỹ thuật", 2018)),
    ),
]


def _reach(bloc_year: BlocYear, ys: YearSpec) -> None:
    """Take a past year as far as `ys.reach` through the cycle's services. Its pledge is
    not in the seed reports: signing is recorded as closed, with the report as source."""
    S = BlocYear.Status
    if ys.reach == S.SETUP:
        return
    if bloc_year.status == S.SETUP:
        cycle.bloc_year_open_pledging(bloc_year=bloc_year, actor=None, _historical_source=ys.source)
    if ys.reach == S.IN_PROGRESS and bloc_year.status == S.PLEDGING:
        cycle.bloc_year_start(
            bloc_year=bloc_year, actor=None, close_signing=True, _historical_source=ys.source
        )


def _province(spec: dict) -> Province:
    return Province.objects.filter(code=spec["code"]).first() or services.province_create(**spec)


def _unit(province: Province, name: str) -> Unit:
    return Unit.objects.filter(province=province, name=name).first() or services.unit_create(
        province=province, name=name
    )


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    """Record the seeds and the demo accounts; returns (username, description) pairs."""
    for spec in BLOCS:
        province = _province(spec.province)
        bloc = Bloc.objects.filter(province=province, name=spec.name).first()
        if bloc is None:
            bloc = services.bloc_create(province=province, name=spec.name, number=spec.number)
        units = {name: _unit(province, name) for name in spec.members}
        bloc_years = {}
        for ys in spec.years:
            by = BlocYear.objects.filter(bloc=bloc, year=ys.year).first()
            if by is None:
                by = services.bloc_year_create(
                    bloc=bloc,
                    year=ys.year,
                    members=units.values(),
                    head=units[ys.head] if ys.head else None,
                    deputy=units[ys.deputy] if ys.deputy else None,
                )
            if ys.leaders:
                services.bloc_year_leaders_set(
                    bloc_year=by,
                    leaders={units[unit].pk: leader for unit, leader in ys.leaders.items()},
                )
            _reach(by, ys)
            bloc_years[ys.year] = by
        for old, new, on in spec.successions:
            old_unit = Unit.objects.get(province=province, name=old)
            if old_unit.successor_id is None:
                services.unit_succeed(unit=old_unit, successor=_unit(province, new), on=on)

    user_model = get_user_model()
    printed: dict[str, str] = {}
    for username, full_name, role, scope in ACCOUNTS:
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name = full_name
        user.is_staff = role == RoleAssignment.Role.ADMIN
        user.is_superuser = role == RoleAssignment.Role.ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        kwargs = _scope_kwargs(scope)
        if not RoleAssignment.objects.filter(user=user, role=role, **kwargs).exists():
            services.role_assign(user=user, role=role, **kwargs)
        printed.setdefault(username, full_name)
    return list(printed.items())


def _scope_kwargs(scope: tuple | None) -> dict:
    if scope is None:
        return {}
    kind, key = scope
    if kind == "province":
        return {"province": Province.objects.get(code=key)}
    if kind == "bloc_year":
        code, bloc_name, year = key
        return {
            "bloc_year": BlocYear.objects.get(
                bloc__province__code=code, bloc__name=bloc_name, year=year
            )
        }
    code, unit_name = key
    return {"unit": Unit.objects.get(province__code=code, name=unit_name)}
