"""Excel (.xlsx, openpyxl) import and export: the criteria table (round trip, with a
row-by-row validation report), the scoreboard and the sheets.

Spreadsheets are hostile input both ways. Exports write every string as a text cell, never
a formula (a name typed as `=HYPERLINK(...)` must not run for whoever opens the file).
The import reads only files whose uncompressed size and row count are bounded, checked
before any row is parsed, and refuses formula cells."""

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.numbers import parse_vn_decimal
from core.uploads import size_text

from .models import Criterion, Stage
from .totals import fmt

KINDS = {
    "nhóm": "group",
    "tiêu chí": Criterion.Kind.REGULAR,
    "điểm cộng": Criterion.Kind.BONUS,
    "điểm trừ": Criterion.Kind.PENALTY,
}
KIND_LABELS = {
    Criterion.Kind.REGULAR: "Tiêu chí",
    Criterion.Kind.BONUS: "Điểm cộng",
    Criterion.Kind.PENALTY: "Điểm trừ",
}
HEADER = ["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn chấm"]
YES = {"có", "x", "1", "true", "yes"}
NO = {"không", "", "0", "false", "no"}
BOLD = Font(bold=True)
# OWASP "CSV/formula injection": text starting with one of these may be read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The import report lists the rows up to this many bad rows, then counts the others.
REPORT_MAX_ERRORS = 200
# Numbers are number cells. Excel's format codes are locale-neutral: "." and "," stand for
# the decimal and thousands separators of whoever opens the file, so Excel or LibreOffice
# in Vietnamese shows 1.234,50 and 9,50. Points keep their two decimals: "0.##" would leave
# a bare separator on whole numbers ("10,").
POINTS_FORMAT = "#,##0.00"
COUNT_FORMAT = "0"


def _cell(ws, value: Any) -> Any:
    """A string becomes a text cell (inline string, t="inlineStr"): openpyxl would store
    "=..." as a formula and "#N/A" as an error. Text that a spreadsheet could still take
    for a formula when edited also gets Excel's quote prefix (shown as text, kept as text,
    the value itself unchanged, so that the export imports again as it was)."""
    if not isinstance(value, str):
        return value
    cell = Cell(ws)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters break the file
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def _append(ws, values: list) -> None:
    ws.append([_cell(ws, v) for v in values])


def _response_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number_format(ws, *, min_row: int, columns: range, number_format: str) -> None:
    for row in ws.iter_rows(min_row=min_row, min_col=columns.start, max_col=columns.stop - 1):
        for cell in row:
            cell.number_format = number_format


