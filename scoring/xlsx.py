"""Excel (.xlsx, openpyxl) import and export: the criteria table (round trip, with a
row-by-row validation report), the scoreboard and the sheets."""

import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.numbers import parse_vn_decimal

from .models import Criterion, Stage

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


def _response_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _autosize(ws, widths: dict[int, int]) -> None:
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


def table_to_xlsx(table: Any, spec: list[dict]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng chấm điểm"
    ws.append(["Tên bảng", table.name])
    ws.append(["Trần điểm cộng", table.bonus_cap])
    ws.append(["Trần điểm trừ", table.penalty_cap])
    ws.append([])
    ws.append(HEADER)
    for cell in ws[5]:
        cell.font = BOLD
    for g in spec:
        ws.append(["Nhóm", g["code"], g["name"], None, None, None])
        ws.cell(row=ws.max_row, column=3).font = BOLD
        for c in g["criteria"]:
            ws.append(
                [
                    KIND_LABELS[c["kind"]],
                    c["code"],
                    c["name"],
                    c["max_points"],
                    "Có" if c["evidence_required"] else "Không",
                    c["guidance"],
                ]
            )
    for row in ws.iter_rows(min_row=6, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "0.00"
    _autosize(ws, {1: 14, 2: 8, 3: 70, 4: 12, 5: 12, 6: 50})
    return _response_bytes(wb)


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

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(r.ok for r in self.report)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.report if not r.ok)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decimal(value: Any) -> Decimal | None:
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


def parse_table_xlsx(upload: Any) -> ParsedTable:
    """Read a criteria table; every row gets a line in the report. Nothing is imported
    unless every row is valid (the caller checks `ok`)."""
    parsed = ParsedTable()
    try:
        wb = load_workbook(upload, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for non-xlsx content
        parsed.file_errors.append(_("Tệp không phải là bảng tính .xlsx hợp lệ."))
        return parsed
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True, max_col=6))
    wb.close()
    header_at = None
    for i, row in enumerate(rows):
        first = _text(row[0] if row else None).lower()
        if first == "loại":
            header_at = i
            break
        label = first
        value = row[1] if len(row) > 1 else None
        number = i + 1
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
    ws.append([f"Bảng tổng hợp kết quả chấm điểm – {bloc_year.bloc.name} – năm {bloc_year.year}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Điểm tối đa: {board.get('max_total', '')}; quy chế: {board.get('rule_name', '')}"])
    ws.append([])
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
        "Còn thiếu",
    ]
    ws.append(header)
    for cell in ws[4]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, row in enumerate(board["rows"], start=1):
        t = row.totals
        ws.append(
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
                "; ".join(str(m) for m in row.missing),
            ]
        )
    for r in ws.iter_rows(min_row=5, min_col=3, max_col=7):
        for cell in r:
            cell.number_format = "0.00"
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
        ws.append(["Đơn vị", *[c.code for c in criteria], "Tổng"])
        ws.append(["(tối đa)", *[c.max_points for c in criteria], None])
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
            ws.append(
                [
                    m.unit.name,
                    *[vals.get(c.pk) for c in criteria],
                    totals.total if totals.started else None,
                ]
            )
        ws.freeze_panes = "B3"
        _autosize(ws, {1: 45})
    ws = wb.create_sheet("Tiêu chí")
    ws.append(["Mã", "Loại", "Nội dung", "Điểm tối đa"])
    for c in criteria:
        ws.append([c.code, KIND_LABELS[c.kind], c.name, c.max_points])
    _autosize(ws, {3: 80})
    return _response_bytes(wb)
