"""Demo pledges, recorded through the services as the news reports describe them.

- Đắk Lắk, Khối Thi đua số 5 (seeds/004): the eight units signed the 2021 pledge at the
  meeting of 28/01/2021. Three of them have had successors since 2025; their 2021
  signatures are history and stay recorded and verifiable.
- Quảng Bình, Khối thi đua các ngành Kinh tế - Kỹ thuật (seeds/000): the 2020 pledge, open
  for signing; five units signed at the meeting of 13/01/2020, four still have to sign
  (among them Ban Quản lý Khu kinh tế, whose leader is the demo account `lanhdao`). So that
  the demo works whenever it is loaded, its deadline is set relative to the loading day.

The reports give the common commitments (Đắk Lắk) but not each unit's figures: the unit
targets below are illustrative. Idempotent: running it twice changes nothing."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from blocs import services as bloc_services
from blocs.demo import DEMO_PASSWORD, DL_BLOC, QB_BLOC
from blocs.models import BlocYear, RoleAssignment, Unit

from . import services
from .models import Pledge

VN = ZoneInfo("Asia/Ho_Chi_Minh")

DL_UNITS = [
    ("sgtvt", "Sở Giao thông Vận tải"),
    ("sxd", "Sở Xây dựng"),
    ("stnmt", "Sở Tài nguyên và Môi trường"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("sct", "Sở Công Thương"),
    ("bqlkcn", "Ban Quản lý các Khu công nghiệp"),
    (
        "bqlda-gtnn",
        "Ban Quản lý dự án đầu tư xây dựng công trình giao thông và nông nghiệp "
        "phát triển nông thôn",
    ),
    ("bqlda-ddcn", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp"),
]
DL_COMMITMENTS = [
    services.CommitmentData(
        "Tiếp tục quán triệt đến toàn thể cán bộ, công chức, viên chức và người lao động về "
        "phong trào thi đua theo tinh thần Chỉ thị số 34-CT/TW ngày 07/4/2014 của Bộ Chính trị "
        "về tiếp tục đổi mới công tác thi đua, khen thưởng, gắn với việc học tập và làm theo tư "
        "tưởng, đạo đức, phong cách Hồ Chí Minh."
    ),
    services.CommitmentData(
        "Đẩy mạnh các phong trào thi đua do các Bộ, ngành Trung ương, UBND tỉnh Đắk Lắk phát động."
    ),
    services.CommitmentData(
        "Xây dựng mối đoàn kết nội bộ; thực hiện quy chế dân chủ trong hoạt động cơ quan; xây "
        "dựng cơ quan đạt tiêu chuẩn cơ quan văn hóa."
    ),
    services.CommitmentData(
        "Công chức, viên chức chấp hành tốt chủ trương, chính sách của Đảng, pháp luật của Nhà "
        "nước và nội quy, quy chế của cơ quan; tích cực học tập nâng cao trình độ chuyên môn, "
        "nghiệp vụ, nâng cao chất lượng, hiệu quả công tác."
    ),
    services.CommitmentData(
        "Thực hiện tốt nhiệm vụ cải cách hành chính; tăng cường kỷ luật, kỷ cương hành chính.",
        Decimal("100"),
        "% hồ sơ giải quyết đúng hạn",
    ),
    services.CommitmentData(
        "Thực hiện tốt Luật Phòng, chống tham nhũng, Luật Thực hành tiết kiệm, chống lãng phí "
        "trong hoạt động của cơ quan, đơn vị."
    ),
    services.CommitmentData(
        "Quyết tâm phấn đấu hoàn thành xuất sắc nhiệm vụ công tác năm 2021.",
        Decimal("100"),
        "% chỉ tiêu kế hoạch được giao",
    ),
]

QB_UNITS = [
    ("bqlkkt", "Ban Quản lý Khu kinh tế"),
    ("sgtvt", "Sở Giao thông vận tải"),
    ("sxd", "Sở Xây dựng"),
    ("sct", "Sở Công Thương"),
    ("stnmt", "Sở Tài nguyên và Môi trường"),
    ("snnptnt", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("stttt", "Sở Thông tin và Truyền thông"),
    ("cvhh", "Cảng vụ Hàng hải Quảng Bình"),
    ("bqlda-ddcn", "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp"),
]
# Units that signed at the 13/01/2020 meeting; the others still have to sign.
QB_SIGNED = ["sgtvt", "sxd", "stnmt", "snnptnt", "cvhh"]
QB_COMMITMENTS = [
    services.CommitmentData(
        "Triển khai sâu rộng các phong trào thi đua yêu nước gắn với thực hiện nhiệm vụ chính "
        "trị năm 2020 của từng đơn vị."
    ),
    services.CommitmentData(
        "Đẩy mạnh cải cách hành chính, ứng dụng công nghệ thông tin trong hoạt động của cơ quan.",
        Decimal("100"),
        "% hồ sơ giải quyết đúng hạn",
    ),
    services.CommitmentData(
        "Giữ vững đoàn kết nội bộ; thực hiện tốt quy chế dân chủ ở cơ sở; phòng, chống tham "
        "nhũng, thực hành tiết kiệm, chống lãng phí."
    ),
    services.CommitmentData(
        "Phát hiện, bồi dưỡng, nhân rộng các điển hình tiên tiến; làm tốt công tác khen thưởng "
        "kịp thời, chính xác."
    ),
]


def _targets(short: str, year: int) -> list[services.TargetData]:
    specific = {
        "sgtvt": ("Công trình giao thông trọng điểm hoàn thành đúng tiến độ", "90", "%"),
        "sxd": ("Tỷ lệ đô thị hóa toàn tỉnh", "35", "%"),
        "stnmt": ("Hồ sơ cấp giấy chứng nhận quyền sử dụng đất giải quyết đúng hạn", "98", "%"),
        "snnptnt": ("Xã đạt chuẩn nông thôn mới tăng thêm trong năm", "8", "xã"),
        "sct": ("Giá trị sản xuất công nghiệp tăng so với năm trước", "9,5", "%"),
        "bqlkcn": ("Dự án đầu tư mới vào các khu công nghiệp", "5", "dự án"),
        "bqlkkt": ("Dự án đầu tư mới vào khu kinh tế", "4", "dự án"),
        "stttt": ("Dịch vụ công trực tuyến mức độ 3, 4 được cung cấp", "60", "%"),
        "cvhh": ("Lượt tàu ra vào cảng được làm thủ tục điện tử", "100", "%"),
        "bqlda-gtnn": ("Giá trị giải ngân vốn được giao", "95", "%"),
        "bqlda-ddcn": ("Giá trị giải ngân vốn được giao", "95", "%"),
    }[short]
    return [
        services.TargetData(
            description=specific[0],
            target_value=Decimal(specific[1].replace(",", ".")),
            unit_of_measure=specific[2],
        ),
        services.TargetData(
            description=f"Cán bộ, công chức hoàn thành tốt nhiệm vụ năm {year} trở lên",
            target_value=Decimal("90"),
            unit_of_measure="%",
        ),
    ]


def _leader(username: str, full_name: str, unit: Unit) -> tuple[object, bool]:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"first_name": full_name, "email": f"{username}@example.gov.vn"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if not RoleAssignment.objects.filter(
        user=user, role=RoleAssignment.Role.LEADER, unit=unit
    ).exists():
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
    return user, created


def _bloc_year(code: str, bloc: str, year: int) -> BlocYear | None:
    return (
        BlocYear.objects.select_related("bloc__province")
        .filter(bloc__province__code=code, bloc__name=bloc, year=year)
        .first()
    )


def _secretariat(bloc_year: BlocYear):
    ra = (
        RoleAssignment.objects.filter(role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year)
        .select_related("user")
        .first()
    )
    return ra.user if ra else None


def _record(
    *,
    bloc_year: BlocYear,
    units: list[tuple[str, str]],
    province_tag: str,
    commitments: list[services.CommitmentData],
    title: str,
    preamble: str,
    opened_at: dt.datetime,
    deadline: dt.date,
    signing_at: dt.datetime,
    signed: list[str],
    source: str,
    without_account: frozenset[str] = frozenset(),
) -> list[tuple[str, str]]:
    accounts = []
    unit_objs = {}
    leaders = {}
    for short, name in units:
        unit = Unit.objects.get(province=bloc_year.bloc.province, name=name)
        unit_objs[short] = unit
        if short in without_account:
            continue
        username = f"lanhdao.{short}.{province_tag}"
        user, _created = _leader(username, f"Lãnh đạo {name}", unit)
        leaders[short] = user
        accounts.append((username, f"Lãnh đạo {name} ({bloc_year.bloc.province.name})"))
    if Pledge.objects.filter(bloc_year=bloc_year).exists():
        return accounts
    actor = _secretariat(bloc_year)
    version = services.pledge_create(
        bloc_year=bloc_year, title=title, preamble=preamble, commitments=commitments, actor=actor
    )
    for short, unit in unit_objs.items():
        services.unit_targets_save(
            version=version, unit=unit, targets=_targets(short, bloc_year.year), actor=actor
        )
    # Opening moves the year to pledging (blocs.cycle); the seed report is the source of
    # what it does not name (the head or deputy of the year).
    services.pledge_open(
        version=version,
        deadline=deadline,
        actor=actor,
        _historical_at=opened_at,
        _historical_source=source,
    )
    for i, short in enumerate(signed):
        services.pledge_sign(
            version=version,
            unit=unit_objs[short],
            user=leaders[short],
            password=DEMO_PASSWORD,
            ip_address=None,
            user_agent="Ký tại hội nghị (dữ liệu mẫu)",
            _historical_at=signing_at + dt.timedelta(minutes=3 * i),
        )
    return accounts


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    accounts: list[tuple[str, str]] = []
    dl = _bloc_year("dak-lak", DL_BLOC, 2021)
    if dl is not None:
        accounts += _record(
            bloc_year=dl,
            units=DL_UNITS,
            province_tag="daklak",
            commitments=DL_COMMITMENTS,
            title="Giao ước thi đua năm 2021 của Khối Thi đua số 5",
            preamble=(
                "Thực hiện Luật Thi đua, khen thưởng và kế hoạch tổ chức phong trào thi đua năm "
                "2021 của UBND tỉnh Đắk Lắk, các đơn vị thành viên Khối Thi đua số 5 thống nhất "
                "ký kết giao ước thi đua với các nội dung sau."
            ),
            opened_at=dt.datetime(2021, 1, 20, 8, 0, tzinfo=VN),
            deadline=dt.date(2021, 1, 28),
            signing_at=dt.datetime(2021, 1, 28, 15, 0, tzinfo=VN),
            signed=[short for short, _name in DL_UNITS],
            source="seeds/004",
        )
    qb = _bloc_year("quang-binh", QB_BLOC, 2020)
    if qb is not None:
        accounts += _record(
            bloc_year=qb,
            units=QB_UNITS,
            province_tag="quangbinh",
            commitments=QB_COMMITMENTS,
            title="Giao ước thi đua năm 2020 của Khối thi đua các ngành Kinh tế - Kỹ thuật",
            preamble=(
                "Thực hiện Luật Thi đua, khen thưởng và hướng dẫn của Ban Thi đua - Khen "
                "thưởng tỉnh Quảng Bình, các đơn vị thành viên Khối thi đua các ngành Kinh tế "
                "- Kỹ thuật thống nhất ký kết giao ước thi đua năm 2020 như sau."
            ),
            opened_at=dt.datetime(2020, 1, 6, 8, 0, tzinfo=VN),
            deadline=timezone.localdate() + dt.timedelta(days=14),
            signing_at=dt.datetime(2020, 1, 13, 9, 30, tzinfo=VN),
            signed=QB_SIGNED,
            source="seeds/000",
            # Its leader is the demo account `lanhdao` (blocs.demo).
            without_account=frozenset({"bqlkkt"}),
        )
    return accounts