def _autosize(ws, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def table_to_xlsx(table: Any, spec: list[dict], *, note: str = "") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng chấm điểm"
    _append(ws, ["Tên bảng", table.name])
    _append(ws, ["Trần điểm cộng", table.bonus_cap])
    _append(ws, ["Trần điểm trừ", table.penalty_cap])
    _append(ws, [note] if note else [])  # above the header: the import skips it
    _append(ws, HEADER)
    for cell in ws[5]:
        cell.font = BOLD
    for g in spec:
        _append(ws, ["Nhóm", g["code"], g["name"], None, None, None])
        ws.cell(row=ws.max_row, column=3).font = BOLD
        for c in g["criteria"]:
            _append(
                ws,
                [
                    KIND_LABELS[c["kind"]],
                    c["code"],
                    c["name"],
                    c["max_points"],
                    "Có" if c["evidence_required"] else "Không",
                    c["guidance"],
                ],
            )
    ws["B2"].number_format = ws["B3"].number_format = POINTS_FORMAT  # the caps
    _number_format(ws, min_row=6, columns=range(4, 5), number_format=POINTS_FORMAT)
    _autosize(ws, {1: 14, 2: 8, 3: 70, 4: 12, 5: 12, 6: 50})
    return _response_bytes(wb)


TEMPLATE_NOTE = (
    "Hướng dẫn: mỗi dòng dưới dòng tiêu đề là một Nhóm, Tiêu chí, Điểm cộng hoặc Điểm trừ "
    "(cột Loại); tiêu chí nằm dưới nhóm của nó; Điểm tối đa là số (ví dụ 10 hoặc 2,5); "
    "Minh chứng bắt buộc: Có hoặc Không. Dòng này không được nhập."
)


def table_template_xlsx(
    *, name: str, spec: list[dict], bonus_cap: Any = 0, penalty_cap: Any = 0
) -> bytes:
    """A table to start from, in the export's layout (so the import reads it back): the
    empty template (spec with one group and no criteria) or the shipped example."""
    table = SimpleNamespace(name=name, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    full = [
        {
            "code": g["code"],
            "name": g["name"],
            "criteria": [
                {
                    "code": c["code"],
                    "name": c["name"],
                    "kind": c.get("kind", Criterion.Kind.REGULAR),
                    "max_points": Decimal(str(c["max_points"])),  # a number cell, not text
                    "evidence_required": c.get("evidence_required", False),
                    "guidance": c.get("guidance", ""),
                }
                for c in g["criteria"]
            ],
        }
        for g in spec
    ]
    return table_to_xlsx(table, full, note=TEMPLATE_NOTE)


@dataclass
class RowReport:
    row: int
    text: str
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedTable:
    name: str = ""
    bonus_cap: Decimal = Decimal(0)
    penalty_cap: Decimal = Decimal(0)
    groups: list[dict] = field(default_factory=list)
    report: list[RowReport] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    report_limit = REPORT_MAX_ERRORS  # not a field: the template shows it

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(r.ok for r in self.report)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.report if not r.ok)

    @property
    def report_shown(self) -> list[RowReport]:
        """The report up to its 200th bad row (report_limit): a page of 20,000 errors
        helps nobody and costs megabytes."""
        bad = 0
        for i, r in enumerate(self.report):
            bad += not r.ok
            if bad == self.report_limit:
                return self.report[: i + 1]
        return self.report

    @property
    def errors_not_shown(self) -> int:
        return sum(1 for r in self.report if not r.ok) - sum(
            1 for r in self.report_shown if not r.ok
        )

    @property
    def errors_not_shown_text(self) -> str:
        """The count with the language's thousands separator ("19.800" in Vietnamese)."""
        return f"{self.errors_not_shown:,}".replace(",", get_format("THOUSAND_SEPARATOR"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
    """The one place where the import reads a number."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):  # a TRUE/FALSE cell is no number
        raise ValueError
    if isinstance(value, int | float | Decimal):
        d = Decimal(str(value))
    else:
        try:
            d = parse_vn_decimal(_text(value), max_digits=7, decimal_places=2, allow_negative=True)
        except InvalidOperation:
            raise ValueError from None
    if not d.is_finite():
        raise ValueError
    return d


class FileRefused(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _not_xlsx() -> FileRefused:
    return FileRefused(_("Tệp không phải là bảng tính .xlsx hợp lệ."))


def _check_archive(upload: Any) -> None:
    """Before anything is decompressed: the file is a zip holding a workbook, and what it
    would expand to is bounded. ZipInfo.file_size is what the archive declares, and it is
    enough: zipfile never returns more than the declared size of a member (it stops there
    and fails the CRC), so nothing can expand past the sum checked here."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _not_xlsx() from None
    finally:
        upload.seek(0)
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx()
    limit = settings.SCORING_IMPORT_MAX_UNCOMPRESSED_BYTES
    total = sum(info.file_size for info in infos)
    sheets = [i.file_size for i in infos if i.filename.startswith("xl/worksheets/")]
    if total > limit:
        raise FileRefused(
            _(
                "Tệp giải nén ra %(size)s (trang tính lớn nhất %(sheet)s), quá giới hạn "
                "%(limit)s của một bảng chấm điểm. Hãy xóa các dòng, trang tính hoặc hình "
                "ảnh thừa rồi lưu lại."
            )
            % {
                "size": size_text(total),
                "sheet": size_text(max(sheets, default=0)),
                "limit": size_text(limit),
            }
        )


def _too_many_rows() -> FileRefused:
    return FileRefused(
        _(
            "Trang tính có hơn %(max)s dòng: bảng chấm điểm nhập từ Excel có tối đa "
            "%(max)s dòng. Hãy xóa các dòng thừa (cả dòng trống đã định dạng) ở cuối."
        )
        % {"max": settings.SCORING_IMPORT_MAX_ROWS}
    )


def _read_rows(upload: Any) -> tuple[list[tuple], dict[int, list[str]]]:
    """The first worksheet's rows (values of columns A-F, numbered from 1) and, by row,
    the cells holding a formula. Stops at the row cap before reading further."""
    _check_archive(upload)
    cap = settings.SCORING_IMPORT_MAX_ROWS
    try:
        # Not data_only: a formula cell must be seen as one (data_type "f") to be refused;
        # its cached value may be anything the author's spreadsheet computed.
        wb = load_workbook(upload, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for non-xlsx content
        raise _not_xlsx() from None
    try:
        if not wb.worksheets:
            raise _not_xlsx()
        ws = wb.worksheets[0]
        if (ws.max_row or 0) > cap:  # the declared size, when there is one
            raise _too_many_rows()
        # A declared size smaller than the data would make openpyxl drop rows silently:
        # count the rows that are really there instead.
        ws.reset_dimensions()
        rows: list[tuple] = []
        formulas: dict[int, list[str]] = {}
        for number, cells in enumerate(ws.iter_rows(max_col=6), start=1):
            if number > cap:
                raise _too_many_rows()
            values = []
            for column, cell in enumerate(cells, start=1):
                if cell.data_type == "f":
                    formulas.setdefault(number, []).append(f"{get_column_letter(column)}{number}")
                values.append(cell.value)
            rows.append(tuple(values))
    except FileRefused:
        raise
    except Exception:  # damaged XML, bad shared-string index, CRC error, ...
        raise FileRefused(
            _("Không đọc được nội dung bảng tính (tệp bị hỏng?). Hãy mở và lưu lại bằng Excel.")
        ) from None
    finally:
        wb.close()
    return rows, formulas


def _formula_error(cells: list[str]) -> str:
    return _(
        "Ô %(cells)s chứa công thức: phần mềm chỉ nhận giá trị. Hãy nhập giá trị "
        "(hoặc dán dạng giá trị) thay cho công thức."
    ) % {"cells": ", ".join(cells)}


def parse_table_xlsx(upload: Any) -> ParsedTable:
    """Read a criteria table; every row gets a line in the report. Nothing is imported
    unless every row is valid (the caller checks `ok`)."""
    parsed = ParsedTable()
    try:
        rows, formulas = _read_rows(upload)
    except FileRefused as exc:
        parsed.file_errors.append(str(exc))
        return parsed
    header_at = None
    for i, row in enumerate(rows):
        first = _text(row[0] if row else None).lower()
        if first == "loại":
            header_at = i
            break
        label = first
        value = row[1] if len(row) > 1 else None
        number = i + 1
        if number in formulas:
            parsed.report.append(
                RowReport(
                    row=number,
                    text=f"{_text(row[0])}: {_text(value)}"[:120],
                    errors=[_formula_error(formulas[number])],
                )
            )
            continue
        if label == "tên bảng":
            parsed.name = _text(value)[:255]
        elif label in ("trần điểm cộng", "trần điểm trừ"):
            report = RowReport(row=number, text=f"{_text(row[0])}: {_text(value)}")
            try:
                cap = _decimal(value) or Decimal(0)
                if cap < 0 or cap > Decimal("99999.99"):
                    raise ValueError
                if label == "trần điểm cộng":
                    parsed.bonus_cap = cap
                else:
                    parsed.penalty_cap = cap
            except ValueError:
                report.errors.append(_("Trần điểm phải là số không âm."))
            parsed.report.append(report)
    if header_at is None:
        parsed.file_errors.append(
            _(
                "Không tìm thấy dòng tiêu đề (ô đầu tiên là “Loại”). "
                "Hãy dùng tệp mẫu xuất từ phần mềm."
            )
        )
        return parsed
    if header_at + 1 in formulas:
        parsed.report.append(
            RowReport(
                row=header_at + 1,
                text=_("Dòng tiêu đề"),
                errors=[_formula_error(formulas[header_at + 1])],
            )
        )
    if not parsed.name:
        parsed.file_errors.append(_("Thiếu tên bảng (dòng “Tên bảng”)."))
    codes: dict[str, int] = {}
    group: dict | None = None
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        cells = [*(row or ()), None, None, None, None, None, None][:6]
        if all(_text(c) == "" for c in cells):
            continue
        kind_text, code, name, max_raw, evidence_raw, guidance = cells
        code, name = _text(code), _text(name)
        report = RowReport(row=offset, text=f"{_text(kind_text)} {code} {name}".strip()[:120])
        parsed.report.append(report)
        kind = KINDS.get(_text(kind_text).lower())
        if offset in formulas:
            report.errors.append(_formula_error(formulas[offset]))
            if kind == "group":  # the rows below still belong to it: no follow-up errors
                group = {"code": code, "name": name, "criteria": []}
                parsed.groups.append(group)
            continue
        if kind is None:
            report.errors.append(
                _("Loại “%(kind)s” không hợp lệ: dùng Nhóm, Tiêu chí, Điểm cộng hoặc Điểm trừ.")
                % {"kind": _text(kind_text)[:40]}
            )
            continue
        if not code:
            report.errors.append(_("Thiếu mã."))
        elif len(code) > 20:
            report.errors.append(_("Mã dài quá 20 ký tự."))
        if not name:
            report.errors.append(_("Thiếu nội dung."))
        elif len(name) > (500 if kind == "group" else 1000):
            report.errors.append(_("Nội dung quá dài."))
        if kind == "group":
            key = f"group:{code}"
            if code and key in codes:
                report.errors.append(_("Mã nhóm trùng với dòng %(row)s.") % {"row": codes[key]})
            codes[key] = offset
            group = {"code": code, "name": name, "criteria": []}
            parsed.groups.append(group)
            continue
        if code and code in codes:
            report.errors.append(_("Mã trùng với dòng %(row)s.") % {"row": codes[code]})
        codes[code] = offset
        try:
            max_points = _decimal(max_raw)
            if max_points is None:
                report.errors.append(_("Thiếu điểm tối đa."))
            elif max_points <= 0 or max_points > Decimal("99999.99"):
                report.errors.append(_("Điểm tối đa phải lớn hơn 0."))
            elif max_points != max_points.quantize(Decimal("0.01")):
                report.errors.append(_("Điểm tối đa chỉ được có tối đa 2 chữ số thập phân."))
        except ValueError as exc:
            max_points = None
            report.errors.append(
                _("Điểm tối đa chỉ được có tối đa 2 chữ số thập phân.")
                if getattr(exc, "code", None) == "decimals"  # core.numbers.NumberError
                else _("Điểm tối đa “%(v)s” không phải là số.") % {"v": _text(max_raw)[:20]}
            )
        evidence_text = _text(evidence_raw).lower()
        if evidence_text not in YES | NO:
            report.errors.append(_("Cột minh chứng bắt buộc chỉ nhận “Có” hoặc “Không”."))
        if group is None:
            report.errors.append(_("Tiêu chí phải nằm dưới một dòng Nhóm."))
            continue
        if report.ok:
            group["criteria"].append(
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "max_points": max_points,
                    "evidence_required": evidence_text in YES,
                    "guidance": _text(guidance)[:5000],
                }
            )
    if not any(g["criteria"] for g in parsed.groups) and not parsed.file_errors:
        parsed.file_errors.append(_("Bảng không có tiêu chí nào."))
    return parsed


def scoreboard_to_xlsx(*, bloc_year: Any, board: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    _append(ws, [f"Bảng tổng hợp kết quả chấm điểm – {bloc_year.bloc.name} – năm {bloc_year.year}"])
    ws["A1"].font = Font(bold=True, size=13)
    max_total, rule = board.get("max_total", ""), board.get("rule_name", "")
    max_text = fmt(max_total) if isinstance(max_total, Decimal) else str(max_total)
    _append(ws, [f"Điểm tối đa: {max_text}; quy chế: {rule}"])  # "100", "97,5"
    _append(ws, [])
    header = [
        "STT",
        "Đơn vị",
        "Tự chấm",
        "Chấm chéo",
        "Thẩm định",
        "Điểm cộng",
        "Điểm trừ",
        "Xếp hạng",
        "Xếp loại",
        "Căn cứ xếp hạng",
        "Căn cứ xếp loại",
        "Tình trạng",  # scoring.selectors.sheet_status: what is missing, or the lock
    ]
    _append(ws, header)
    for cell in ws[4]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, row in enumerate(board["rows"], start=1):
        t = row.totals
        _append(
            ws,
            [
                i,
                row.unit.name,
                t[Stage.SELF].total if t[Stage.SELF].started else None,
                t[Stage.CROSS].total if t[Stage.CROSS].started else None,
                t[Stage.VERIFIED].total if t[Stage.VERIFIED].started else None,
                t[Stage.VERIFIED].bonus,
                t[Stage.VERIFIED].penalty,
                row.rank,
                row.classification,
                row.rank_reason,
                row.classification_reason,
                row.status.summary if row.status else "",
            ],
        )
    _number_format(ws, min_row=5, columns=range(1, 2), number_format=COUNT_FORMAT)
    _number_format(ws, min_row=5, columns=range(3, 8), number_format=POINTS_FORMAT)
    _number_format(ws, min_row=5, columns=range(8, 9), number_format=COUNT_FORMAT)
    _autosize(
        ws, {1: 5, 2: 45, 3: 10, 4: 10, 5: 10, 6: 10, 7: 10, 8: 9, 9: 30, 10: 60, 11: 60, 12: 30}
    )
    return _response_bytes(wb)


def sheets_to_xlsx(*, bloc_year: Any, criteria: list, members: list, values: dict) -> bytes:
    """One worksheet per stage: units as rows, criteria as columns, as in the grid."""
    from .totals import sheet_totals

    wb = Workbook()
    wb.remove(wb.active)
    table = criteria[0].table if criteria else None
    for stage in (Stage.SELF, Stage.CROSS, Stage.VERIFIED):
        ws = wb.create_sheet(str(Stage(stage).label))
        _append(ws, ["Đơn vị", *[c.code for c in criteria], "Tổng"])
        _append(ws, ["(tối đa)", *[c.max_points for c in criteria], None])
        for cell in ws[1]:
            cell.font = BOLD
        for m in members:
            vals = values.get((m.unit_id, stage), {})
            totals = sheet_totals(
                criteria=criteria,
                values=vals,
                bonus_cap=table.bonus_cap,
                penalty_cap=table.penalty_cap,
            )
            _append(
                ws,
                [
                    m.unit.name,
                    *[vals.get(c.pk) for c in criteria],
                    totals.total if totals.started else None,
                ],
            )
        _number_format(
            ws, min_row=2, columns=range(2, len(criteria) + 3), number_format=POINTS_FORMAT
        )
        ws.freeze_panes = "B3"
        _autosize(ws, {1: 45})
    ws = wb.create_sheet("Tiêu chí")
    _append(ws, ["Mã", "Loại", "Nội dung", "Điểm tối đa"])
    for c in criteria:
        _append(ws, [c.code, KIND_LABELS[c.kind], c.name, c.max_points])
    _number_format(ws, min_row=2, columns=range(4, 5), number_format=POINTS_FORMAT)
    _autosize(ws, {3: 80})
    return _response_bytes(wb)
