"""Pages and endpoints: the grid's JSON save (errors, conflicts, refusals), imports with a
row-by-row report, exports (.xlsx and the PDF through the document pipeline), history,
locking pages, and constant query counts."""

import io
import json
import subprocess
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from blocs import services as bloc_services
from documents.models import DocumentJob
from scoring import services
from scoring.models import CriteriaTable, ScoreValue, ScoringYear, Stage

from ..conftest import needs_pdftotext, year_reach
from .conftest import FULL, save

pytestmark = pytest.mark.django_db


def client_for(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def post_cells(client, bloc_year, stage, cells):
    return client.post(
        reverse("scoring:grid_save", args=[bloc_year.pk, stage]),
        data=json.dumps({"cells": cells}),
        content_type="application/json",
    )


def test_grid_save_endpoint_saves_and_returns_versions_and_totals(world, table, crit):
    client = client_for(world, "secretariat_here")
    response = post_cells(
        client,
        world.bloc_year,
        "cross",
        [
            {"unit": world.member.pk, "criterion": crit["1.1"].pk, "version": 0, "value": "8,5"},
            {"unit": world.member.pk, "criterion": crit["C1"].pk, "version": 0, "value": "3"},
            {"unit": world.member.pk, "criterion": crit["C2"].pk, "version": 0, "value": "3"},
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["message"] == "Đã lưu 3 ô."
    assert body["saved"][f"{world.member.pk}:{crit['1.1'].pk}"] == {"value": "8,5", "version": 1}
    assert body["totals"][str(world.member.pk)]["total"] == "13,5"  # bonus capped at 5


def test_grid_save_endpoint_reports_each_bad_cell_and_saves_nothing(world, table, crit):
    client = client_for(world, "secretariat_here")
    response = post_cells(
        client,
        world.bloc_year,
        "cross",
        [
            {"unit": world.member.pk, "criterion": crit["1.1"].pk, "version": 0, "value": "8"},
            {"unit": world.member.pk, "criterion": crit["1.2"].pk, "version": 0, "value": "10,5"},
            {"unit": world.deputy.pk, "criterion": crit["1.1"].pk, "version": 0, "value": "-2"},
        ],
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors == {
        f"{world.member.pk}:{crit['1.2'].pk}": "Vượt điểm tối đa: tối đa 10 điểm.",
        f"{world.deputy.pk}:{crit['1.1'].pk}": "Điểm không được âm.",
    }
    assert not ScoreValue.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"cells": []}',
        b'{"cells": [{"unit": "x", "criterion": 1}]}',
        b'{"cells": [{"unit": 1}]}',
        b'{"cells": [{"unit": 1, "criterion": 2, "value": {"a": 1}}]}',
        b'{"cells": [{"unit": 1, "criterion": 2, "comment": 5}]}',
    ],
)
def test_grid_save_endpoint_refuses_malformed_bodies(world, table, body):
    client = client_for(world, "secretariat_here")
    response = client.post(
        reverse("scoring:grid_save", args=[world.bloc_year.pk, "cross"]),
        data=body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Dữ liệu gửi lên không hợp lệ."


def test_grid_save_endpoint_conflict_and_forbidden(world, table, crit):
    save(world.bloc_year, Stage.CROSS, world.users["admin"], world.member, crit, {"1.1": "7"})
    client = client_for(world, "secretariat_here")
    cell = {"unit": world.member.pk, "criterion": crit["1.1"].pk, "version": 0, "value": "9"}
    response = post_cells(client, world.bloc_year, "cross", [cell])
    assert response.status_code == 409
    conflict = response.json()["conflicts"][f"{world.member.pk}:{crit['1.1'].pk}"]
    assert conflict["value"] == "7" and conflict["by"] == "admin"
    # The board may read the cross grid but not write it; staff may not write the cross stage.
    assert (
        post_cells(client_for(world, "board_here"), world.bloc_year, "cross", [cell]).status_code
        == 403
    )
    assert (
        post_cells(client_for(world, "staff_member"), world.bloc_year, "cross", [cell]).status_code
        == 403
    )
    assert post_cells(client, world.bloc_year, "bogus", [cell]).status_code == 404
    # A secretariat of another bloc cannot even see this bloc-year.
    assert (
        post_cells(
            client_for(world, "secretariat_other"), world.bloc_year, "cross", [cell]
        ).status_code
        == 403
    )
    assert ScoreValue.objects.get().value == D("7")


def test_grid_page_renders_rows_and_escapes_names(world, table, crit):
    world.member.name = "Sở <script>alert(1)</script>"
    world.member.save()
    save(
        world.bloc_year,
        Stage.CROSS,
        world.users["secretariat_here"],
        world.member,
        crit,
        {"1.1": "8,5"},
    )
    response = client_for(world, "secretariat_here").get(
        reverse("scoring:grid", args=[world.bloc_year.pk, "cross"])
    )
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    data = response.context["grid"]
    assert [c["code"] for c in data["criteria"]] == [
        "1.1",
        "1.2",
        "2.1",
        "2.2",
        "C1",
        "C2",
        "T1",
        "T2",
    ]
    row = next(r for r in data["rows"] if r["unit"] == world.member.pk)
    assert row["cells"][0][:2] == ["8,5", 1] and row["editable"]


def test_cross_scorer_sees_only_assigned_rows(world, table):
    services.cross_assignment_set(
        bloc_year=world.bloc_year, pairs=[(world.head.pk, world.member.pk)], actor=None
    )
    response = client_for(world, "leader_member").get(
        reverse("scoring:grid", args=[world.bloc_year.pk, "cross"])
    )
    assert [r["unit"] for r in response.context["grid"]["rows"]] == [world.member.pk]
    assert (
        client_for(world, "leader_member")
        .get(reverse("scoring:grid", args=[world.bloc_year.pk, "self"]))
        .status_code
        == 403
    )


def test_cell_history_page(world, table, crit):
    secretariat = world.users["secretariat_here"]
    save(world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "8"})
    save(world.bloc_year, Stage.CROSS, secretariat, world.member, crit, {"1.1": "9,5"}, {"1.1": 1})
    sheet = ScoreValue.objects.get().sheet
    url = reverse("scoring:cell_history", args=[sheet.pk, crit["1.1"].pk])
    html = client_for(world, "board_here").get(url).content.decode()
    assert (
        "Lịch sử thay đổi" in html
        and "9,5" in html
        and "Chấm chéo" in html
        and "secretariat.here" in html
    )
    partial = client_for(world, "board_here").get(url, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "9,5" in partial.content.decode()


def test_verify_and_reopen_pages(world, table, crit):
    board = client_for(world, "board_here")
    url = reverse("scoring:verify", args=[world.bloc_year.pk])
    response = board.post(url, follow=True)
    assert "Chưa thể khóa" in response.content.decode()
    for unit in (world.head, world.deputy, world.member):
        save(world.bloc_year, Stage.VERIFIED, world.users["board_here"], unit, crit, FULL)
    units = [str(u.pk) for u in (world.head, world.deputy, world.member)]
    response = board.post(url, {"confirm": "on", "unit": units}, follow=True)
    assert "Đã thẩm định và khóa" in response.content.decode()
    assert ScoringYear.objects.get().locked
    reopen = reverse("scoring:reopen", args=[world.bloc_year.pk])
    response = board.post(reopen, {"reason": ""})
    assert response.status_code == 400 and ScoringYear.objects.get().locked
    assert 'id="reason-errors">Cần nêu lý do.' in response.content.decode()
    response = board.post(reopen, {"reason": "ngắn"})
    assert "Lý do cần ít nhất 10 ký tự." in response.content.decode()
    board.post(reopen, {"reason": "Đơn vị khiếu nại điểm tiêu chí 2.1"})
    assert not ScoringYear.objects.get().locked


def test_scoreboard_page_shows_ranks_classification_and_missing(world, table, crit):
    board_user = world.users["board_here"]
    save(world.bloc_year, Stage.VERIFIED, board_user, world.head, crit, FULL)
    save(world.bloc_year, Stage.VERIFIED, board_user, world.deputy, crit, FULL)
    save(world.bloc_year, Stage.VERIFIED, board_user, world.member, crit, {**FULL, "2.1": "10"})
    response = client_for(world, "staff_member").get(
        reverse("scoring:scoreboard", args=[world.bloc_year.pk])
    )
    html = response.content.decode()
    rows = response.context["board"]["rows"]
    assert [(r.unit.name, r.rank) for r in rows] == [
        ("Ban Quản lý Khu kinh tế", 1),
        ("Sở Giao thông vận tải", 1),
        ("Sở Xây dựng", 2),
    ]
    assert rows[0].classification == "Hoàn thành xuất sắc nhiệm vụ"  # 47,5/50 = 95%
    assert rows[2].classification == "Hoàn thành nhiệm vụ"  # 39,5/50 = 79%
    assert "chưa nộp tự chấm" in html
    assert "Tạo PDF" not in html  # members see, managers export


def xlsx_upload(rows, name="bang.xlsx", meta=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    wb = Workbook()
    ws = wb.active
    for label, value in (
        meta
        if meta is not None
        else [("Tên bảng", "Bảng nhập thử"), ("Trần điểm cộng", 5), ("Trần điểm trừ", "4,5")]
    ):
        ws.append([label, value])
    ws.append([])
    ws.append(["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn chấm"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


GOOD_ROWS = [
    ["Nhóm", "I", "Nhiệm vụ chuyên môn"],
    ["Tiêu chí", "1.1", "Hoàn thành chỉ tiêu", 60, "Có", "Mỗi chỉ tiêu không đạt trừ 5 điểm"],
    ["Tiêu chí", "1.2", "Cải cách hành chính", "40", "Không"],
    ["Nhóm", "II", "Cộng, trừ"],
    ["Điểm cộng", "C1", "Sáng kiến", "2,5", ""],
    ["Điểm trừ", "T1", "Chậm báo cáo", 1, "không"],
]


def test_import_a_table_from_xlsx(world):
    client = client_for(world, "secretariat_here")
    url = reverse("scoring:table_import", args=[world.bloc_year.pk])
    response = client.post(url, {"file": xlsx_upload(GOOD_ROWS)})
    table = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    assert response.status_code == 302 and response.url == reverse(
        "scoring:table_detail", args=[table.pk]
    )
    assert table.name == "Bảng nhập thử" and table.penalty_cap == D("4.5")
    criteria = list(
        table.criteria.order_by("position").values_list(
            "code", "kind", "max_points", "evidence_required"
        )
    )
    assert criteria == [
        ("1.1", "regular", D("60"), True),
        ("1.2", "regular", D("40"), False),
        ("C1", "bonus", D("2.5"), False),
        ("T1", "penalty", D("1"), False),
    ]
    # Round trip: the export imports again as the same table (replacing it: no scores yet).
    exported = client.get(reverse("scoring:table_export", args=[table.pk]))
    from django.core.files.uploadedfile import SimpleUploadedFile

    again = client.post(
        url, {"file": SimpleUploadedFile("x.xlsx", exported.content), "replace": "on"}
    )
    assert again.status_code == 302
    new = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    assert (
        list(
            new.criteria.order_by("position").values_list(
                "code", "kind", "max_points", "evidence_required"
            )
        )
        == criteria
    )


def test_import_with_any_bad_row_imports_nothing_and_reports_each_row(world):
    client = client_for(world, "secretariat_here")
    url = reverse("scoring:table_import", args=[world.bloc_year.pk])
    rows = [
        ["Tiêu chí", "0.1", "Trước mọi nhóm", 5, "Có"],
        ["Nhóm", "I", "Nhóm một"],
        ["Tiêu chí", "1.1", "Hợp lệ", 10, "Có"],
        ["Tiêu chí", "1.1", "Mã trùng", 10, "Có"],
        ["Tiêu chí", "1.3", "", "mười", "Có"],
        ["Tiêu chí", "1.4", "Âm", -1, "Có"],
        ["Tiêu chí", "1.5", "Ba số lẻ", "1,255", "Có"],
        ["Loại lạ", "1.6", "Không rõ loại", 1, "Có"],
        ["Điểm cộng", "C1", "Minh chứng lạ", 1, "Có lẽ"],
    ]
    response = client.post(url, {"file": xlsx_upload(rows)})
    assert response.status_code == 400
    assert not CriteriaTable.objects.exists()
    report = {r.row: r.errors for r in response.context["parsed"].report}
    html = response.content.decode()
    assert "Tiêu chí phải nằm dưới một dòng Nhóm." in report[6][0]
    assert report[8] == []
    assert report[9] == ["Mã trùng với dòng 8."]
    assert report[10] == ["Thiếu nội dung.", "Điểm tối đa “mười” không phải là số."]
    assert report[11] == ["Điểm tối đa phải lớn hơn 0."]
    assert report[12] == ["Điểm tối đa chỉ được có tối đa 2 chữ số thập phân."]
    assert "Loại “Loại lạ” không hợp lệ" in report[13][0]
    assert "chỉ nhận “Có” hoặc “Không”" in report[14][0]
    assert "chưa nhập gì" in html


def test_import_refuses_other_files(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world, "secretariat_here")
    url = reverse("scoring:table_import", args=[world.bloc_year.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bang.csv", b"a,b")})
    assert response.status_code == 400 and "Chỉ nhận tệp .xlsx." in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("bang.xlsx", b"not a zip")})
    assert "Tệp không phải là bảng tính .xlsx hợp lệ." in response.content.decode()
    response = client.post(url, {"file": xlsx_upload(GOOD_ROWS, meta=[])})
    assert "Thiếu tên bảng" in response.content.decode()
    response = client.post(url, {"file": xlsx_upload(GOOD_ROWS), "shared": "on"})
    assert "Chỉ Ban Thi đua - Khen thưởng tạo bảng dùng chung." in response.content.decode()
    assert not CriteriaTable.objects.exists()


def test_scoreboard_and_sheets_xlsx(world, table, crit):
    for unit in (world.head, world.deputy, world.member):
        save(world.bloc_year, Stage.VERIFIED, world.users["board_here"], unit, crit, FULL)
    client = client_for(world, "secretariat_here")
    response = client.get(reverse("scoring:scoreboard_xlsx", args=[world.bloc_year.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert "Bảng tổng hợp kết quả chấm điểm" in ws["A1"].value
    assert [c.value for c in ws[4]][:5] == ["STT", "Đơn vị", "Tự chấm", "Chấm chéo", "Thẩm định"]
    assert ws["E5"].value == 47.5 and ws["H5"].value == 1
    response = client.get(reverse("scoring:sheets_xlsx", args=[world.bloc_year.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Tự chấm", "Chấm chéo", "Thẩm định", "Tiêu chí"]
    assert wb["Thẩm định"]["B3"].value == 10


@needs_pdftotext
def test_scoreboard_pdf_through_the_document_pipeline(
    world, table, crit, django_capture_on_commit_callbacks, tmp_path
):
    for unit in (world.head, world.deputy, world.member):
        save(world.bloc_year, Stage.VERIFIED, world.users["board_here"], unit, crit, FULL)
    client = client_for(world, "secretariat_here")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:request", args=[world.bloc_year.pk, "scoreboard"])
        )
    assert response.status_code == 302
    job = DocumentJob.objects.get(kind="scoreboard")
    assert job.status == DocumentJob.Status.DONE, job.error
    pdf = tmp_path / "board.pdf"
    pdf.write_bytes(job.file.read())
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split()
    )
    for leak in ("{#", "#}", "{%", "{{"):  # no template source in the document
        assert leak not in text, leak
    for expected in (
        "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Ban Quản lý Khu kinh tế",
        "47,5",
        "Thứ Nhất",
        "Hoàn thành xuất sắc nhiệm vụ",
    ):
        assert expected in text, expected
    # Members may read the scoreboard but not request its PDF.
    response = client_for(world, "staff_member").post(
        reverse("documents:request", args=[world.bloc_year.pk, "scoreboard"])
    )
    assert response.status_code == 403


def test_copy_last_year_table_from_the_bloc_year_page(world, table):
    next_year = bloc_services.bloc_year_create(
        bloc=world.bloc, year=2021, members=[world.head, world.member]
    )
    client = client_for(world, "board_here")
    response = client.post(reverse("scoring:table_copy", args=[next_year.pk]))
    copy = CriteriaTable.objects.get(bloc_year=next_year)
    assert response.url == reverse("scoring:table_detail", args=[copy.pk])
    page = client.get(reverse("blocs:bloc_year_detail", args=[next_year.pk])).content.decode()
    assert "Bảng chấm điểm năm 2021" in page


# --- constant query counts -------------------------------------------------------------------


def _grow(world, units: int, criteria: int):
    """A bloc-year with `units` members and a table of `criteria` regular criteria, every
    cross value filled."""
    from blocs.models import Unit

    members = [
        bloc_services.unit_create(province=world.province, name=f"Đơn vị thử {units}-{i}")
        for i in range(units)
    ]
    by = bloc_services.bloc_year_create(
        bloc=world.bloc, year=2000 + units, members=members, head=members[0], deputy=members[1]
    )
    bloc_services.role_assign(
        user=world.users["secretariat_here"], role="secretariat", bloc_year=by
    )
    world.users["secretariat_here"].__dict__.pop("_kt_scopes", None)
    spec = [
        {
            "code": "G",
            "name": "Nhóm",
            "criteria": [
                {"code": f"{i}", "name": f"Tiêu chí {i}", "max_points": "10"}
                for i in range(criteria)
            ]
            + [{"code": "B", "name": "Cộng", "kind": "bonus", "max_points": "2"}],
        }
    ]
    t = services.criteria_table_create(
        province=world.province, year=by.year, bloc_year=by, name="T", groups=spec
    )
    year_reach(by, "scoring")
    cells = [
        services.CellInput(u.pk, c.pk, 0, "1")
        for u in Unit.objects.filter(pk__in=[m.pk for m in members])
        for c in t.criteria.all()
    ]
    services.scores_save(bloc_year=by, stage=Stage.CROSS, cells=cells, actor=world.users["admin"])
    return by, t, members


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _whole_grid_cells(by, t, members, value):
    versions = dict(
        ScoreValue.objects.filter(sheet__bloc_year=by, stage=Stage.CROSS).values_list(
            "pk", "version"
        )
    )
    rows = ScoreValue.objects.filter(sheet__bloc_year=by, stage=Stage.CROSS).values_list(
        "sheet__unit_id", "criterion_id", "pk"
    )
    return [
        {"unit": u, "criterion": c, "version": versions[pk], "value": value} for u, c, pk in rows
    ]


@pytest.mark.parametrize("name", ["scoring:grid", "scoring:scoreboard", "scoring:grid_save"])
def test_constant_queries_whatever_the_size(world, name, django_assert_num_queries):
    small = _grow(world, 2, 3)
    large = _grow(world, 7, 12)
    client = client_for(world, "secretariat_here")

    def hit(by, t, members):
        if name == "scoring:grid":
            response = client.get(reverse(name, args=[by.pk, "cross"]))
        elif name == "scoring:scoreboard":
            response = client.get(reverse(name, args=[by.pk]))
        else:
            response = post_cells(client, by, "cross", _whole_grid_cells(by, t, members, "1,5"))
        assert response.status_code == 200, response.content[:500]
        return response

    if name == "scoring:grid_save":
        cells_small = _whole_grid_cells(*small, "1,5")
        cells_large = _whole_grid_cells(*large, "1,5")
        url_small = reverse(name, args=[small[0].pk, "cross"])
        url_large = reverse(name, args=[large[0].pk, "cross"])
        with CaptureQueriesContext(connection) as ctx:
            client.post(
                url_small, json.dumps({"cells": cells_small}), content_type="application/json"
            )
        n = len(ctx.captured_queries)
        with django_assert_num_queries(n):
            response = client.post(
                url_large, json.dumps({"cells": cells_large}), content_type="application/json"
            )
        assert response.json()["message"] == f"Đã lưu {len(cells_large)} ô."
        return
    n = _count(lambda: hit(*small))
    with django_assert_num_queries(n):
        hit(*large)


def test_secretariat_assigns_cross_scorers(world, table):
    from scoring.models import CrossAssignment

    client = client_for(world, "secretariat_here")
    url = reverse("scoring:assignments", args=[world.bloc_year.pk])
    pair = f"{world.head.pk}:{world.member.pk}"
    response = client.post(url, {"pair": [pair, f"{world.deputy.pk}:{world.head.pk}"]})
    assert response.status_code == 302
    assert set(CrossAssignment.objects.values_list("scorer_id", "target_id")) == {
        (world.head.pk, world.member.pk),
        (world.deputy.pk, world.head.pk),
    }
    page = client.get(url).content.decode()
    assert f'value="{pair}" aria-label="Ban Quản lý Khu kinh tế → Sở Xây dựng" checked' in page
    # Scoring oneself, a unit of another bloc and garbage are refused; nothing changes.
    for bad in (
        f"{world.head.pk}:{world.head.pk}",
        f"{world.non_member.pk}:{world.head.pk}",
        "x:y",
    ):
        response = client.post(url, {"pair": [bad]}, follow=True)
        assert response.status_code == 200
        assert "alert-danger" in response.content.decode()
    assert CrossAssignment.objects.count() == 2


def test_progress_lists_who_has_not_submitted(world, table, crit):
    from scoring.models import ScoreSheet

    ScoreSheet.objects.filter(unit=world.head).update(self_submitted_at="2020-12-01T00:00:00Z")
    response = client_for(world, "secretariat_here").get(
        reverse("scoring:progress", args=[world.bloc_year.pk])
    )
    html = response.content.decode()
    assert "2 đơn vị chưa nộp phiếu tự chấm:" in html
    assert "Sở Giao thông vận tải; Sở Xây dựng." in html


def test_grid_page_never_serves_stale_data(world, table, crit):
    client = client_for(world, "secretariat_here")
    url = reverse("scoring:grid", args=[world.bloc_year.pk, "cross"])

    def cell():
        data = json.loads(
            client.get(url)
            .content.decode()
            .split('id="grid-data" type="application/json">')[1]
            .split("</script>")[0]
        )
        row = next(r for r in data["rows"] if r["unit"] == world.member.pk)
        return row["cells"][0], row["editable"]

    assert cell() == (["", 0, 0], True)
    assert cell() == (["", 0, 0], True)
    save(world.bloc_year, Stage.CROSS, world.users["admin"], world.member, crit, {"1.1": "8,5"})
    assert cell() == (["8,5", 1, 0], True)
    from scoring.models import ScoreSheet

    sheet = ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.member)
    sheet.cross_submitted_at = "2020-12-01T00:00:00Z"
    sheet.save()
    assert cell() == (["8,5", 1, 0], False)
