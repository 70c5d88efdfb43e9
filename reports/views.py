"""Pages of the reports: the bloc-year's report of a kind, the narrative with its live
preview (htmx), the meeting it is presented at, approval, the head unit's leader's
signature with password re-entry, a new version, and the PDFs (documents pipeline)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import client_ip
from core.forms import form_errors_apply
from core.permissions import access_rule

from . import selectors, services
from .documents import REPORT, REPORT_DRAFT, report_view
from .forms import AttachForm, NarrativeForm, SignForm
from .models import NARRATIVE_FIELDS, Report
from .permissions import can_sign_report, can_write_report


def _meetings(report: Report) -> list:
    from meetings.models import Meeting

    kind = Meeting.Kind.YEAR_END if report.kind == Report.Kind.YEAR_END else Meeting.Kind.MID_YEAR
    return list(Meeting.objects.filter(bloc_year=report.bloc_year, kind=kind).order_by("held_on"))


def _context(request: HttpRequest, report: Report, **extra) -> dict:
    bloc_year = report.bloc_year
    facts = selectors.report_facts(report=report)
    can_write = can_write_report(request.user, bloc_year)
    return {
        **report_view(report=report, facts=facts),
        "bloc_year": bloc_year,
        "kind_label": report.get_kind_display(),
        "can_write": can_write,
        "can_sign": can_sign_report(request.user, bloc_year),
        "versions": selectors.report_versions(report=report),
        "pdf_kind": REPORT_DRAFT if report.status == Report.Status.DRAFT else REPORT,
        "meetings": _meetings(report) if can_write and report.editable else [],
        **extra,
    }


def _detail(request: HttpRequest, report: Report, *, status: int = 200, **extra) -> HttpResponse:
    return render(
        request, "reports/report_detail.html", _context(request, report, **extra), status=status
    )


@access_rule("object")
@require_GET
def report_kind_page(request: HttpRequest, bloc_year_id: int, kind: str) -> HttpResponse:
    """The bloc-year's report of this kind: its current version, or a page to start it."""
    kind = selectors.report_kind_or_404(kind)
    bloc_year = selectors.bloc_year_for_reports_get(user=request.user, bloc_year_id=bloc_year_id)
    report = selectors.report_current(bloc_year=bloc_year, kind=kind)
    if report is not None:
        return redirect("reports:detail", report_id=report.pk)
    return render(
        request,
        "reports/report_start.html",
        {
            "bloc_year": bloc_year,
            "kind": kind,
            "kind_label": Report.Kind(kind).label,
            "can_write": can_write_report(request.user, bloc_year),
        },
    )


