"""Demo data of scoring (called by `manage.py load_demo` after blocs.demo.demo_load()).

The Quảng Bình bloc "Khối thi đua các ngành Kinh tế - Kỹ thuật" gets:
- 2019: a scoring table (100 points, bonus and penalty items) and the three stages of all
  nine sheets, verified by the board (ban.tdkt) and locked, so that the scoreboard says what
  the report (seeds/000) says: Ban Quản lý Khu kinh tế first, Sở Giao thông vận tải second,
  Sở Xây dựng and Sở Tài nguyên và Môi trường tied third (same total, same bonus and
  penalty points, so the tie-breaks of the rule set keep them together), the rest below;
- 2020: the same table copied from 2019 and empty sheets, for the journey: canbo/lanhdao
  fill and submit the self-assessment, thuky enters the cross scores in the grid, ban.tdkt
  verifies and locks.
Idempotent: what exists is left alone."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from blocs import cycle
from blocs.demo import QB_BLOC
from blocs.models import BlocYear, Unit

from . import services
from .models import CriteriaTable, ScoreSheet, ScoreValue, ScoringYear, Stage

TABLE_NAME = "Bảng chấm điểm thi đua Khối các ngành Kinh tế - Kỹ thuật năm 2019"
TABLE = [
    {
        "code": "I",
        "name": "Thực hiện nhiệm vụ chính trị, chuyên môn được giao",
        "criteria": [
            {
                "code": "1.1",
                "name": "Hoàn thành các chỉ tiêu, nhiệm vụ UBND tỉnh giao trong năm",
                "max_points": "25",
                "guidance": "Hoàn thành 100% chỉ tiêu: 25 điểm; mỗi chỉ tiêu không đạt trừ 2 điểm.",
            },
            {
                "code": "1.2",
                "name": "Cải cách hành chính, giải quyết thủ tục hành chính đúng hạn",
                "max_points": "15",
                "evidence_required": True,
                "guidance": "Căn cứ kết quả Chỉ số cải cách hành chính (PAR INDEX) của tỉnh.",
            },
            {
                "code": "1.3",
                "name": "Ứng dụng công nghệ thông tin, chuyển đổi số",
                "max_points": "10",
            },
            {
                "code": "1.4",
                "name": "Thực hành tiết kiệm, chống lãng phí; phòng, chống tham nhũng",
                "max_points": "10",
            },
        ],
    },
    {
        "code": "II",
        "name": "Công tác thi đua, khen thưởng",
        "criteria": [
            {
                "code": "2.1",
                "name": "Ban hành kế hoạch, phát động và tổ chức các phong trào thi đua",
                "max_points": "10",
            },
            {
                "code": "2.2",
                "name": "Phát hiện, bồi dưỡng, nhân rộng điển hình tiên tiến",
                "max_points": "10",
            },
            {
                "code": "2.3",
                "name": "Báo cáo, hồ sơ thi đua, khen thưởng đúng hạn, đúng quy định",
                "max_points": "5",
            },
        ],
    },
    {
        "code": "III",
        "name": "Xây dựng tổ chức đảng, đoàn thể; hoạt động xã hội",
        "criteria": [
            {
                "code": "3.1",
                "name": "Tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên",
                "max_points": "10",
            },
            {
                "code": "3.2",
                "name": "Hoạt động của công đoàn, đoàn thanh niên; phong trào từ thiện",
                "max_points": "5",
            },
        ],
    },
    {
        "code": "IV",
        "name": "Điểm cộng, điểm trừ",
        "criteria": [
            {
                "code": "C1",
                "name": "Sáng kiến, mô hình mới được cấp có thẩm quyền công nhận",
                "kind": "bonus",
                "max_points": "3",
            },
            {
                "code": "C2",
                "name": "Được Chính phủ, Bộ, ngành trung ương khen thưởng trong năm",
                "kind": "bonus",
                "max_points": "3",
            },
            {
                "code": "T1",
                "name": "Chậm gửi báo cáo, hồ sơ thi đua (mỗi lần trừ 0,5 điểm)",
                "kind": "penalty",
                "max_points": "2",
            },
            {
                "code": "T2",
                "name": "Cán bộ, công chức vi phạm kỷ luật bị xử lý",
                "kind": "penalty",
                "max_points": "5",
            },
        ],
    },
]
REGULAR_ORDER = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "3.1", "3.2"]
MAXIMA = {
    "1.1": 25,
    "1.2": 15,
    "1.3": 10,
    "1.4": 10,
    "2.1": 10,
    "2.2": 10,
    "2.3": 5,
    "3.1": 10,
    "3.2": 5,
}

# Verified result per unit: (points lost on the regular criteria, bonus C1, C2, penalty T1).
# Totals: 98,5 · 97 · 96 · 96 · 95 · 94 · 93,5 · 92 · 90,5.
VERIFIED_2019 = {
    "Ban Quản lý Khu kinh tế": ("3.5", "1", "1", "0"),
    "Sở Giao thông vận tải": ("4", "1", "0", "0"),
    "Sở Xây dựng": ("5", "1", "0", "0"),
    "Sở Tài nguyên và Môi trường": ("5", "1", "0", "0"),
    "Sở Công Thương": ("5.5", "0.5", "0", "0"),
    "Sở Nông nghiệp và Phát triển nông thôn": ("6", "0", "0", "0"),
    "Sở Thông tin và Truyền thông": ("7", "1", "0", "0.5"),
    "Cảng vụ Hàng hải Quảng Bình": ("8", "0", "0", "0"),
    "Ban Quản lý dự án đầu tư xây dựng công trình dân dụng và công nghiệp": ("9", "0", "0", "0.5"),
}
NOTE = "Dữ liệu mẫu năm 2019 (bản tin seeds/000)"


def _regular_values(lost: Decimal) -> dict[str, Decimal]:
    """Spread the points a unit lost over the criteria, half a point at a time."""
    values = {code: Decimal(m) for code, m in MAXIMA.items()}
    step, i = Decimal("0.5"), 0
    while lost > 0:
        code = REGULAR_ORDER[i % len(REGULAR_ORDER)]
        if values[code] >= step:
            values[code] -= step
            lost -= step
        i += 1
    return values


def _stage_values(unit_name: str, stage: str) -> dict[str, str]:
    lost, c1, c2, t1 = VERIFIED_2019[unit_name]
    values = _regular_values(Decimal(lost))
    if stage == Stage.SELF:  # units score themselves a little higher
        values["1.1"] = min(values["1.1"] + 1, Decimal(MAXIMA["1.1"]))
        values["2.2"] = min(values["2.2"] + Decimal("0.5"), Decimal(MAXIMA["2.2"]))
    elif stage == Stage.CROSS and unit_name != "Ban Quản lý Khu kinh tế":
        values["1.3"] = max(values["1.3"] - Decimal("0.5"), Decimal(0))
    out = {code: str(v) for code, v in values.items()}
    out.update({"C1": c1, "C2": c2, "T1": t1, "T2": "0"})
    return out


def _fill(bloc_year: BlocYear, table: CriteriaTable, actor) -> None:
    criteria = {c.code: c.pk for c in table.criteria.all()}
    units = {u.name: u for u in Unit.objects.filter(memberships__bloc_year=bloc_year)}
    for stage in (Stage.SELF, Stage.CROSS, Stage.VERIFIED):
        cells = [
            services.CellInput(units[name].pk, criteria[code], 0, value)
            for name in VERIFIED_2019
            for code, value in _stage_values(name, stage).items()
        ]
        services.scores_save(bloc_year=bloc_year, stage=stage, cells=cells, actor=actor, note=NOTE)


@transaction.atomic
def demo_load() -> list[tuple[str, str]]:
    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    board = user_model.objects.get(username="ban.tdkt")
    leader = user_model.objects.get(username="lanhdao")
    years = {
        by.year: by
        for by in BlocYear.objects.select_related("bloc__province").filter(
            bloc__province__code="quang-binh", bloc__name=QB_BLOC, year__in=[2019, 2020]
        )
    }
    by2019, by2020 = years[2019], years[2020]
    table = CriteriaTable.objects.filter(bloc_year=by2019).first()
    if table is None:
        table = services.criteria_table_create(
            province=by2019.bloc.province,
            year=2019,
            bloc_year=by2019,
            name=TABLE_NAME,
            groups=TABLE,
            bonus_cap=Decimal("5"),
            penalty_cap=Decimal("5"),
            actor=admin,
        )
    if by2019.status == BlocYear.Status.IN_PROGRESS:
        # The table is fixed and scoring opens (blocs.cycle); the scores are then entered.
        cycle.bloc_year_open_scoring(bloc_year=by2019, actor=admin)
    state = ScoringYear.objects.filter(bloc_year=by2019).first()
    if state is None or not state.locked:
        if not ScoreValue.objects.filter(sheet__bloc_year=by2019).exists():
            _fill(by2019, table, admin)
        now = timezone.now()
        sheets = ScoreSheet.objects.filter(bloc_year=by2019)
        sheets.filter(self_submitted_at__isnull=True).update(self_submitted_at=now)
        sheets.filter(unit__name="Ban Quản lý Khu kinh tế").update(
            self_submitted_by=leader, self_submitted_by_username=leader.username
        )
        sheets.filter(cross_submitted_at__isnull=True).update(cross_submitted_at=now)
        services.scoring_verify(bloc_year=by2019, actor=board)
    if services.criteria_table_for_bloc_year(bloc_year=by2020) is None:
        services.criteria_table_copy_previous(bloc_year=by2020, actor=admin)
    return []
