import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import Membership
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


def document_default_issued_on(*, bloc_year: Any) -> dt.date:
    """The date a new document of this bloc-year is issued unless the user says otherwise:
    today for the current year; for a past year, the day of its year-end meeting when one
    is recorded (where the year's results were settled and its documents signed), else
    today."""
    from meetings.models import Meeting

    today = timezone.localdate()
    if bloc_year.year < today.year:
        meeting = (
            Meeting.objects.filter(bloc_year=bloc_year, kind=Meeting.Kind.YEAR_END)
            .order_by("-held_on")
            .only("held_on")
            .first()
        )
        if meeting is not None:
            return meeting.held_on
    return today


def document_signers(*, bloc_year: Any) -> list[Membership]:
    """Who may sign for the bloc: the head unit's leader (TM. khối, Trưởng khối), or the
    deputy's when signing in the head's stead (KT. Trưởng khối). Head first."""
    rows = Membership.objects.filter(
        bloc_year=bloc_year, role__in=[Membership.Role.HEAD, Membership.Role.DEPUTY]
    ).select_related("unit")
    return sorted(rows, key=lambda m: m.role != Membership.Role.HEAD)
