"""Demo reports, recorded through the services as the seed reports describe them:

- the unnamed province's 2019 year-end report (seeds/001): its narrative from the report,
  07 units "hoàn thành xuất sắc nhiệm vụ" and 01 "hoàn thành tốt nhiệm vụ" recorded as the
  board's classification of a year scored on paper (the report does not name the unit
  rated "tốt": which one is illustrative, and its source says so), put on the agenda of
  the meeting of 11/12/2019, approved there and signed by the head unit's leader
  (Đặng Trọng Thắng, Sở Giao thông Vận tải; account `lanhdao.sgtvt.001`);
- the Bắc Kạn 2018 mid-year report (seeds/003) as the draft the deputy (Sở Công Thương)
  presented at the meeting of 20/07/2018;
- the Quảng Bình 2019 year-end report (seeds/000) as a draft on the agenda of the meeting
  of 13/01/2020, with the seed's ranking from the scoring demo.

Idempotent: a report that exists is left as it is."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from blocs import services as bloc_services
from blocs.demo import DEMO_PASSWORD, QB_BLOC
from blocs.models import BlocYear, RoleAssignment, Unit

from . import services
from .models import Report

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNNAMED_BLOC = "Khối thi đua Kinh tế ngành"
BK_BLOC = "Khối thi đua Kinh tế - Kỹ thuật"
UNNAMED_GOOD = "Sở Khoa học và Công nghệ"
UNNAMED_LEADER = "lanhdao.sgtvt.001"
UNNAMED_LEADER_LABEL = "Lãnh đạo Sở Giao thông Vận tải (bản tin 001), Trưởng khối 2019"
UNNAMED_SOURCE = (
    "Bảng điểm năm 2019 do Ban Thi đua, Khen thưởng (Sở Nội vụ) công bố tại hội nghị ngày "
    "11/12/2019 (bản tin 001: 07 đơn vị hoàn thành xuất sắc, 01 đơn vị hoàn thành tốt "
    "nhiệm vụ; đơn vị xếp loại tốt không được nêu tên, minh họa)"
)

UNNAMED_TEXT = {
    "results_text": (
        "Năm 2019, phong trào thi đua của khối đã được triển khai đồng bộ, hiệu quả ở các lĩnh "
        "vực, nội dung các phong trào đã bám sát chương trình công tác trọng tâm của UBND "
        "tỉnh, nhiệm vụ chính trị của từng đơn vị, phát huy tinh thần đoàn kết, sáng tạo của "
        "toàn thể cán bộ, công chức, viên chức, người lao động, góp phần cải tiến lề lối làm "
        "việc, nâng cao năng suất lao động, hoàn thành thắng lợi nhiệm vụ của từng đơn vị.\n"
        "Lĩnh vực nông nghiệp và phát triển nông thôn: giá trị sản xuất nông nghiệp năm 2019 "
        "tăng 1,7% so với năm 2018; toàn tỉnh có 98/98 xã đạt chuẩn nông thôn mới.\n"
        "Lĩnh vực công thương: tổng giá trị sản xuất công nghiệp trên địa bàn tỉnh ước đạt "
        "108.500 tỷ đồng, tăng 16,3% so với năm 2018."
    ),
    "shortcomings_text": (
        "Hình thức, nội dung một số phong trào thi đua chưa được đổi mới thường xuyên, chưa "
        "gắn chặt với nhiệm vụ chính trị của từng ngành, từng lĩnh vực (nội dung minh họa: bản "
        "tin chỉ nêu yêu cầu của Lãnh đạo UBND tỉnh)."
    ),
    "tasks_text": (
        "Các đơn vị trong khối chủ động xây dựng 10 nhiệm vụ trọng tâm, xây dựng kế hoạch cụ "
        "thể để có giải pháp phấn đấu hoàn thành trước thời hạn.\n"
        "Tiếp tục đổi mới hình thức, nội dung thi đua phù hợp với đặc thù của từng cơ quan; "
        "kịp thời biểu dương, khen thưởng và nhân rộng các mô hình điểm, điển hình tiên tiến "
        "trong khối; gắn các phong trào với chào mừng Đại hội Đảng các cấp nhiệm kỳ 2020 - 2025."
    ),
}

BK_TEXT = {
    "results_text": (
        "Trong 6 tháng đầu năm, các đơn vị thành viên trong toàn Khối đã chủ động, quyết tâm "
        "cao phấn đấu hoàn thành các nhiệm vụ chính trị được giao, bằng việc đẩy mạnh các "
        "phong trào thi đua trên các lĩnh vực, tập trung triển khai đồng bộ các giải pháp "
        "nhằm đảm bảo đạt và vượt các chỉ tiêu của phong trào thi đua mà UBND tỉnh và Khối "
        "đã phát động."
    ),
    "shortcomings_text": (
        "Việc tổ chức triển khai, thực hiện các phong trào thi đua chưa phong phú, đa dạng về "
        "hình thức; công tác khen thưởng, bình xét và công nhận danh hiệu ở một số đơn vị "
        "chưa được chặt chẽ."
    ),
    "tasks_text": (
        "Tiếp tục tăng cường sự lãnh đạo của các cấp ủy đảng trong công tác thi đua, khen "
        "thưởng; đổi mới công tác thi đua, khen thưởng; tiếp tục đẩy mạnh công tác tuyên "
        "truyền thi đua, khen thưởng đến các tập thể và cá nhân trong đơn vị."
    ),
}

QB_TEXT = {
    "results_text": (
        "Năm 2019, phong trào thi đua của khối đã được triển khai đồng bộ, hiệu quả ở các lĩnh "
        "vực, bám sát chương trình công tác trọng tâm của UBND tỉnh và nhiệm vụ chính trị của "
        "từng đơn vị; nhiệm vụ cải cách hành chính được các sở, ngành trong khối đặc biệt "
        "quan tâm chỉ đạo và thực hiện."
    ),
    "shortcomings_text": "",
    "tasks_text": (
        "Năm 2020, khối tiếp tục đẩy mạnh phong trào thi đua thực hiện mục tiêu của từng ngành "
        "đã phát động; tích cực hưởng ứng phong trào thi đua do tỉnh phát động, thiết thực chào "
        "mừng kỷ niệm các ngày lễ lớn trong năm."
    ),
}


def _admin():
    return get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _bloc_year(code: str, bloc: str, year: int) -> BlocYear | None:
    return (
        BlocYear.objects.select_related("bloc__province")
        .filter(bloc__province__code=code, bloc__name=bloc, year=year)
        .first()
    )


def _meeting(bloc_year: BlocYear, kind: str):
    from meetings.models import Meeting

    return Meeting.objects.filter(bloc_year=bloc_year, kind=kind).order_by("held_on").first()


def _leader(username: str, full_name: str, unit: Unit):
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
    return user


def _draft(
    bloc_year: BlocYear, kind: str, text: dict, actor, meeting_kind: str, presenter: str = ""
):
    report = services.report_create(bloc_year=bloc_year, kind=kind, actor=actor)
    if report.status != Report.Status.DRAFT:
        return report
    fields = dict(text)
    if presenter:
        fields["presenter"] = presenter
    services.report_narrative_update(report=report, actor=actor, **fields)
    meeting = _meeting(bloc_year, meeting_kind)
    if meeting is not None and report.meeting_id is None:
        report = services.report_attach(report=report, meeting=meeting, actor=actor)
    return report


def _unnamed(actor, accounts: list) -> None:
    from awards.models import ClassificationRecord
    from awards.services import classification_record_set

    bloc_year = _bloc_year("chua-ro-ten", UNNAMED_BLOC, 2019)
    if bloc_year is None or Report.objects.filter(bloc_year=bloc_year, kind="year_end").exists():
        return
    units = {m.unit.name: m.unit for m in bloc_year.memberships.select_related("unit")}
    for name, unit in units.items():
        if not ClassificationRecord.objects.filter(unit=unit, year=2019).exists():
            classification_record_set(
                unit=unit,
                year=2019,
                classification="good" if name == UNNAMED_GOOD else "excellent",
                source=UNNAMED_SOURCE,
                actor=actor,
            )
    head = units.get("Sở Giao thông Vận tải")
    if head is None:
        return
    leader = _leader(UNNAMED_LEADER, "Đặng Trọng Thắng", head)
    report = _draft(bloc_year, "year_end", UNNAMED_TEXT, actor, "year_end")
    if report.meeting_id is None:
        return
    meeting_day = report.meeting.held_on
    report = services.report_approve(
        report=report,
        actor=actor,
        _historical_at=dt.datetime.combine(meeting_day, dt.time(10, 30), tzinfo=TZ),
    )
    services.report_sign(
        report=report,
        user=leader,
        password=DEMO_PASSWORD,
        _historical_at=dt.datetime.combine(meeting_day, dt.time(16, 0), tzinfo=TZ),
    )


def demo_load() -> list[tuple[str, str]]:
    actor = _admin()
    accounts: list[tuple[str, str]] = []
    with transaction.atomic():
        _unnamed(actor, accounts)
    # Listed on every load (the output of a second load is the same as the first's).
    if get_user_model().objects.filter(username=UNNAMED_LEADER).exists():
        accounts.append((UNNAMED_LEADER, UNNAMED_LEADER_LABEL))
    bk = _bloc_year("bac-kan", BK_BLOC, 2018)
    if bk is not None and not Report.objects.filter(bloc_year=bk, kind="mid_year").exists():
        with transaction.atomic():
            _draft(
                bk,
                "mid_year",
                BK_TEXT,
                actor,
                "mid_year",
                presenter="Vũ Đức Chính, Giám đốc Sở Công Thương (đơn vị Phó Trưởng khối)",
            )
    qb = _bloc_year("quang-binh", QB_BLOC, 2019)
    if qb is not None and not Report.objects.filter(bloc_year=qb, kind="year_end").exists():
        with transaction.atomic():
            _draft(qb, "year_end", QB_TEXT, actor, "year_end")
    return accounts
