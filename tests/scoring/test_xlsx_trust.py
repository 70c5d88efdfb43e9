"""Excel is hostile input both ways (issue 7, item 5): exports write user text as text,
never as a formula; the import refuses formula cells, files that expand too far or have
too many rows (before any row is parsed), and damaged files, and its report stops at 200
errors."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from lxml import etree
from openpyxl import Workbook, load_workbook

from blocs import services as bloc_services
from scoring import services, xlsx
from scoring.management.commands.bench_import import (
    SHEET_START,
    many_rows_xlsx,
    raw_xlsx,
    row_xml,
)
from scoring.models import CriteriaTable

pytestmark = pytest.mark.django_db

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
HYPERLINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
HOSTILE = [HYPERLINK, DDE, "+1+2", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "#N/A"]


def client_for(world, role):
    client = Client()
    client.force_login(world.users[role])
    return client


def hostile_table(world):
    return services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name=HYPERLINK,
        groups=[
            {
                "code": "=1+1",
                "name": DDE,
                "criteria": [
                    {"code": f"1.{i}", "name": text, "max_points": "10", "guidance": text}
                    for i, text in enumerate(HOSTILE, start=1)
                ],
            }
        ],
        bonus_cap=Decimal(0),
        penalty_cap=Decimal(0),
    )


def assert_no_formula(content: bytes) -> dict[str, tuple]:
    """Every worksheet of the file: no <f> element at all, and each cell holding one of
    the hostile strings is a text cell. Returns {text: (value read back, data_type)}."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            root = etree.fromstring(archive.read(name))
            assert root.findall(f".//{MAIN_NS}f") == [], name
            for c in root.iter(f"{MAIN_NS}c"):
                text = "".join(c.itertext())
                if text.lstrip("\t\r").startswith(("=", "+", "-", "@", "#")):
                    assert c.get("t") == "inlineStr", (name, c.get("r"), text)
    found = {}
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in HOSTILE or cell.value in (DDE, "=1+1"):
                    found[cell.value] = (cell.value, cell.data_type)
    return found


def test_table_export_writes_formula_like_text_as_text_and_imports_again(world):
    table = hostile_table(world)
    client = client_for(world, "secretariat_here")
    content = client.get(reverse("scoring:table_export", args=[table.pk])).content
    found = assert_no_formula(content)
    assert found[HYPERLINK] == (HYPERLINK, "s")
    assert found[DDE] == (DDE, "s")
    assert set(HOSTILE) <= set(found)
    assert all(data_type == "s" for _value, data_type in found.values())
    ws = load_workbook(io.BytesIO(content)).active
    # Excel's own marker for "typed as text" (the leading apostrophe), value unchanged.
    assert ws["B1"].value == HYPERLINK and ws["B1"].quotePrefix is True
    # The export is the import template: the same names come back, as text.
    response = client.post(
        reverse("scoring:table_import", args=[world.bloc_year.pk]),
        {"file": SimpleUploadedFile("x.xlsx", content), "replace": "on"},
    )
    assert response.status_code == 302, response.context["parsed"].report
    new = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    assert new.name == HYPERLINK
    names = list(new.criteria.order_by("position").values_list("name", flat=True))
    assert names == [text.strip() for text in HOSTILE]  # the import trims every cell


def test_scoreboard_and_sheets_exports_write_unit_and_criterion_names_as_text(world):
    bloc_services.unit_update(unit=world.member, province=world.province, name=DDE)
    hostile_table(world)
    client = client_for(world, "secretariat_here")
    board = client.get(reverse("scoring:scoreboard_xlsx", args=[world.bloc_year.pk]))
    assert board.status_code == 200
    assert assert_no_formula(board.content)[DDE] == (DDE, "s")
    sheets = client.get(reverse("scoring:sheets_xlsx", args=[world.bloc_year.pk]))
    assert sheets.status_code == 200
    found = assert_no_formula(sheets.content)
    assert found[DDE] == (DDE, "s") and found[HYPERLINK] == (HYPERLINK, "s")


def test_export_drops_control_characters_instead_of_failing(world):
    services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name="Bảng\x01 có ký tự điều khiển\x0b",
        groups=[
            {
                "code": "I",
                "name": "Nhóm",
                "criteria": [{"code": "1", "name": "Tiêu chí\x07", "max_points": "1"}],
            }
        ],
        bonus_cap=Decimal(0),
        penalty_cap=Decimal(0),
    )
    table = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    response = client_for(world, "secretariat_here").get(
        reverse("scoring:table_export", args=[table.pk])
    )
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).active["B1"].value == (
        "Bảng có ký tự điều khiển"
    )


