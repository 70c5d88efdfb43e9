"""Reads for the bloc registry. The `*_get_for_user` helpers fetch and authorise in one
place: 404 when the object does not exist, PermissionDenied when the user may not see it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core.permissions import (
    can_manage_bloc_year,
    can_view_bloc,
    can_view_province,
    can_view_unit,
    user_scopes,
)
from core.selectors import object_get_or_404

from .models import Bloc, BlocYear, Membership, Province, Unit


def province_get_for_user(*, user: Any, province_id: Any) -> Province:
    province = object_get_or_404(Province.objects.all(), _("Không tìm thấy tỉnh."), pk=province_id)
    if not can_view_province(user, province):
        raise PermissionDenied(_("Bạn không có quyền xem tỉnh này."))
    return province


def bloc_get_for_user(*, user: Any, bloc_id: Any) -> Bloc:
    bloc = object_get_or_404(
        Bloc.objects.select_related("province"), _("Không tìm thấy khối thi đua."), pk=bloc_id
    )
    if not can_view_bloc(user, bloc):
        raise PermissionDenied(_("Bạn không có quyền xem khối thi đua này."))
    return bloc


def bloc_year_get_for_user(*, user: Any, bloc_year_id: Any, manage: bool = False) -> BlocYear:
    """`manage=True` asks for secretariat rights on this bloc-year, not only read access."""
    bloc_year = object_get_or_404(
        BlocYear.objects.select_related("bloc__province"),
        _("Không tìm thấy năm thi đua của khối."),
        pk=bloc_year_id,
    )
    allowed = (
        can_manage_bloc_year(user, bloc_year) if manage else can_view_bloc(user, bloc_year.bloc)
    )
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền với năm thi đua này của khối."))
    return bloc_year


def unit_get_for_user(*, user: Any, unit_id: Any) -> Unit:
    unit = object_get_or_404(
        Unit.objects.select_related("province", "successor"),
        _("Không tìm thấy đơn vị."),
        pk=unit_id,
    )
    if not can_view_unit(user, unit):
        raise PermissionDenied(_("Bạn không có quyền xem đơn vị này."))
    return unit


def _membership_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("unit__successor").order_by("unit__name"),
    )


def bloc_years_for_bloc(*, bloc: Bloc) -> list[BlocYear]:
    """Every year of a bloc with members, head/deputy and meetings, newest first."""
    from meetings.models import Meeting

    return list(
        bloc.years.order_by("-year").prefetch_related(
            _membership_prefetch(),
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("host_unit").order_by("held_on"),
            ),
        )
    )


def bloc_year_roster(*, bloc_year: BlocYear) -> list[Membership]:
    """Members in roster order: head, deputy, then the others by name."""
    order = {Membership.Role.HEAD: 0, Membership.Role.DEPUTY: 1, Membership.Role.MEMBER: 2}
    memberships = bloc_year.memberships.select_related("unit__successor")
    return sorted(memberships, key=lambda m: (order[m.role], m.unit.name))


def blocs_for_province(*, province: Province) -> list[Bloc]:
    latest = Prefetch(
        "years",
        queryset=BlocYear.objects.order_by("-year").prefetch_related(_membership_prefetch()),
    )
    return list(province.blocs.prefetch_related(latest).order_by("number", "name"))


def unit_lineage(*, unit: Unit) -> tuple[list[Unit], list[Unit]]:
    """Units this one came from (renames/merges, recursively) and those it became."""
    predecessors: list[Unit] = []
    frontier = list(unit.predecessors.all())
    seen = {unit.pk}
    while frontier:
        nxt = []
        for u in frontier:
            if u.pk not in seen:
                seen.add(u.pk)
                predecessors.append(u)
                nxt.extend(u.predecessors.all())
        frontier = nxt
    successors: list[Unit] = []
    cursor = unit.successor
    while cursor is not None and cursor.pk not in seen:
        seen.add(cursor.pk)
        successors.append(cursor)
        cursor = cursor.successor
    return predecessors, successors


def unit_memberships(*, units: list[Unit]) -> list[Membership]:
    return list(
        Membership.objects.filter(unit__in=units)
        .select_related("bloc_year__bloc", "unit")
        .order_by("-bloc_year__year", "bloc_year__bloc__name")
    )


def unit_history_for_user(*, user: Any, unit: Unit) -> dict[str, Any]:
    """A unit's renames and merges and every bloc-year it (or a unit it came from) was a
    member of; `visible_blocs` are the blocs this user may open from that list."""
    predecessors, successors = unit_lineage(unit=unit)
    memberships = unit_memberships(units=[unit, *predecessors])
    blocs = {m.bloc_year.bloc_id: m.bloc_year.bloc for m in memberships}
    return {
        "predecessors": predecessors,
        "successors": successors,
        "memberships": memberships,
        "visible_blocs": {pk for pk, bloc in blocs.items() if can_view_bloc(user, bloc)},
    }


def dashboard_for_user(*, user: Any) -> dict[str, Any]:
    """What each role sees first. Sections are empty for roles the user does not hold."""
    from documents.models import DocumentJob

    s = user_scopes(user)
    data: dict[str, Any] = {"scopes": s}
    if s.is_admin:
        data["admin_provinces"] = list(Province.objects.order_by("name"))
    if s.board_province_ids:
        data["board_provinces"] = [
            (p, blocs_for_province(province=p))
            for p in Province.objects.filter(pk__in=s.board_province_ids).order_by("name")
        ]
    if s.secretariat_bloc_year_ids:
        bloc_years = list(
            BlocYear.objects.filter(pk__in=s.secretariat_bloc_year_ids)
            .select_related("bloc__province")
            .prefetch_related(_membership_prefetch())
            .order_by("-year", "bloc__name")
        )
        jobs = DocumentJob.objects.filter(bloc_year__in=bloc_years).exclude(
            status=DocumentJob.Status.DONE
        )
        open_jobs: dict[int, list[DocumentJob]] = {}
        for job in jobs:
            open_jobs.setdefault(job.bloc_year_id, []).append(job)
        from .cycle_selectors import bloc_year_cycles

        cycles = bloc_year_cycles(user=user, bloc_years=bloc_years)
        data["secretariat"] = [
            {
                "bloc_year": by,
                "pending": _pending_items(by, open_jobs.get(by.pk, [])),
                "cycle": cycles[by.pk],
            }
            for by in bloc_years
        ]
    if s.unit_ids:
        units = list(Unit.objects.filter(pk__in=s.unit_ids).order_by("name"))
        memberships = unit_memberships(units=units)
        data["units"] = [(u, [m for m in memberships if m.unit_id == u.pk]) for u in units]
    return data


def _pending_items(bloc_year: BlocYear, open_jobs: list) -> list[str]:
    items = []
    roles = {m.role for m in bloc_year.memberships.all()}
    if Membership.Role.HEAD not in roles:
        items.append(_("Chưa ghi nhận đơn vị Trưởng khối."))
    if Membership.Role.DEPUTY not in roles:
        items.append(_("Chưa ghi nhận đơn vị Phó khối."))
    for job in open_jobs:
        if job.status == job.Status.FAILED:
            items.append(_("Văn bản #%(id)s bị lỗi, cần tạo lại.") % {"id": job.pk})
        else:
            items.append(_("Văn bản #%(id)s đang được tạo.") % {"id": job.pk})
    return items
