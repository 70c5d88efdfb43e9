"""Verification that adds up (issue 12): the board sees which units lack a self-assessment
or a closed cross stage and confirms them before the lock (or the rule set refuses), and
after the lock every page and export tells the same story, from scoring.selectors."""

import io
import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.models import AuditEvent
from rules.models import RuleSet
from scoring import services
from scoring.models import ScoreSheet, ScoringYear, ScoringYearEvent, Stage

from .conftest import FULL, save

pytestmark = pytest.mark.django_db

ALL_THREE = "Ban Quản lý Khu kinh tế; Sở Giao thông vận tải; Sở Xây dựng"


def client_for(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).replace(" .", ".")


def fill(world, crit, stages=(Stage.CROSS, Stage.VERIFIED)):
    users = {
        Stage.CROSS: world.users["secretariat_here"],
        Stage.VERIFIED: world.users["board_here"],
    }
    for stage in stages:
        for unit in (world.head, world.deputy, world.member):
            save(world.bloc_year, stage, users[stage], unit, crit, FULL)


def verify_url(world):
    return reverse("scoring:verify", args=[world.bloc_year.pk])


def scoreboard_url(world):
    return reverse("scoring:scoreboard", args=[world.bloc_year.pk])


def locked() -> bool:
    state = ScoringYear.objects.first()
    return bool(state and state.locked)


def test_verify_without_self_assessments_asks_to_confirm_the_listed_units(world, table, crit):
    fill(world, crit)
    board = client_for(world, "board_here")
    page = text(board.get(scoreboard_url(world)))
    # The card names the units before anything is posted, with the box to tick.
    assert f"3 đơn vị chưa nộp tự chấm: {ALL_THREE}." in page
    assert f"3 đơn vị chưa hoàn tất chấm chéo: {ALL_THREE}." in page
    html = board.get(scoreboard_url(world)).content.decode()
    assert 'id="verify-confirm" required' in html
    for unit in (world.head, world.deputy, world.member):
        assert f'name="unit" value="{unit.pk}"' in html

    # One click without the confirmation: refused, the same units named, nothing locked.
    response = board.post(verify_url(world))
    assert response.status_code == 400 and not locked()
    page = text(response)
    assert f"Chưa khóa: cần xác nhận thẩm định khi 3 đơn vị chưa nộp tự chấm: {ALL_THREE}." in page
    assert 'class="invalid-feedback d-block" id="verify-errors"' in response.content.decode()
    # Ticking the box for a shorter list than the one that lacks: the rest is named.
    units = [str(world.head.pk), str(world.deputy.pk)]
    response = board.post(verify_url(world), {"confirm": "on", "unit": units})
    assert response.status_code == 400 and not locked()
    assert "1 đơn vị chưa nộp tự chấm: Sở Xây dựng." in text(response)
    # The ids without the ticked box are no confirmation either.
    all_units = [*units, str(world.member.pk)]
    assert board.post(verify_url(world), {"unit": all_units}).status_code == 400
    # Garbage ids: refused, nothing locked, never a 5xx.
    response = board.post(verify_url(world), {"confirm": "on", "unit": ["1 OR 1=1"]}, follow=True)
    assert response.status_code == 200 and "Dữ liệu gửi lên không hợp lệ." in text(response)
    assert not locked()

    response = board.post(verify_url(world), {"confirm": "on", "unit": all_units}, follow=True)
    assert "Đã thẩm định và khóa kết quả chấm điểm." in text(response) and locked()
    event = ScoringYearEvent.objects.get(action=ScoringYearEvent.Action.LOCK)
    assert event.reason == (
        f"Không nộp tự chấm (đã thẩm định): {ALL_THREE}. "
        f"Không hoàn tất chấm chéo (đã thẩm định): {ALL_THREE}."
    )
    audit = AuditEvent.objects.filter(action="scoring_verify").get()
    assert audit.data["without_self_assessment"] == ALL_THREE.split("; ")