# --- import -------------------------------------------------------------------------------


def template_upload(rows, name="bang.xlsx"):
    wb = Workbook()
    ws = wb.active
    for row in (["Tên bảng", "Bảng nhập thử"], ["Trần điểm cộng", 5], ["Trần điểm trừ", 5], []):
        ws.append(row)
    ws.append(["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn chấm"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def post_import(world, upload):
    return client_for(world, "secretariat_here").post(
        reverse("scoring:table_import", args=[world.bloc_year.pk]), {"file": upload}
    )


def test_import_refuses_formula_cells_with_a_row_error(world):
    upload = template_upload(
        [
            ["Nhóm", "I", "Nhóm một"],
            ["Tiêu chí", "1.1", "Hợp lệ", 10, "Có"],
            ["Tiêu chí", "1.2", "Điểm là công thức", "=5*2", "Có"],
            ["Tiêu chí", "1.3", '=HYPERLINK("http://x","y")', 10, "Không"],
        ]
    )
    response = post_import(world, upload)
    assert response.status_code == 400
    assert not CriteriaTable.objects.exists()
    report = {r.row: r.errors for r in response.context["parsed"].report}
    assert report[7] == []
    assert report[8] == [
        "Ô D8 chứa công thức: phần mềm chỉ nhận giá trị. Hãy nhập giá trị (hoặc dán dạng "
        "giá trị) thay cho công thức."
    ]
    assert report[9][0].startswith("Ô C9 chứa công thức")
    html = response.content.decode()
    assert "Ô D8 chứa công thức" in html and "chưa nhập gì" in html


def test_import_refuses_a_formula_in_the_caps_too(world):
    wb = Workbook()
    ws = wb.active
    for row in (["Tên bảng", "Bảng"], ["Trần điểm cộng", "=2+3"], []):
        ws.append(row)
    ws.append(["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc"])
    ws.append(["Nhóm", "I", "Nhóm"])
    ws.append(["Tiêu chí", "1", "Một", 1, "Có"])
    out = io.BytesIO()
    wb.save(out)
    response = post_import(world, SimpleUploadedFile("b.xlsx", out.getvalue()))
    assert response.status_code == 400
    assert response.context["parsed"].report[0].errors[0].startswith("Ô B2 chứa công thức")
    assert not CriteriaTable.objects.exists()


@pytest.fixture
def no_parsing(monkeypatch):
    """Fails the test if the workbook is opened at all."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(xlsx, "load_workbook", refuse)


def test_the_two_million_row_file_is_refused_before_parsing(world, no_parsing):
    out = io.BytesIO()
    many_rows_xlsx(out, 2_000_000)
    assert len(out.getvalue()) < 1024 * 1024  # small upload, under the 2 MB limit
    response = post_import(world, SimpleUploadedFile("bom.xlsx", out.getvalue()))
    assert response.status_code == 400
    errors = response.context["parsed"].file_errors
    assert errors == [
        "Tệp giải nén ra 215,5 MB (trang tính lớn nhất 215,5 MB), quá giới hạn 10 MB của một "
        "bảng chấm điểm. Hãy xóa các dòng, trang tính hoặc hình ảnh thừa rồi lưu lại."
    ]
    assert errors[0] in response.content.decode()
    assert not CriteriaTable.objects.exists()


def test_row_cap_refuses_without_reading_past_it(world, settings, monkeypatch):
    settings.SCORING_IMPORT_MAX_ROWS = 50
    out = io.BytesIO()
    many_rows_xlsx(out, 5_000)
    seen = []
    real = xlsx.load_workbook

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsx, "load_workbook", spy)
    parsed = xlsx.parse_table_xlsx(io.BytesIO(out.getvalue()))
    assert seen == [{"read_only": True, "data_only": False}]
    assert parsed.file_errors == [
        "Trang tính có hơn 50 dòng: bảng chấm điểm nhập từ Excel có tối đa 50 dòng. Hãy xóa "
        "các dòng thừa (cả dòng trống đã định dạng) ở cuối."
    ]
    assert parsed.report == []  # refused as a whole, no row was validated


def sheet(*parts: bytes) -> bytes:
    out = io.BytesIO()
    raw_xlsx(out, [SHEET_START, *parts, b"</worksheet>"])
    return out.getvalue()


def test_row_cap_counts_the_rows_a_far_row_number_implies(settings):
    """<row r="1000000"> alone makes openpyxl yield a million empty rows before it."""
    settings.SCORING_IMPORT_MAX_ROWS = 100
    content = sheet(
        b'<sheetData><row r="1000000"><c t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    parsed = xlsx.parse_table_xlsx(io.BytesIO(content))
    assert parsed.file_errors and "hơn 100 dòng" in parsed.file_errors[0]


def test_a_declared_size_that_lies_hides_no_row():
    """openpyxl stops at the declared <dimension>; the import reads what is there."""
    rows = "".join(
        row_xml(r)
        for r in (
            ["Tên bảng", "Bảng"],
            ["Loại", "Mã", "Nội dung", "Điểm tối đa"],
            ["Nhóm", "I", "Nhóm"],
            ["Tiêu chí", "1", "Một", 5],
            ["Tiêu chí", "1", "Hai", 5],  # a duplicate code: the row the lie would hide
        )
    )
    content = sheet(b'<dimension ref="A1:D3"/><sheetData>' + rows.encode() + b"</sheetData>")
    parsed = xlsx.parse_table_xlsx(io.BytesIO(content))
    assert {r.row: r.errors for r in parsed.report} == {3: [], 4: [], 5: ["Mã trùng với dòng 4."]}


def test_declared_size_over_the_cap_is_refused_at_once(settings, monkeypatch):
    settings.SCORING_IMPORT_MAX_ROWS = 10
    content = sheet(b'<dimension ref="A1:F1048576"/><sheetData></sheetData>')
    parsed = xlsx.parse_table_xlsx(io.BytesIO(content))
    assert "hơn 10 dòng" in parsed.file_errors[0]


NOT_XLSX = "Tệp không phải là bảng tính .xlsx hợp lệ."
DAMAGED = "Không đọc được nội dung bảng tính (tệp bị hỏng?). Hãy mở và lưu lại bằng Excel."
LAUGHS = (
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b']><sheetData><row><c t="inlineStr"><is><t>&i;</t></is></c></row></sheetData>'
)


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"not a zip", NOT_XLSX),
        (lambda: b"PK\x03\x04 truncated", NOT_XLSX),
        (_zip_without_workbook, NOT_XLSX),  # a .docx renamed
        (lambda: sheet(b"<sheetData><row><c><v>1</v></row></sheetData>"), NOT_XLSX),
        (lambda: sheet(LAUGHS), NOT_XLSX),  # entity expansion ("billion laughs")
        (lambda: sheet(b'<sheetData><row><c t="s"><v>99</v></c></row></sheetData>'), DAMAGED),
    ],
    ids=["text", "truncated-zip", "docx", "broken-xml", "entities", "bad-shared-string"],
)
def test_damaged_or_foreign_files_get_a_vietnamese_error_never_a_5xx(world, make, message):
    response = post_import(world, SimpleUploadedFile("bang.xlsx", make()))
    assert response.status_code == 400
    assert response.context["parsed"].file_errors == [message]
    assert message in response.content.decode()
    assert not CriteriaTable.objects.exists()


def test_report_shows_the_first_200_errors_and_counts_the_rest(world, settings):
    settings.SCORING_IMPORT_MAX_ROWS = 30_000
    out = io.BytesIO()
    many_rows_xlsx(out, 20_000)  # every row lacks its maximum
    response = post_import(world, SimpleUploadedFile("bang.xlsx", out.getvalue()))
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="table-danger"') == 200
    assert "… và 19.800 lỗi khác (chỉ hiện 200 lỗi đầu tiên;" in html
    assert len(response.content) < 100 * 1024  # was 3.2 MB for these rows
    parsed = response.context["parsed"]
    assert sum(not r.ok for r in parsed.report) == 20_000 and parsed.errors_not_shown == 19_800


def test_report_under_the_limit_shows_every_row(world):
    upload = template_upload(
        [["Nhóm", "I", "Nhóm"], *[["Tiêu chí", f"1.{i}", "x", "mười", "Có"] for i in range(5)]]
    )
    response = post_import(world, upload)
    html = response.content.decode()
    assert html.count('class="table-danger"') == 5
    assert "lỗi khác" not in html
