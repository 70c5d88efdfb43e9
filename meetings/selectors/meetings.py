"""Reads of meetings, with the permission check inside (404 when the meeting does not
exist, PermissionDenied when the user may not see or run it), each in a constant number
of queries whatever the number of members, people or agenda items."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from blocs.models import BlocYear, Membership
from core.selectors import object_get_or_404
from rules.selectors import rule_set_for

from ..models import AgendaItem, Attendance, Meeting, MeetingPerson
from ..permissions import can_run_meeting, can_view_meeting

ROLE_ORDER = {Membership.Role.HEAD: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2}


def _meetings_queryset():
    return Meeting.objects.select_related(
        "bloc_year__bloc__province", "host_unit"
    ).prefetch_related(
        Prefetch(
            "people",
            queryset=MeetingPerson.objects.select_related("unit", "user").order_by(
                "role", "order", "id"
            ),
        ),
        Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")),
    )


def meeting_get_for_user(*, user: Any, meeting_id: Any, manage: bool = False) -> Meeting:
    """The meeting with its bloc-year, host, people and agenda. `manage=True` asks for
    the right to run it (the bloc-year's secretariat, administrators)."""
    meeting = object_get_or_404(_meetings_queryset(), _("Không tìm thấy hội nghị."), pk=meeting_id)
    if manage:
        if not can_run_meeting(user, meeting.bloc_year):
            raise PermissionDenied(_("Bạn không có quyền điều hành hội nghị này."))
    elif not can_view_meeting(user, meeting):
        raise PermissionDenied(_("Bạn không có quyền xem hội nghị này."))
    return meeting


def meetings_for_bloc_year(*, bloc_year: BlocYear) -> list[Meeting]:
    """The bloc-year's meetings in date order, with host, people and agenda."""
    return list(_meetings_queryset().filter(bloc_year=bloc_year).order_by("held_on", "kind"))


def meeting_people(*, meeting: Meeting) -> dict[str, list[MeetingPerson]]:
    """The meeting's people by role (every role present, maybe empty), in order. Served by
    the prefetch of meeting_get_for_user without a query."""
    people: dict[str, list[MeetingPerson]] = {role: [] for role in MeetingPerson.Role.values}
    for person in meeting.people.all():
        people[person.role].append(person)
    return people


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int
    required: int
    met: bool
    label: str
    numerator: int = 2
    denominator: int = 3


def quorum_required(members: int, numerator: int, denominator: int) -> int:
    """At least numerator/denominator of the members, rounded up (9 × 2/3 = 6; 10 × 2/3
    needs 7), in integers: no float ever decides."""
    return -(-members * numerator // max(denominator, 1))


def meeting_quorum(*, meeting: Meeting) -> Quorum:
    """Whether enough member units are present (DESIGN.md §8): the base is the bloc-year's
    member count, the fraction the rule set's (default 2/3). Three queries."""
    bloc_year = meeting.bloc_year
    member_ids = list(
        Membership.objects.filter(bloc_year_id=bloc_year.pk).values_list("unit_id", flat=True)
    )
    members = len(member_ids)
    present = Attendance.objects.filter(
        meeting=meeting, status=Attendance.Status.PRESENT, unit_id__in=member_ids
    ).count()
    rules = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    num, den = rules.quorum_numerator, rules.quorum_denominator
    required = quorum_required(members, num, den)
    met = members > 0 and present >= required
    verdict = (
        _("đủ điều kiện tiến hành hội nghị") if met else _("chưa đủ điều kiện tiến hành hội nghị")
    )
    label = ngettext(
        "Có mặt %(present)s/%(members)s đơn vị (yêu cầu ít nhất %(required)s = %(fraction)s): "
        "%(verdict)s",
        "Có mặt %(present)s/%(members)s đơn vị (yêu cầu ít nhất %(required)s = %(fraction)s): "
        "%(verdict)s",
        members,
    ) % {
        "present": present,
        "members": members,
        "required": required,
        "fraction": f"{num}/{den}",
        "verdict": verdict,
    }
    return Quorum(
        members=members,
        present=present,
        required=required,
        met=met,
        label=label,
        numerator=num,
        denominator=den,
    )


@dataclass(frozen=True)
class AttendanceRow:
    membership: Membership
    attendance: Attendance | None

    @property
    def unit(self):
        return self.membership.unit

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance else ""


def meeting_attendance_rows(*, meeting: Meeting) -> list[AttendanceRow]:
    """Every member unit of the meeting's bloc-year (head, deputy, then by name) with its
    attendance, or None when not recorded yet. Two queries."""
    memberships = list(
        Membership.objects.filter(bloc_year_id=meeting.bloc_year_id).select_related("unit")
    )
    attendances = {
        a.unit_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related("representative_user")
    }
    memberships.sort(key=lambda m: (ROLE_ORDER.get(m.role, 3), m.unit.name))
    return [AttendanceRow(membership=m, attendance=attendances.get(m.unit_id)) for m in memberships]