def test_a_sheet_returned_after_the_page_was_shown_is_not_locked_unseen(world, table, crit):
    fill(world, crit)
    now = timezone.now()
    ScoreSheet.objects.filter(bloc_year=world.bloc_year).update(cross_submitted_at=now)
    ScoreSheet.objects.filter(unit=world.head).update(self_submitted_at=now)
    board = client_for(world, "board_here")
    page = text(board.get(scoreboard_url(world)))
    assert "2 đơn vị chưa nộp tự chấm: Sở Giao thông vận tải; Sở Xây dựng." in page
    assert "chưa hoàn tất chấm chéo" not in page
    shown = [str(world.deputy.pk), str(world.member.pk)]
    # Meanwhile the secretariat returns the head's self-assessment.
    services.score_stage_return(
        sheet=ScoreSheet.objects.get(unit=world.head),
        stage=Stage.SELF,
        reason="Thiếu minh chứng tiêu chí 1.2",
        actor=world.users["secretariat_here"],
    )
    response = board.post(verify_url(world), {"confirm": "on", "unit": shown})
    assert response.status_code == 400 and not locked()
    assert "1 đơn vị chưa nộp tự chấm: Ban Quản lý Khu kinh tế." in text(response)


def test_nothing_to_confirm_locks_in_one_step(world, table, crit):
    fill(world, crit)
    now = timezone.now()
    ScoreSheet.objects.filter(bloc_year=world.bloc_year).update(
        self_submitted_at=now, cross_submitted_at=now
    )
    board = client_for(world, "board_here")
    html = board.get(scoreboard_url(world)).content.decode()
    assert 'id="verify-confirm"' not in html and 'id="verify-button"' in html
    board.post(verify_url(world))
    assert locked()
    assert ScoringYearEvent.objects.get().reason == ""


def test_a_rule_set_requiring_the_self_assessment_refuses_with_its_reason(world, table, crit):
    RuleSet.objects.create(
        province=world.province,
        year=2020,
        name="Quy chế thi đua khối tỉnh Quảng Bình",
        verification_requires_self_assessment=True,
    )
    fill(world, crit)
    ScoreSheet.objects.filter(unit=world.head).update(self_submitted_at=timezone.now())
    reason = (
        "Chưa thể thẩm định và khóa: Quy chế thi đua khối tỉnh Quảng Bình yêu cầu mọi đơn vị "
        "nộp phiếu tự chấm trước khi thẩm định; chưa nộp: Sở Giao thông vận tải; Sở Xây dựng."
    )
    with pytest.raises(ValidationError) as exc:
        services.scoring_verify(
            bloc_year=world.bloc_year,
            actor=world.users["board_here"],
            confirmed_unit_ids=[world.head.pk, world.deputy.pk, world.member.pk],
        )
    assert exc.value.messages == [reason]
    board = client_for(world, "board_here")
    page = board.get(scoreboard_url(world))
    # The card says why before anyone clicks, and offers no button.
    assert 'id="verify-refused"' in page.content.decode()
    assert 'id="verify-button"' not in page.content.decode()
    assert reason.removeprefix("Chưa thể thẩm định và khóa: ") in text(page)
    units = [str(u.pk) for u in (world.head, world.deputy, world.member)]
    response = board.post(verify_url(world), {"confirm": "on", "unit": units}, follow=True)
    assert reason in text(response) and not locked()
    # Cross scoring is not required by this rule set: once every self-assessment is in,
    # the open cross stages are confirmed and the year is locked.
    ScoreSheet.objects.filter(bloc_year=world.bloc_year).update(self_submitted_at=timezone.now())
    board.post(verify_url(world), {"confirm": "on", "unit": units})
    assert locked()


