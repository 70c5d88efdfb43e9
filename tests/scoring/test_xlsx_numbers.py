"""Numbers in the Excel exports (issue 12): a number is a number cell with a number format,
which Excel and LibreOffice show with the decimal separator of the user's locale (9,50 in
Vietnamese); text that holds a number writes it the Vietnamese way ("Điểm tối đa: 50,5"),
never "50.50"."""

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from blocs.models import BlocYear
from scoring import services, xlsx
from scoring.models import Criterion, Stage

from ..conftest import year_reach
from .conftest import save

pytestmark = pytest.mark.django_db

# 100.00, 9.5, 0.25: a number written with a decimal point, as text.
DOT_DECIMAL = re.compile(r"(?<![\d.])\d+\.\d+(?![\d.])")
SPEC = [
    {
        "code": "I",
        "name": "Nhiệm vụ",
        "criteria": [
            {"code": "1.1", "name": "Chỉ tiêu", "max_points": Decimal("20.5")},
            {"code": "1.2", "name": "Cải cách hành chính", "max_points": Decimal("30")},
        ],
    },
    {
        "code": "II",
        "name": "Điểm cộng, điểm trừ",
        "criteria": [
            {"code": "C1", "name": "Sáng kiến", "kind": "bonus", "max_points": Decimal("2.5")},
            {"code": "T1", "name": "Chậm", "kind": "penalty", "max_points": Decimal("1.5")},
        ],
    },
]


@pytest.fixture
def scored(world):
    """A table of 50,5 points; three units verified, one of them with fractions."""
    table = services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name="Bảng có điểm lẻ",
        groups=SPEC,
        bonus_cap=Decimal("2.5"),
        penalty_cap=Decimal("1.5"),
    )
    year_reach(world.bloc_year, BlocYear.Status.SCORING, actor=world.users["secretariat_here"])
    crit = {c.code: c for c in Criterion.objects.filter(table=table)}
    board = world.users["board_here"]
    save(world.bloc_year, Stage.VERIFIED, board, world.head, crit, {"1.1": "20,5", "1.2": "30"})
    save(
        world.bloc_year,
        Stage.VERIFIED,
        board,
        world.deputy,
        crit,
        {"1.1": "19,25", "1.2": "28", "C1": "1,5", "T1": "0,5"},
    )
    save(world.bloc_year, Stage.VERIFIED, board, world.member, crit, {"1.1": "10", "1.2": "15"})
    return table


def download(world, url_name, pk):
    client = Client()
    client.force_login(world.users["secretariat_here"])
    response = client.get(reverse(url_name, args=[pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield ws.title, cell


def assert_numbers_are_numbers(wb, codes: set[str]) -> list:
    """Every number is a number cell with a number format; no text holds a dot-decimal
    number (criterion codes such as "1.1" are names, not numbers). Returns the number cells."""
    numbers = []
    for title, cell in cells(wb):
        if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
            assert cell.data_type == "n", (title, cell.coordinate)
            assert cell.number_format in (xlsx.POINTS_FORMAT, xlsx.COUNT_FORMAT), (
                title,
                cell.coordinate,
                cell.number_format,
            )
            numbers.append(cell)
        else:
            assert cell.data_type == "s", (title, cell.coordinate, cell.data_type)
            if cell.value not in codes:
                assert not DOT_DECIMAL.search(cell.value), (title, cell.coordinate, cell.value)
    return numbers


CODES = {"I", "II", "1.1", "1.2", "C1", "T1"}


def test_scoreboard_text_has_the_decimal_comma_and_its_numbers_are_number_cells(world, scored):
    wb = download(world, "scoring:scoreboard_xlsx", world.bloc_year.pk)
    ws = wb.active
    assert ws["A2"].value.startswith("Điểm tối đa: 50,5;")  # was "Điểm tối đa: 50.50"
    numbers = assert_numbers_are_numbers(wb, CODES)
    assert len(numbers) >= 3 * 5  # STT, verified total, bonus, penalty, rank per unit
    by_unit = {ws.cell(row=r, column=2).value: r for r in range(5, ws.max_row + 1)}
    deputy = by_unit[world.deputy.name]
    assert ws.cell(row=deputy, column=5).value == 48.25  # 19,25 + 28 + 1,5 - 0,5
    assert ws.cell(row=deputy, column=5).number_format == "#,##0.00"
    assert ws.cell(row=deputy, column=6).value == 1.5
    assert ws.cell(row=deputy, column=1).number_format == "0"  # STT
    assert ws.cell(row=deputy, column=8).number_format == "0"  # rank
    # The reasons are text and write their numbers the Vietnamese way too.
    reasons = " ".join(str(ws.cell(row=deputy, column=c).value or "") for c in (10, 11))
    assert "48,25" in reasons or "50,5" in reasons, reasons


def test_sheets_export_numbers_are_number_cells(world, scored):
    wb = download(world, "scoring:sheets_xlsx", world.bloc_year.pk)
    numbers = assert_numbers_are_numbers(wb, CODES)
    assert {cell.number_format for cell in numbers} == {xlsx.POINTS_FORMAT}
    verified = wb["Thẩm định"]
    assert [c.value for c in verified[2]][1:5] == [20.5, 30, 2.5, 1.5]  # the maxima row
    assert 19.25 in [c.value for c in verified["B"]]
    assert [c.value for c in wb["Tiêu chí"]["D"]][1:] == [20.5, 30, 2.5, 1.5]


def test_table_export_numbers_are_number_cells_and_import_again(world, scored):
    wb = download(world, "scoring:table_export", scored.pk)
    ws = wb.active
    numbers = assert_numbers_are_numbers(wb, CODES)
    assert {c.coordinate for c in numbers} >= {"B2", "B3", "D7", "D8", "D10", "D11"}
    assert (ws["B2"].value, ws["B3"].value, ws["D7"].value) == (2.5, 1.5, 20.5)
    # The number cells read back as the same numbers: the export is the import template.
    parsed = xlsx.parse_table_xlsx(io.BytesIO(_saved(wb)))
    assert parsed.ok, [r.errors for r in parsed.report if not r.ok] + parsed.file_errors
    maxima = [c["max_points"] for g in parsed.groups for c in g["criteria"]]
    assert maxima == [Decimal("20.5"), Decimal("30"), Decimal("2.5"), Decimal("1.5")]
    assert (parsed.bonus_cap, parsed.penalty_cap) == (Decimal("2.5"), Decimal("1.5"))


def test_the_check_catches_a_dot_decimal_in_text_and_a_number_written_as_text(world, scored):
    """The assertions above can fail: the old "Điểm tối đa: 50.50", or a score stored as
    the text "9,5", is caught."""
    wb = download(world, "scoring:scoreboard_xlsx", world.bloc_year.pk)
    wb.active["A2"].value = "Điểm tối đa: 50.50; quy chế: x"
    with pytest.raises(AssertionError, match="50.50"):
        assert_numbers_are_numbers(wb, CODES)
    wb = download(world, "scoring:sheets_xlsx", world.bloc_year.pk)
    wb["Thẩm định"]["B3"].value = "19.25"
    with pytest.raises(AssertionError, match="19.25"):
        assert_numbers_are_numbers(wb, CODES)
    wb = download(world, "scoring:sheets_xlsx", world.bloc_year.pk)
    wb["Thẩm định"]["B3"].number_format = "General"
    with pytest.raises(AssertionError, match="General"):
        assert_numbers_are_numbers(wb, CODES)


def _saved(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
