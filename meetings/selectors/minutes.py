"""Reads of the minutes (biên bản hội nghị), with the permission check inside: 404 when
the minutes do not exist, PermissionDenied when the user may not see (or, `manage`, edit)
them. Whoever sees the meeting sees its minutes; its secretariat and administrators edit."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from blocs.models import Unit
from core.selectors import object_get_or_404

from ..models import Meeting, Minutes, MinutesAmendment, MinutesSection
from ..permissions import can_run_meeting, can_view_meeting
from ..services.minutes import amendment_units, approver_roles


def minutes_get_for_user(*, user: Any, minutes_id: Any, manage: bool = False) -> Minutes:
    minutes = object_get_or_404(
        Minutes.objects.select_related("meeting__bloc_year__bloc__province", "meeting__host_unit"),
        _("Không tìm thấy biên bản."),
        pk=minutes_id,
    )
    meeting = minutes.meeting
    allowed = (
        can_run_meeting(user, meeting.bloc_year) if manage else can_view_meeting(user, meeting)
    )
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền với biên bản này."))
    return minutes


def minutes_for_meeting(*, meeting: Meeting) -> list[Minutes]:
    """Every version, newest first."""
    return list(Minutes.objects.filter(meeting=meeting).order_by("-version"))


def minutes_latest(*, meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).order_by("-version").first()


def minutes_sections(*, minutes: Minutes) -> list[MinutesSection]:
    return list(minutes.sections.select_related("agenda_item").order_by("order"))


def minutes_section_get(*, minutes: Minutes, section_id: Any) -> MinutesSection:
    """A section of these minutes (404 for another's)."""
    return object_get_or_404(
        MinutesSection.objects.filter(minutes=minutes), _("Không tìm thấy mục."), pk=section_id
    )


def minutes_amendments(*, minutes: Minutes) -> list[MinutesAmendment]:
    return list(
        minutes.amendments.select_related("unit", "section", "author").order_by("created_at", "id")
    )


def minutes_amendment_get(*, minutes: Minutes, amendment_id: Any) -> MinutesAmendment:
    """An amendment of these minutes (404 for another's)."""
    return object_get_or_404(
        MinutesAmendment.objects.filter(minutes=minutes).select_related("unit", "minutes"),
        _("Không tìm thấy góp ý."),
        pk=amendment_id,
    )


@dataclass(frozen=True)
class MinutesActions:
    """What `user` may do with these minutes now (the page's buttons; the services check
    again)."""

    edit: bool
    approve_as: frozenset[str]
    amend_units: list[Unit]


def minutes_actions(*, minutes: Minutes, user: Any) -> MinutesActions:
    editable = minutes.status in (Minutes.Status.DRAFT, Minutes.Status.AMENDING)
    roles = approver_roles(minutes=minutes, user=user)
    pending = set()
    if "chair" in roles and minutes.chair_approved_at is None:
        pending.add("chair")
    if "secretary" in roles and minutes.secretary_approved_at is None:
        pending.add("secretary")
    if minutes.status == Minutes.Status.SEALED:
        pending = set()
    return MinutesActions(
        edit=editable and can_run_meeting(user, minutes.meeting.bloc_year),
        approve_as=frozenset(pending),
        amend_units=(
            amendment_units(minutes=minutes, user=user)
            if minutes.status == Minutes.Status.AMENDING
            else []
        ),
    )


def minutes_sealed_get(*, minutes_id: Any) -> Minutes:
    """Sealed minutes by id, for the document pipeline (no user: the caller checked)."""
    minutes = Minutes.objects.filter(pk=minutes_id, status=Minutes.Status.SEALED).first()
    if minutes is None:
        raise Http404(_("Không tìm thấy biên bản đã niêm phong."))
    return minutes