def test_a_rule_set_requiring_cross_scoring_refuses_too(world, table, crit):
    RuleSet.objects.create(
        province=world.province,
        year=2019,
        name="Quy chế 2019",
        verification_requires_cross_scoring=True,
    )
    fill(world, crit)
    with pytest.raises(ValidationError) as exc:
        services.scoring_verify(bloc_year=world.bloc_year, actor=world.users["board_here"])
    assert (
        "Quy chế 2019 yêu cầu mọi phiếu hoàn tất chấm chéo trước khi thẩm định"
        in (exc.value.messages[0])
    )
    assert not locked()


def _stories(world):
    """What every page and export says about the world's year, as text."""
    board = client_for(world, "board_here")
    secretariat = client_for(world, "secretariat_here")
    member_sheet = ScoreSheet.objects.get(unit=world.member)
    xlsx = board.get(reverse("scoring:scoreboard_xlsx", args=[world.bloc_year.pk]))
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in ws[4]]
    column = header.index("Tình trạng")
    return {
        "scoreboard": text(board.get(scoreboard_url(world))),
        "xlsx": " | ".join(str(row[column].value or "") for row in ws.iter_rows(min_row=5)),
        "sheet": text(secretariat.get(reverse("scoring:sheet_detail", args=[member_sheet.pk]))),
        "progress": text(secretariat.get(reverse("scoring:progress", args=[world.bloc_year.pk]))),
        "panel": text(
            client_for(world, "staff_member").get(
                reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])
            )
        ),
        "staff dashboard": text(client_for(world, "staff_member").get(reverse("core:dashboard"))),
        "leader dashboard": text(client_for(world, "leader_member").get(reverse("core:dashboard"))),
        "secretariat dashboard": text(secretariat.get(reverse("core:dashboard"))),
    }


def test_after_the_lock_every_page_tells_the_same_story(world, table, crit):
    fill(world, crit)  # cross values complete (4/4) but no cross stage closed, none submitted
    before = _stories(world)
    # Before the lock: what is truly missing, the same words on each page.
    assert "Còn thiếu: chưa nộp tự chấm; chưa hoàn tất chấm chéo" in before["scoreboard"]
    assert before["xlsx"].count("Còn thiếu: chưa nộp tự chấm; chưa hoàn tất chấm chéo") == 3
    for page in ("sheet", "progress"):
        assert "Chưa hoàn tất đã chấm 4/4 tiêu chí" in before[page], page
        assert "Chưa nộp đã chấm 0/4 tiêu chí" in before[page], page
    for page in ("staff dashboard", "leader dashboard"):
        assert "Phiếu tự chấm" in before[page] and "chưa nộp" in before[page], page
    assert "nhập điểm chấm chéo" in before["secretariat dashboard"]

    units = [world.head.pk, world.deputy.pk, world.member.pk]
    state = services.scoring_verify(
        bloc_year=world.bloc_year, actor=world.users["board_here"], confirmed_unit_ids=units
    )
    day = timezone.localtime(state.locked_at).strftime("%d/%m/%Y")
    lock = f"Đã thẩm định, khóa ngày {day}"
    after = _stories(world)
    for page in ("scoreboard", "xlsx", "sheet", "progress", "panel", "secretariat dashboard"):
        assert lock in after[page], page
    for page in ("scoreboard", "xlsx", "sheet", "progress", "panel"):
        story = after[page].lower()
        assert "không nộp tự chấm (đã thẩm định)" in story, page
        assert "còn thiếu" not in story and "chưa nộp tự chấm" not in story, page
    for page in ("scoreboard", "xlsx", "sheet", "progress"):
        assert "không hoàn tất chấm chéo (đã thẩm định)" in after[page].lower(), page
        assert "Chưa hoàn tất" not in after[page], page
    assert (
        after["xlsx"].count(
            f"{lock}; không nộp tự chấm (đã thẩm định); không hoàn tất chấm chéo (đã thẩm định)"
        )
        == 3
    )
    # The dashboards no longer list the self-assessment as work to do.
    for page in ("staff dashboard", "leader dashboard"):
        assert "Phiếu tự chấm" not in after[page] and "chưa nộp" not in after[page], page
    assert "nhập điểm chấm chéo" not in after["secretariat dashboard"]
    assert "Phiếu còn thiếu" not in after["scoreboard"]

    # The PDF of the scoreboard says it too (its template, as the worker renders it).
    from documents.models import DocumentJob
    from scoring.documents import SCOREBOARD

    job = DocumentJob(kind="scoreboard", bloc_year=world.bloc_year, created_at=timezone.now())
    pdf = re.sub(r"\s+", " ", render_to_string(SCOREBOARD.template, SCOREBOARD.build_context(job)))
    assert f"{lock}." in pdf and "Kết quả chưa được thẩm định" not in pdf
    assert "Sở Xây dựng (không nộp tự chấm (đã thẩm định)" in pdf


