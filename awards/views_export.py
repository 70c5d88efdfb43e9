"""Excel export of a province's award proposals with their status (DESIGN.md §9), for the
province's board and administrators: one row per unit of the current version of every
proposal. Text goes through scoring.xlsx._append (text cells, Excel's quote prefix on what a
spreadsheet could take for a formula), so a unit named "=HYPERLINK(...)" stays text."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from blocs.selectors import province_get_for_user
from core.permissions import access_rule
from scoring.xlsx import _append, _autosize, _response_bytes

from . import selectors
from .models import ItemDecision
from .permissions import can_review_province

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"


def _header() -> list[str]:
    return [
        _("Khối thi đua"),
        _("Năm"),
        _("Hình thức khen thưởng"),
        _("Phiên bản"),
        _("Đơn vị"),
        _("Trạng thái"),
        _("Ý kiến của Ban Thi đua - Khen thưởng"),
        _("Lý do không đề nghị"),
        _("Lý do, ghi chú của Ban"),
        _("Kết quả của Hội đồng"),
        _("Số quyết định"),
        _("Ngày quyết định"),
        _("Người ký quyết định"),
    ]


def _last(decisions: list, stage: str) -> Any:
    found = [d for d in decisions if d.stage == stage]
    return found[-1] if found else None


def _row(item: Any) -> list:
    proposal = item.version.proposal
    decisions = list(item.decisions.all())
    board = _last(decisions, ItemDecision.Stage.BOARD)
    council = _last(decisions, ItemDecision.Stage.COUNCIL)
    status = selectors.item_status(item)
    return [
        proposal.bloc_year.bloc.name,
        proposal.bloc_year.year,
        proposal.award_type.name,
        item.version.number,
        item.unit.name,
        selectors.item_status_label(status),
        board.get_outcome_display() if board else "",
        board.get_reject_reason_display() if board and board.reject_reason else "",
        board.reason if board else "",
        council.get_outcome_display() if council else "",
        council.decision_number if council else "",
        council.decision_date if council else None,
        council.signer if council else "",
    ]


def proposals_xlsx(*, province: Any, items: list) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Đề nghị khen thưởng")[:31]
    _append(ws, _header())
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for item in items:
        _append(ws, _row(item))
        ws.cell(row=ws.max_row, column=12).number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
    _autosize(
        ws,
        {
            1: 28,
            2: 7,
            3: 34,
            4: 9,
            5: 36,
            6: 28,
            7: 30,
            8: 26,
            9: 40,
            10: 24,
            11: 16,
            12: 14,
            13: 24,
        },
    )
    return _response_bytes(wb)


@access_rule("object")
@require_GET
def proposals_export(request: HttpRequest, province_id: int) -> HttpResponse:
    province = province_get_for_user(user=request.user, province_id=province_id)
    if not can_review_province(request.user, province.pk):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh được tải danh sách đề nghị khen thưởng.")
        )
    items = selectors.province_proposal_items(province=province)
    response = HttpResponse(proposals_xlsx(province=province, items=items), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="de-nghi-khen-thuong-{province.code or province.pk}.xlsx"'
    )
    return response
