"""Reads of the year's set-up and registry pages, with their permission checks: 404 when
the object does not exist, PermissionDenied when the user may not do this to it."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from core.names import person_sort_key
from core.permissions import can_create_bloc_year, can_manage_registry, can_set_up_bloc_year
from core.selectors import object_get_or_404

from .models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit
from .setup import unit_current


def bloc_year_get_for_setup(*, user: Any, bloc_year_id: Any) -> BlocYear:
    bloc_year = object_get_or_404(
        BlocYear.objects.select_related("bloc__province").prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("unit").order_by("unit__name"),
            )
        ),
        _("Không tìm thấy năm thi đua của khối."),
        pk=bloc_year_id,
    )
    if not can_set_up_bloc_year(user, bloc_year):
        raise PermissionDenied(_("Bạn không có quyền thiết lập năm thi đua này của khối."))
    return bloc_year


def province_get_for_registry(*, user: Any, province_id: Any) -> Province:
    province = object_get_or_404(Province.objects.all(), _("Không tìm thấy tỉnh."), pk=province_id)
    if not can_manage_registry(user, province):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng của tỉnh quản lý danh mục này."))
    return province


def bloc_get_for_new_year(*, user: Any, bloc_id: Any) -> tuple[Bloc, BlocYear | None]:
    """The bloc and its latest year (the source of the new one), if the user may create the
    bloc's next year."""
    bloc = object_get_or_404(
        Bloc.objects.select_related("province"), _("Không tìm thấy khối thi đua."), pk=bloc_id
    )
    latest = (
        BlocYear.objects.filter(bloc=bloc)
        .select_related("bloc__province")
        .prefetch_related("memberships__unit__successor")
        .order_by("-year")
        .first()
    )
    if not can_create_bloc_year(user, bloc, latest):
        raise PermissionDenied(_("Bạn không có quyền tạo năm thi đua mới cho khối này."))
    return bloc, latest


def new_year_defaults(*, latest: BlocYear | None) -> dict[str, Any]:
    """The members offered for the next year: last year's, each merged or renamed unit
    replaced by its successor (once, however many units merged into it)."""
    if latest is None:
        return {"year": None, "members": [], "replaced": []}
    members, replaced = [], []
    for m in latest.memberships.all():
        current = unit_current(m.unit)
        if current.pk != m.unit.pk:
            replaced.append((m.unit, current))
        if current.active and current not in members:
            members.append(current)
    return {"year": latest.year + 1, "members": members, "replaced": replaced}


def province_active_units(*, province: Province):
    return Unit.objects.filter(province=province, active=True).order_by("name")


def province_units_with_history(*, province: Province) -> list[Unit]:
    """Every unit of the province with what it became and what it came from."""
    return list(
        Unit.objects.filter(province=province)
        .select_related("successor")
        .prefetch_related(Prefetch("predecessors", queryset=Unit.objects.order_by("name")))
        .order_by("-active", "name")
    )


def province_role_assignments(*, province: Province) -> list[RoleAssignment]:
    """Who holds which role in the province: its board, the secretariats of its bloc-years,
    the leaders and staff of its units; by person (given name first, core.names), then role."""
    return sorted(
        RoleAssignment.objects.filter(
            Q(role=RoleAssignment.Role.BOARD, province=province)
            | Q(role=RoleAssignment.Role.SECRETARIAT, bloc_year__bloc__province=province)
            | Q(
                role__in=[RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF],
                unit__province=province,
            )
        )
        .select_related("user", "unit", "bloc_year__bloc")
        .order_by("user__username", "role"),
        key=lambda ra: person_sort_key(ra.user),
    )


def bloc_year_secretariat(*, bloc_year: BlocYear) -> list[RoleAssignment]:
    return sorted(
        RoleAssignment.objects.filter(role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year)
        .select_related("user")
        .order_by("user__username"),
        key=lambda ra: person_sort_key(ra.user),
    )


def secretariat_assignment_get(*, bloc_year: BlocYear, assignment_id: Any) -> RoleAssignment:
    return object_get_or_404(
        RoleAssignment.objects.filter(role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year),
        _("Không tìm thấy phân quyền."),
        pk=assignment_id,
    )


def bloc_year_member_get(*, bloc_year: BlocYear, unit_id: Any) -> Unit:
    return object_get_or_404(
        Unit.objects.filter(memberships__bloc_year=bloc_year),
        _("Đơn vị không phải thành viên của khối trong năm này."),
        pk=unit_id,
    )