def test_the_classification_thresholds_are_shown_once_as_a_legend(world, table, crit):
    response = client_for(world, "staff_member").get(scoreboard_url(world))
    html = response.content.decode()
    assert html.count('id="classification-legend"') == 1
    legend = text(response).split("Ngưỡng xếp loại theo")[1]
    # Maximum 50 points: the example's 95 / 80 / 50 / 0 percent bands.
    assert "Hoàn thành xuất sắc nhiệm vụ : từ 95% (47,5 điểm) trở lên" in legend
    assert "Hoàn thành tốt nhiệm vụ : từ 80% (40 điểm) đến dưới 95% (47,5 điểm)" in legend
    assert "Hoàn thành nhiệm vụ : từ 50% (25 điểm) đến dưới 80% (40 điểm)" in legend
    assert "Không hoàn thành nhiệm vụ : dưới 50% (25 điểm)" in legend

    from documents.models import DocumentJob
    from scoring.documents import SCOREBOARD

    job = DocumentJob(kind="scoreboard", bloc_year=world.bloc_year, created_at=timezone.now())
    pdf = render_to_string(SCOREBOARD.template, SCOREBOARD.build_context(job))
    assert "Hoàn thành tốt nhiệm vụ: từ 80% (40 điểm) đến dưới 95% (47,5 điểm)" in pdf


def test_a_legend_in_points(world, table):
    RuleSet.objects.create(
        province=world.province,
        year=2020,
        name="Quy chế theo điểm",
        classification_bands=[
            {"code": "a", "label": "Xuất sắc", "min_points": 45},
            {"code": "b", "label": "Hoàn thành", "min_points": 30},
        ],
    )
    legend = text(client_for(world, "staff_member").get(scoreboard_url(world)))
    assert "Xuất sắc : từ 45 điểm trở lên" in legend
    assert "Hoàn thành : từ 30 điểm đến dưới 45 điểm" in legend


def test_the_pages_touched_cost_the_same_queries_locked_or_not(world, table, crit):
    """The state comes with the data each page already loads: locking adds no query."""
    fill(world, crit)
    sheet = ScoreSheet.objects.get(unit=world.member)
    pages = {
        "secretariat_here": [
            reverse("scoring:scoreboard", args=[world.bloc_year.pk]),
            reverse("scoring:progress", args=[world.bloc_year.pk]),
            reverse("scoring:sheet_detail", args=[sheet.pk]),
            reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]),
            reverse("core:dashboard"),
        ],
        "staff_member": [reverse("core:dashboard")],
    }

    def counts():
        out = {}
        for role, urls in pages.items():
            client = client_for(world, role)
            for url in urls:
                client.get(url)  # warm the session and caches
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(url).status_code == 200
                out[(role, url)] = len(ctx.captured_queries)
        return out

    before = counts()
    services.scoring_verify(
        bloc_year=world.bloc_year,
        actor=world.users["board_here"],
        confirmed_unit_ids=[world.head.pk, world.deputy.pk, world.member.pk],
    )
    assert counts() == before