@access_rule("object")
@require_POST
def report_create(request: HttpRequest, bloc_year_id: int, kind: str) -> HttpResponse:
    kind = selectors.report_kind_or_404(kind)
    bloc_year = selectors.bloc_year_for_reports_get(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    try:
        report = services.report_create(bloc_year=bloc_year, kind=kind, actor=request.user)
    except ValidationError as exc:
        return render(
            request,
            "reports/report_start.html",
            {
                "bloc_year": bloc_year,
                "kind": kind,
                "kind_label": Report.Kind(kind).label,
                "can_write": True,
                "errors": exc.messages,
            },
            status=400,
        )
    return redirect("reports:edit", report_id=report.pk)


@access_rule("object")
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    return _detail(
        request,
        report,
        attach_form=AttachForm(meetings=_meetings(report), initial={"meeting": report.meeting_id}),
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id, manage=True)
    initial = {name: getattr(report, name) for name in (*NARRATIVE_FIELDS, "presenter")}
    form = NarrativeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if not report.editable:
            form.add_error(None, _("Báo cáo không còn là dự thảo: không sửa được nữa."))
            status = 400
        elif form.is_valid():
            try:
                services.report_narrative_update(
                    report=report, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
                status = 400
            else:
                messages.success(request, _("Đã lưu nội dung báo cáo."))
                return redirect("reports:detail", report_id=report.pk)
        else:
            status = 400
    return render(
        request,
        "reports/report_edit.html",
        _context(request, report, form=form),
        status=status,
    )


@access_rule("object")
@require_POST
def report_preview(request: HttpRequest, report_id: int) -> HttpResponse:
    """The live preview (htmx): the report as it would read with the text being typed;
    nothing is saved."""
    report = selectors.report_get_for_user(user=request.user, report_id=report_id, manage=True)
    form = NarrativeForm(request.POST)
    form.is_valid()
    preview = Report(bloc_year=report.bloc_year, kind=report.kind, version=report.version)
    for name in NARRATIVE_FIELDS:
        value = form.cleaned_data.get(name)
        setattr(preview, name, value if isinstance(value, str) else getattr(report, name))
    facts = selectors.report_facts(report=report)
    return render(
        request,
        "reports/_preview.html",
        {**report_view(report=preview, facts=facts), "errors": form.errors},
        status=200 if form.is_valid() else 400,
    )


@access_rule("object")
@require_POST
def report_attach(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id, manage=True)
    meetings = _meetings(report)
    form = AttachForm(request.POST, meetings=meetings)
    if form.is_valid():
        meeting = next(m for m in meetings if m.pk == form.cleaned_data["meeting"])
        try:
            services.report_attach(report=report, meeting=meeting, actor=request.user)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã đưa báo cáo vào chương trình hội nghị."))
            return redirect("reports:detail", report_id=report.pk)
    return _detail(request, report, status=400, attach_form=form)


def _action(request: HttpRequest, report_id: int, service, done: str) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, report_id=report_id, manage=True)
    try:
        result = service(report=report, actor=request.user)
    except ValidationError as exc:
        errors = (
            [m for ms in exc.message_dict.values() for m in ms]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        return _detail(
            request,
            report,
            status=400,
            action_errors=errors,
            attach_form=AttachForm(
                meetings=_meetings(report), initial={"meeting": report.meeting_id}
            ),
        )
    messages.success(request, done)
    return redirect("reports:detail", report_id=result.pk)


@access_rule("object")
@require_POST
def report_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    return _action(
        request,
        report_id,
        services.report_approve,
        _("Báo cáo đã được thông qua; số liệu đã được chốt."),
    )


@access_rule("object")
@require_POST
def report_new_version(request: HttpRequest, report_id: int) -> HttpResponse:
    return _action(
        request,
        report_id,
        services.report_new_version,
        _("Đã tạo phiên bản mới (dự thảo) của báo cáo."),
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def report_sign(request: HttpRequest, report_id: int) -> HttpResponse:
    """The head unit's leader reads the approved report (its frozen facts and narrative,
    with the hash) and signs by entering their password again."""
    report = selectors.report_get_for_user(user=request.user, report_id=report_id)
    allowed = can_sign_report(request.user, report.bloc_year)
    can_sign = allowed and report.status == Report.Status.APPROVED
    form = SignForm(request.POST or None, initial={"content_hash": report.sha256})
    status = 200
    if request.method == "POST":
        if not can_sign:
            form.add_error(
                None,
                _("Không thể ký: chỉ lãnh đạo đơn vị Trưởng khối ký báo cáo đã được thông qua.")
                if not allowed
                else _("Không thể ký: báo cáo chưa được thông qua hoặc đã được ký."),
            )
            status = 403 if not allowed else 400
        elif form.is_valid():
            try:
                services.report_sign(
                    report=report,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    request=request,
                    expected_hash=form.cleaned_data["content_hash"],
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
                # Locked out: django-axes' middleware turns this page into a 429 and keeps
                # it (core.auth.lockout_response keeps a 200 page only).
                status = 200 if getattr(request, "axes_locked_out", False) else 400
            else:
                messages.success(request, _("Đã ký báo cáo; báo cáo đã được niêm phong."))
                return redirect("reports:detail", report_id=report.pk)
        else:
            status = 400
    return render(
        request,
        "reports/report_sign.html",
        _context(request, report, form=form, can_sign_now=can_sign, sign_allowed=allowed),
        status=status,
    )
