"""The reports' PDFs through the shared document pipeline (documents/), Nghị định 30 layout:

- `report`: the year-end (BC, "BÁO CÁO Tổng kết phong trào thi đua năm ...") or mid-year
  report ("... 6 tháng đầu năm ...") of an approved or signed version, from its frozen facts
  and narrative, with its SHA-256; the signature block is the head unit's leader's
  ("TM. KHỐI ...", "TRƯỞNG KHỐI", the title, the name once signed). Issued in the bloc-year's
  register of báo cáo, "Số: 01/BC-KTĐ", dated by default the day it was signed.
- `report_draft`: a preview of a draft from the facts composed now, "DỰ THẢO" on every page,
  without a number.

Both are about one report (params {"report_id": N}, `DocumentKind.subject`), checked by
`clean_params` when requested: the report belongs to the bloc-year of the request, is in a
state the document may be made of, and the user writes the bloc-year's reports
(reports.permissions.can_write_report)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.registry import DocumentKind, register
from documents.rendering import vn_date_line

from .compose import content_hash, report_facts_compose
from .models import Report
from .permissions import can_write_report

REPORT = "report"
REPORT_DRAFT = "report_draft"
REGISTER = "BC-KTĐ"


def _report_id(params: dict) -> int:
    value = params.get("report_id")
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
    if not isinstance(value, int) or value <= 0:
        raise ValidationError(_("Chưa chọn báo cáo."))
    return value


def report_of(bloc_year: Any, params: dict) -> Report:
    report = (
        Report.objects.select_related("bloc_year__bloc__province", "signer_unit", "meeting")
        .filter(pk=_report_id(params), bloc_year=bloc_year)
        .first()
    )
    if report is None:
        raise Http404(_("Không tìm thấy báo cáo này trong năm thi đua."))
    return report


def _require_writer(user: Any, bloc_year: Any) -> None:
    if user is not None and not can_write_report(user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được báo cáo."))


def _report_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_writer(user, bloc_year)
    report = report_of(bloc_year, params)
    if report.status not in (Report.Status.APPROVED, Report.Status.SIGNED):
        raise ValidationError(
            _("Báo cáo chưa được thông qua tại hội nghị: chỉ in được bản dự thảo.")
        )
    return {"report_id": report.pk}


def _draft_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_writer(user, bloc_year)
    report = report_of(bloc_year, params)
    if report.status != Report.Status.DRAFT:
        raise ValidationError(_("Báo cáo đã được thông qua: hãy tạo bản chính thức."))
    return {"report_id": report.pk}


def _default_day(*, bloc_year: Any, params: dict) -> dt.date | None:
    """The day it was signed, else the day it was approved."""
    try:
        report = report_of(bloc_year, params)
    except (ValidationError, Http404):
        return None
    moment = report.signed_at or report.approved_at
    return timezone.localdate(moment) if moment else None


# --- context ------------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n") if p.strip()]


def title_lines(*, kind: str, year: int) -> tuple[str, str]:
    if kind == Report.Kind.MID_YEAR:
        return "BÁO CÁO", f"Sơ kết phong trào thi đua 6 tháng đầu năm {year}"
    return "BÁO CÁO", f"Tổng kết phong trào thi đua năm {year}"


def report_view(*, report: Report, facts: dict) -> dict:
    """What the PDF and the HTML preview show: facts and narrative in the report's order."""
    heading, subtitle = title_lines(kind=report.kind, year=report.bloc_year.year)
    head = facts.get("head") or {}
    return {
        "report": report,
        "f": facts,
        "doc_heading": heading,
        "doc_subtitle": subtitle,
        "mid_year": report.kind == Report.Kind.MID_YEAR,
        "results_paragraphs": paragraphs(report.results_text),
        "shortcomings_paragraphs": paragraphs(report.shortcomings_text),
        "tasks_paragraphs": paragraphs(report.tasks_text),
        "signer_name": report.signer_name or head.get("leader_name", ""),
        "signer_title": report.signer_title or head.get("leader_title", ""),
    }


def _common(job: Any, report: Report, facts: dict, *, draft: bool) -> dict:
    bloc_year = job.bloc_year
    view = report_view(report=report, facts=facts)
    return {
        **view,
        "job": job,
        "draft": draft,
        "province": bloc_year.bloc.province,
        "bloc": bloc_year.bloc,
        "bloc_year": bloc_year,
        "signature": {
            "on_behalf": f"TM. {bloc_year.bloc.name}".upper(),
            "capacity": ["TRƯỞNG KHỐI"],
            "title": view["signer_title"].upper(),
            "name": view["signer_name"] if report.status == Report.Status.SIGNED else "",
        },
    }


def _report_context(job: Any) -> dict:
    report = report_of(job.bloc_year, job.params or {})
    if report.status not in (Report.Status.APPROVED, Report.Status.SIGNED):
        raise ValueError("The report is not approved")
    narrative = {n: getattr(report, n) for n in ("results_text", "shortcomings_text", "tasks_text")}
    if content_hash(facts=report.facts, narrative=narrative) != report.sha256:
        # Never print as approved what does not match its hash.
        raise ValueError("The report no longer matches its hash")
    return {**_common(job, report, report.facts, draft=False), "sha256": report.sha256}


def _draft_context(job: Any) -> dict:
    report = report_of(job.bloc_year, job.params or {})
    facts = report_facts_compose(bloc_year=job.bloc_year, kind=report.kind)
    context = _common(job, report, facts, draft=True)
    context["date_line"] = vn_date_line(job.bloc_year.bloc.province.name, timezone.localdate())
    return context


def _filename(job: Any) -> str:
    return f"bao-cao-{job.bloc_year.year}-{job.params.get('report_id')}-{job.pk}.pdf"


def _draft_filename(job: Any) -> str:
    return f"du-thao-bao-cao-{job.bloc_year.year}-{job.params.get('report_id')}-{job.pk}.pdf"


def _can_request(user: Any, bloc_year: Any) -> bool:
    return can_write_report(user, bloc_year)


REPORT_PDF = register(
    DocumentKind(
        code=REPORT,
        title=gettext_lazy("Báo cáo"),
        template="reports/pdf/report_pdf.html",
        build_context=_report_context,
        filename=_filename,
        can_request=_can_request,
        number_code=REGISTER,
        signed=False,  # by the head unit's leader, recorded on the report
        subject="report_id",
        clean_params=_report_params,
        default_issued_on=_default_day,
    )
)

REPORT_DRAFT_PDF = register(
    DocumentKind(
        code=REPORT_DRAFT,
        title=gettext_lazy("Dự thảo báo cáo"),
        template="reports/pdf/report_pdf.html",
        build_context=_draft_context,
        filename=_draft_filename,
        can_request=_can_request,
        number_code=REGISTER,
        issued=False,
        signed=False,
        subject="report_id",
        clean_params=_draft_params,
    )
)
