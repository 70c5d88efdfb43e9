"""Reads of the reports app: the report a user may see, the current version per kind, and
the facts to show (frozen once approved, composed from the data while a draft)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from blocs.models import BlocYear
from core.selectors import object_get_or_404

from .compose import report_facts_compose
from .models import Report
from .permissions import can_read_report, can_write_report


def report_kind_or_404(kind: str) -> str:
    if kind not in Report.Kind.values:
        raise Http404(_("Không có loại báo cáo này."))
    return kind


def bloc_year_for_reports_get(*, user: Any, bloc_year_id: Any, manage: bool = False) -> BlocYear:
    bloc_year = object_get_or_404(
        BlocYear.objects.select_related("bloc__province"),
        _("Không tìm thấy năm thi đua."),
        pk=bloc_year_id,
    )
    if not can_read_report(user, bloc_year):
        raise PermissionDenied(_("Bạn không có quyền xem báo cáo của khối này."))
    if manage and not can_write_report(user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được báo cáo."))
    return bloc_year


def report_get_for_user(*, user: Any, report_id: Any, manage: bool = False) -> Report:
    report = object_get_or_404(
        Report.objects.select_related(
            "bloc_year__bloc__province", "meeting", "agenda_item", "signer_unit"
        ),
        _("Không tìm thấy báo cáo."),
        pk=report_id,
    )
    if not can_read_report(user, report.bloc_year):
        raise PermissionDenied(_("Bạn không có quyền xem báo cáo này."))
    if manage and not can_write_report(user, report.bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được báo cáo."))
    return report


def report_current(*, bloc_year: BlocYear, kind: str) -> Report | None:
    """The version in force (not superseded) of the bloc-year's report of this kind."""
    return (
        Report.objects.filter(bloc_year=bloc_year, kind=kind)
        .exclude(status=Report.Status.SUPERSEDED)
        .select_related("bloc_year__bloc__province", "meeting", "agenda_item", "signer_unit")
        .first()
    )


def report_versions(*, report: Report) -> list[Report]:
    return list(
        Report.objects.filter(bloc_year_id=report.bloc_year_id, kind=report.kind).order_by(
            "version"
        )
    )


def reports_for_bloc_year(*, bloc_year: BlocYear) -> dict[str, Report]:
    """kind -> current version, for the bloc-year page (1 query)."""
    return {
        r.kind: r
        for r in Report.objects.filter(bloc_year=bloc_year).exclude(status=Report.Status.SUPERSEDED)
    }


def report_facts(*, report: Report) -> dict:
    """The frozen facts of an approved or signed report; a draft's composed now."""
    if report.status != Report.Status.DRAFT and report.facts:
        return report.facts
    return report_facts_compose(bloc_year=report.bloc_year, kind=report.kind)
