from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.permissions import can_manage_bloc_year, can_view_bloc
from core.selectors import object_get_or_404

from .models import DocumentJob


def document_job_get_for_user(*, user: Any, job_id: Any, manage: bool = False) -> DocumentJob:
    """Anyone who can see the bloc sees its documents; retrying needs secretariat rights."""
    job = object_get_or_404(
        DocumentJob.objects.select_related("bloc_year__bloc__province", "requested_by"),
        _("Không tìm thấy văn bản."),
        pk=job_id,
    )
    allowed = (
        can_manage_bloc_year(user, job.bloc_year)
        if manage
        else can_view_bloc(user, job.bloc_year.bloc)
    )
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền với văn bản này."))
    return job


def document_jobs_for_bloc_year(*, bloc_year: Any, limit: int = 20) -> list[DocumentJob]:
    return list(
        DocumentJob.objects.filter(bloc_year=bloc_year)
        .select_related("requested_by")
        .order_by("-created_at", "-id")[:limit]
    )
