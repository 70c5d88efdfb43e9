from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import SealedAdmin

from .models import Report


@admin.register(Report)
class ReportAdmin(SealedAdmin):
    """Read-only: reports are written on their pages through the services (reports/services.py);
    a signed report is sealed in the database too (reports/migrations/0002_report_guards.py)."""

    sealed_hint = _(
        "Báo cáo được lập, thông qua và ký trên trang báo cáo của năm thi đua; báo cáo đã ký "
        "được niêm phong, không ai sửa được, kể cả quản trị viên."
    )
    list_display = ["bloc_year", "kind", "version", "status", "approved_at", "signed_at"]
    list_filter = ["kind", "status", "bloc_year__year"]
    search_fields = ["bloc_year__bloc__name", "bloc_year__bloc__province__name", "sha256"]
    list_select_related = ["bloc_year__bloc__province"]
    readonly_fields = [
        "bloc_year",
        "kind",
        "version",
        "status",
        "presenter",
        "meeting",
        "agenda_item",
        "results_text",
        "shortcomings_text",
        "tasks_text",
        "facts",
        "sha256",
        "approved_at",
        "approved_by_username",
        "signed_at",
        "signed_by_username",
        "signer_name",
        "signer_title",
        "signer_unit",
        "created_at",
        "created_by_username",
    ]
    exclude = ["approved_by", "signed_by", "created_by", "signer_ip", "signer_user_agent"]
