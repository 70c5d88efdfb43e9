"""Thin views: parse input, call one selector or service, render."""

import json
import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.permissions import access_rule

from . import permissions as perms
from . import selectors, services, xlsx
from .forms import EvidenceForm, ReasonForm, TableImportForm
from .grid import grid_bloc_year_get, grid_data
from .models import Stage

MAX_CELLS = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def grid_messages() -> dict:
    """The grid's JavaScript texts, translated on the server."""
    return {
        "negative": _("Điểm không được âm."),
        "decimals": _("Điểm chỉ được có tối đa 2 chữ số thập phân."),
        "notNumber": _("“%(text)s” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
        "aboveMax": _("Vượt điểm tối đa: tối đa %(max)s điểm."),
        "saving": _("Đang lưu…"),
        "saved": _("Đã lưu"),
        "unsaved": _("Chưa lưu %(n)s ô"),
        "errors": _("%(n)s ô có lỗi"),
        "conflicts": _("%(n)s ô bị người khác sửa trước"),
        "network": _("Không lưu được: mất kết nối hoặc lỗi máy chủ. Dữ liệu vẫn còn trên trang."),
        "pasted": _("Đã dán %(n)s ô."),
        "pastedOutside": _("%(n)s ô nằm ngoài bảng bị bỏ qua."),
        "pastedLocked": _("%(n)s ô chỉ xem bị bỏ qua."),
        "conflictHelp": _(
            "Các ô sau đã được người khác lưu sau khi bạn mở trang; giá trị của bạn chưa lưu. "
            "Nhập lại ô để ghi đè, hoặc nhấn Esc để lấy giá trị mới."
        ),
        "totalTitle": _(
            "Tiêu chí %(regular)s + điểm cộng %(bonus)s − điểm trừ %(penalty)s; "
            "đã chấm %(filled)s/%(required)s tiêu chí"
        ),
        "unit": _("Đơn vị"),
        "total": _("Tổng"),
        "max": _("tối đa"),
        "submitted": _("đã nộp"),
        "sheetUrl": reverse("scoring:sheet_detail", args=[0]),
        "historyUrl": reverse("scoring:cell_history", args=[0, 1]),
        "history": _("Xem lịch sử ô này"),
    }


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back_to_bloc_year(bloc_year_id: int) -> HttpResponse:
    return redirect(reverse("blocs:bloc_year_detail", args=[bloc_year_id]) + "#scoring")


# --- criteria tables -------------------------------------------------------------------------


@access_rule("object")
@require_GET
def table_detail(request: HttpRequest, table_id: int) -> HttpResponse:
    table = selectors.criteria_table_get_for_user(user=request.user, table_id=table_id)
    criteria = selectors.table_criteria(table)
    from .totals import table_max

    return render(
        request,
        "scoring/table_detail.html",
        {"table": table, "criteria": criteria, "max_total": table_max(criteria)},
    )


@access_rule("object")
@require_GET
def table_export(request: HttpRequest, table_id: int) -> HttpResponse:
    table = selectors.criteria_table_get_for_user(user=request.user, table_id=table_id)
    content = xlsx.table_to_xlsx(table, services.criteria_table_spec(table))
    return _xlsx_response(content, f"bang-cham-diem-{table.year}-{table.pk}.xlsx")


@access_rule("object")
@require_POST
def table_copy(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    try:
        table = services.criteria_table_copy_previous(bloc_year=bloc_year, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _back_to_bloc_year(bloc_year.pk)
    messages.success(request, _("Đã sao chép bảng chấm điểm năm trước: %(n)s.") % {"n": table.name})
    return redirect("scoring:table_detail", table_id=table.pk)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def table_import(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    form = TableImportForm(request.POST or None, request.FILES or None)
    parsed = None
    status = 200
    if request.method == "POST" and form.is_valid():
        shared = form.cleaned_data["shared"]
        if shared and not perms.can_verify(request.user, bloc_year):
            form.add_error("shared", _("Chỉ Ban Thi đua - Khen thưởng tạo bảng dùng chung."))
        else:
            parsed = xlsx.parse_table_xlsx(form.cleaned_data["file"])
            if parsed.ok:
                try:
                    table = services.criteria_table_create(
                        province=bloc_year.bloc.province,
                        year=bloc_year.year,
                        bloc_year=None if shared else bloc_year,
                        name=parsed.name,
                        groups=parsed.groups,
                        bonus_cap=parsed.bonus_cap,
                        penalty_cap=parsed.penalty_cap,
                        replace=form.cleaned_data["replace"],
                        actor=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        _("Đã nhập bảng chấm điểm “%(name)s”.") % {"name": table.name},
                    )
                    return redirect("scoring:table_detail", table_id=table.pk)
    if request.method == "POST" and (not form.is_valid() or (parsed and not parsed.ok)):
        status = 400
    return render(
        request,
        "scoring/table_import.html",
        {"bloc_year": bloc_year, "form": form, "parsed": parsed},
        status=status,
    )


# The file's own texts stay Vietnamese whatever the page's language: the import reads them.
TEMPLATE_GROUP = {"code": "I", "name": "Tên nhóm tiêu chí (ví dụ: Thực hiện nhiệm vụ chuyên môn)"}


def _template_name(bloc_year) -> str:
    return f"Bảng chấm điểm thi đua {bloc_year.bloc.name} năm {bloc_year.year}"


@access_rule("object")
@require_GET
def table_template(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """The empty template: the export's layout with one group row and no criteria."""
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    content = xlsx.table_template_xlsx(
        name=_template_name(bloc_year), spec=[{**TEMPLATE_GROUP, "criteria": []}]
    )
    return _xlsx_response(content, "bang-cham-diem-mau-trong.xlsx")


@access_rule("object")
@require_GET
def table_example(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """The shipped example table (the demo's), ready to edit and import."""
    from . import demo

    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    content = xlsx.table_template_xlsx(
        name=_template_name(bloc_year),
        spec=demo.TABLE,
        bonus_cap=Decimal(5),  # the demo's caps
        penalty_cap=Decimal(5),
    )
    return _xlsx_response(content, "bang-cham-diem-vi-du.xlsx")


# --- the grid --------------------------------------------------------------------------------


@access_rule("object")
@require_GET
def grid(request: HttpRequest, bloc_year_id: int, stage: str) -> HttpResponse:
    stage = selectors.stage_or_404(stage)
    bloc_year = grid_bloc_year_get(user=request.user, bloc_year_id=bloc_year_id, stage=stage)
    return render(
        request,
        "scoring/grid.html",
        {
            "bloc_year": bloc_year,
            "stage": stage,
            "stage_label": Stage(stage).label,
            "stages": [(s, Stage(s).label) for s in selectors.STAGES],
            "can_verify": perms.can_verify(request.user, bloc_year),
            "grid_messages": grid_messages(),
            **grid_data(user=request.user, bloc_year=bloc_year, stage=stage),
        },
    )


def _json_error(message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


# --- the grid's JSON body ---------------------------------------------------------------------
# Parsed strictly: NaN, Infinity, floats and huge integers never become Python floats or
# ints that crash later; they become markers that the per-cell checks refuse.

ID_MAX = 2**63 - 1  # BigAutoField
VERSION_MAX = 2**31 - 1  # PositiveIntegerField
_JSON_INT_DIGITS = 30  # longer integer literals are refused without converting them


class _NotANumber:
    """Stands for NaN, Infinity, -Infinity or an over-long integer literal: no check takes
    it for a number."""


def _json_constant(_name: str) -> _NotANumber:
    return _NotANumber()


def _json_int(literal: str) -> int | _NotANumber:
    return int(literal) if len(literal) <= _JSON_INT_DIGITS else _NotANumber()


def _json_float(literal: str) -> Decimal | _NotANumber:
    try:
        return Decimal(literal)  # exact; 1e309 stays finite and is refused as an id
    except ArithmeticError:
        return _NotANumber()


class BadBody(Exception):
    """The body as a whole is unusable: nothing is saved, one message."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)


def grid_body_cells(raw: bytes) -> list:
    """The cells of a save request: a JSON object {"cells": [...]}, 1 to MAX_CELLS."""
    try:
        payload = json.loads(
            raw or b"null",
            parse_constant=_json_constant,
            parse_float=_json_float,
            parse_int=_json_int,
        )
    except (ValueError, RecursionError):  # not JSON (or not UTF-8), or nested too deep
        raise BadBody(_("Nội dung gửi lên không phải là JSON.")) from None
    cells = payload.get("cells") if isinstance(payload, dict) else None
    if not isinstance(cells, list):
        raise BadBody(_("Nội dung gửi lên phải là một đối tượng JSON có danh sách “cells”."))
    if not cells:
        raise BadBody(_("Danh sách ô trống."))
    if len(cells) > MAX_CELLS:
        raise BadBody(_("Quá nhiều ô trong một lần lưu (tối đa %(n)s ô).") % {"n": MAX_CELLS})
    return cells


def _json_id(value: Any, *, lowest: int, highest: int) -> int | None:
    """A JSON integer in range (not a boolean, a float, a string), else None."""
    if type(value) is int and lowest <= value <= highest:
        return value
    return None


def _bad_text(text: str) -> bool:
    """NUL (PostgreSQL refuses it in text) or a lone surrogate (not encodable)."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def grid_cell_input(raw: Any, index: int) -> tuple[services.CellInput | None, str, list[str]]:
    """One cell of the body as the service takes it, its key ("unit:criterion", or
    "#<index>" when the ids are unusable) and the Vietnamese reasons it is refused.
    Ids are JSON integers; the value is text (as typed), a JSON number or null."""
    if not isinstance(raw, dict):
        return None, f"#{index}", [_("Mỗi ô phải là một đối tượng JSON.")]
    errors = []
    unit = _json_id(raw.get("unit"), lowest=1, highest=ID_MAX)
    if unit is None:
        errors.append(_("Mã đơn vị phải là một số nguyên dương."))
    criterion = _json_id(raw.get("criterion"), lowest=1, highest=ID_MAX)
    if criterion is None:
        errors.append(_("Mã tiêu chí phải là một số nguyên dương."))
    key = f"#{index}" if unit is None or criterion is None else f"{unit}:{criterion}"
    version = _json_id(raw.get("version", 0), lowest=0, highest=VERSION_MAX)
    if version is None:
        errors.append(_("Phiên bản của ô phải là một số nguyên không âm."))
    value = raw.get("value")
    if type(value) is int or isinstance(value, Decimal):  # a JSON number: read as typed
        value = str(value)
    if value is not None and not isinstance(value, str):
        errors.append(_("Giá trị không phải là số."))
    elif value is not None and _bad_text(value):
        errors.append(_("Giá trị chứa ký tự không hợp lệ."))
    comment = raw.get("comment")
    if comment is not None and not isinstance(comment, str):
        errors.append(_("Ghi chú phải là chữ."))
    elif comment is not None and _bad_text(comment):
        errors.append(_("Ghi chú chứa ký tự không hợp lệ."))
    if errors:
        return None, key, errors
    cell = services.CellInput(
        unit_id=unit, criterion_id=criterion, version=version, value=value, comment=comment
    )
    return cell, key, []


@access_rule("object")
@require_POST
def grid_save(request: HttpRequest, bloc_year_id: int, stage: str) -> JsonResponse:
    """Save many cells at once (JSON). All or nothing: 400 with per-cell errors ("unit:
    criterion" keys, or "#<index>" for a cell whose ids are unusable), 409 with the newer
    values and who saved them, 403 without the right. A 200 lists every cell it saved."""
    stage = selectors.stage_or_404(stage)
    bloc_year = selectors.scoring_bloc_year_get(user=request.user, bloc_year_id=bloc_year_id)
    try:
        raw_cells = grid_body_cells(request.body)
    except RawPostDataException:  # a form post, whose body was read as form data
        return _json_error(
            _("Dữ liệu gửi lên không hợp lệ."),
            400,
            detail=_("Nội dung gửi lên không phải là JSON."),
        )
    except RequestDataTooBig:
        return _json_error(
            _("Dữ liệu gửi lên không hợp lệ."), 400, detail=_("Nội dung gửi lên quá lớn.")
        )
    except BadBody as exc:
        return _json_error(_("Dữ liệu gửi lên không hợp lệ."), 400, detail=exc.detail)
    cells, errors = [], {}
    for index, raw in enumerate(raw_cells):
        cell, key, reasons = grid_cell_input(raw, index)
        if reasons:
            errors[key] = " ".join(reasons)
        else:
            cells.append(cell)
    if errors:
        return _json_error(_("Dữ liệu gửi lên không hợp lệ."), 400, errors=errors, conflicts={})
    try:
        result = services.scores_save(
            bloc_year=bloc_year, stage=stage, cells=cells, actor=request.user
        )
    except services.ScoreSaveRefused as exc:
        return _json_error(
            exc.message, 409 if exc.conflicts else 400, errors=exc.errors, conflicts=exc.conflicts
        )
    except PermissionDenied as exc:
        return _json_error(str(exc) or _("Bạn không có quyền."), 403)
    except ValidationError as exc:
        return _json_error(_error_text(exc), 400)
    return JsonResponse(
        {
            "ok": True,
            "message": _("Đã lưu %(n)s ô.") % {"n": result.changed},
            "saved": result.saved,
            "totals": {str(k): v for k, v in result.totals.items()},
        }
    )


# --- sheets ----------------------------------------------------------------------------------


@access_rule("object")
@require_GET
def sheet_detail(request: HttpRequest, sheet_id: int) -> HttpResponse:
    sheet = selectors.sheet_get_for_user(user=request.user, sheet_id=sheet_id)
    data = selectors.sheet_detail(user=request.user, sheet=sheet)
    return render(
        request,
        "scoring/sheet_detail.html",
        {
            "sheet": sheet,
            "bloc_year": sheet.bloc_year,
            "stages": [(s, Stage(s).label) for s in selectors.STAGES],
            "evidence_form": EvidenceForm(),
            "grid_messages": grid_messages(),
            "reason_form": ReasonForm(),
            **data,
        },
    )


@access_rule("object")
@require_POST
def sheet_submit(request: HttpRequest, sheet_id: int, stage: str) -> HttpResponse:
    stage = selectors.stage_or_404(stage)
    sheet = selectors.sheet_get_for_user(user=request.user, sheet_id=sheet_id)
    if not perms.can_submit_stage(request.user, sheet, stage):
        raise PermissionDenied(services.stage_submit_refusal(stage))
    try:
        services.score_stage_submit(sheet=sheet, stage=stage, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Đã nộp bước %(stage)s của phiếu.") % {"stage": Stage(stage).label}
        )
    return redirect("scoring:sheet_detail", sheet_id=sheet.pk)


@access_rule("object")
@require_POST
def sheet_return(request: HttpRequest, sheet_id: int, stage: str) -> HttpResponse:
    stage = selectors.stage_or_404(stage)
    sheet = selectors.sheet_get_for_user(user=request.user, sheet_id=sheet_id)
    if not perms.can_manage_scoring(request.user, sheet.bloc_year):
        raise PermissionDenied(
            _("Chỉ thư ký khối hoặc Ban Thi đua - Khen thưởng được trả lại phiếu.")
        )
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("scoring:sheet_detail", sheet_id=sheet.pk)
    try:
        services.score_stage_return(
            sheet=sheet, stage=stage, reason=form.cleaned_data["reason"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã trả lại phiếu để đơn vị chỉnh sửa."))
    return redirect("scoring:sheet_detail", sheet_id=sheet.pk)


@access_rule("object")
@require_POST
def evidence_upload(request: HttpRequest, sheet_id: int, criterion_id: int) -> HttpResponse:
    sheet = selectors.sheet_get_for_user(user=request.user, sheet_id=sheet_id)
    if not perms.can_upload_evidence(request.user, sheet):
        raise PermissionDenied(_("Chỉ đơn vị được chấm mới tải minh chứng tự chấm."))
    table = services.criteria_table_for_bloc_year(bloc_year=sheet.bloc_year)
    criterion = table.criteria.filter(pk=criterion_id).first() if table else None
    if criterion is None:
        raise Http404(_("Không tìm thấy tiêu chí."))
    form = EvidenceForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.evidence_add(
            sheet=sheet,
            criterion=criterion,
            upload=form.cleaned_data.get("file"),
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("Minh chứng cho tiêu chí %(code)s: %(error)s")
            % {"code": criterion.code, "error": _error_text(exc)},
        )
    else:
        messages.success(
            request, _("Đã tải lên minh chứng cho tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return redirect(reverse("scoring:sheet_detail", args=[sheet.pk]) + f"#criterion-{criterion.pk}")


@access_rule("object")
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_get_for_user(user=request.user, evidence_id=evidence_id)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp minh chứng.")) from None
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


@access_rule("object")
@require_GET
def cell_history(request: HttpRequest, sheet_id: int, criterion_id: int) -> HttpResponse:
    sheet = selectors.sheet_get_for_user(user=request.user, sheet_id=sheet_id)
    criterion, changes = selectors.cell_history(sheet=sheet, criterion_id=criterion_id)
    template = "scoring/_cell_history.html" if request.htmx else "scoring/cell_history.html"
    return render(
        request,
        template,
        {"sheet": sheet, "bloc_year": sheet.bloc_year, "criterion": criterion, "changes": changes},
    )


# --- scoreboard, progress, exports -----------------------------------------------------------


def _scoreboard_page(
    request: HttpRequest, bloc_year, reason_form=None, status=200, verify_error=""
):
    board = selectors.scoreboard(bloc_year=bloc_year)
    return render(
        request,
        "scoring/scoreboard.html",
        {
            "bloc_year": bloc_year,
            "board": board,
            "stages": [(s, Stage(s).label) for s in selectors.STAGES],
            "can_manage": perms.can_manage_scoring(request.user, bloc_year),
            "can_verify": perms.can_verify(request.user, bloc_year),
            "reason_form": reason_form or ReasonForm(),
            "verify_error": verify_error,
        },
        status=status,
    )


@access_rule("object")
@require_GET
def scoreboard(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(user=request.user, bloc_year_id=bloc_year_id)
    return _scoreboard_page(request, bloc_year)


@access_rule("object")
@require_GET
def scoreboard_xlsx(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(user=request.user, bloc_year_id=bloc_year_id)
    board = selectors.scoreboard(bloc_year=bloc_year)
    if board["table"] is None:
        raise Http404(_("Khối chưa có bảng chấm điểm cho năm này."))
    content = xlsx.scoreboard_to_xlsx(bloc_year=bloc_year, board=board)
    return _xlsx_response(content, f"tong-hop-diem-{bloc_year.bloc_id}-{bloc_year.year}.xlsx")


@access_rule("object")
@require_GET
def sheets_xlsx(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    data = selectors.sheets_export_data(bloc_year=bloc_year)
    if data is None:
        raise Http404(_("Khối chưa có bảng chấm điểm cho năm này."))
    content = xlsx.sheets_to_xlsx(bloc_year=bloc_year, **data)
    return _xlsx_response(content, f"phieu-cham-diem-{bloc_year.bloc_id}-{bloc_year.year}.xlsx")


@access_rule("object")
@require_GET
def progress(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    board = selectors.scoreboard(bloc_year=bloc_year)
    rows = sorted(board["rows"], key=lambda r: r.unit.name)
    return render(
        request,
        "scoring/progress.html",
        {
            "bloc_year": bloc_year,
            "board": board,
            "rows": rows,
            "not_submitted": board.get("not_submitted", []),
            "stages": [(s, Stage(s).label) for s in selectors.STAGES],
        },
    )


# --- verification and locking ----------------------------------------------------------------


def _verifier_bloc_year(request: HttpRequest, bloc_year_id: int):
    bloc_year = selectors.scoring_bloc_year_get(user=request.user, bloc_year_id=bloc_year_id)
    if not perms.can_verify(request.user, bloc_year):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng của tỉnh được thẩm định."))
    return bloc_year


@access_rule("object")
@require_POST
def copy_to_verified(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = _verifier_bloc_year(request, bloc_year_id)
    try:
        result = services.scores_copy_stage(
            bloc_year=bloc_year, source=Stage.CROSS, target=Stage.VERIFIED, actor=request.user
        )
    except services.ScoreSaveRefused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request,
            _("Đã chép %(n)s ô điểm chấm chéo sang bước thẩm định (chỉ các ô còn trống).")
            % {"n": result.changed},
        )
    return redirect("scoring:grid", bloc_year_id=bloc_year.pk, stage=Stage.VERIFIED)


@access_rule("object")
@require_POST
def verify(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """Lock the year. Units lacking a stage are confirmed by ticking the box under their
    list; the posted unit ids say which list was confirmed (the service re-checks)."""
    bloc_year = _verifier_bloc_year(request, bloc_year_id)
    confirmed: list[int] = []
    if request.POST.get("confirm") == "on":
        try:
            confirmed = [_form_id(raw) for raw in request.POST.getlist("unit")]
        except ValueError:
            messages.error(request, _("Dữ liệu gửi lên không hợp lệ."))
            return redirect("scoring:scoreboard", bloc_year_id=bloc_year.pk)
    try:
        services.scoring_verify(
            bloc_year=bloc_year, actor=request.user, confirmed_unit_ids=confirmed
        )
    except services.VerificationNeedsConfirmation as exc:
        # Nothing locked: the page again, the question next to the box to tick.
        return _scoreboard_page(request, bloc_year, verify_error=_error_text(exc), status=400)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã thẩm định và khóa kết quả chấm điểm."))
    return redirect("scoring:scoreboard", bloc_year_id=bloc_year.pk)


@access_rule("object")
@require_POST
def reopen(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = _verifier_bloc_year(request, bloc_year_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():  # the error is shown next to the reason field
        return _scoreboard_page(request, bloc_year, reason_form=form, status=400)
    try:
        services.scoring_reopen(
            bloc_year=bloc_year, reason=form.cleaned_data["reason"], actor=request.user
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return _scoreboard_page(request, bloc_year, reason_form=form, status=400)
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã mở lại kết quả chấm điểm; lý do đã được ghi nhận."))
    return redirect("scoring:scoreboard", bloc_year_id=bloc_year.pk)


def _form_id(text: str) -> int:
    """An id posted by a form: ASCII digits only (int() would also take "٨", " 8", "8_0")."""
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise ValueError(text)
    return int(text)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def assignments(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """Which member units cross-score which (chấm chéo); a unit never scores itself."""
    bloc_year = selectors.scoring_bloc_year_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    if request.method == "POST":
        pairs = []
        try:
            for raw in request.POST.getlist("pair"):
                scorer, target = raw.split(":", 1)
                pairs.append((_form_id(scorer), _form_id(target)))
            services.cross_assignment_set(bloc_year=bloc_year, pairs=pairs, actor=request.user)
        except ValueError:
            messages.error(request, _("Dữ liệu gửi lên không hợp lệ."))
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, _("Đã lưu phân công chấm chéo: %(n)s cặp.") % {"n": len(pairs)}
            )
            return redirect("scoring:assignments", bloc_year_id=bloc_year.pk)
    members, matrix = selectors.cross_assignments(bloc_year=bloc_year)
    return render(
        request,
        "scoring/assignments.html",
        {"bloc_year": bloc_year, "members": members, "matrix": matrix},
    )
