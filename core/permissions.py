"""Every access decision of the product lives here. Deny by default.

Views declare their rule with `@access_rule(...)`; the URL x role test fails for any URL
whose view has no declared rule. Selectors call the predicates below for object access.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q

from blocs.models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit

V = TypeVar("V", bound=Callable[..., Any])

# Rule names a view may declare. Each says who may reach the view at all; object-level
# checks happen in the selector the view calls.
RULES = {
    "public": "Không cần đăng nhập",
    "authenticated": "Mọi người dùng đã đăng nhập",
    "object": "Đã đăng nhập; quyền trên đối tượng do selector kiểm tra",
}


def access_rule(name: str) -> Callable[[V], V]:
    if name not in RULES:
        raise ValueError(f"Unknown access rule {name!r}")

    def decorate(view: V) -> V:
        view.access_rule = name  # type: ignore[attr-defined]
        return view

    return decorate


@dataclass(frozen=True)
class UserScopes:
    """What one user holds, read with one query and cached on the user for the request."""

    is_admin: bool = False
    board_province_ids: frozenset[int] = field(default_factory=frozenset)
    secretariat_bloc_year_ids: frozenset[int] = field(default_factory=frozenset)
    leader_unit_ids: frozenset[int] = field(default_factory=frozenset)
    staff_unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def unit_ids(self) -> frozenset[int]:
        return self.leader_unit_ids | self.staff_unit_ids


def user_scopes(user: Any) -> UserScopes:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return UserScopes()
    cached = getattr(user, "_kt_scopes", None)
    if cached is not None:
        return cached
    # order_by(): the model's default ordering joins auth_user, which sets don't need.
    rows = (
        RoleAssignment.objects.filter(user=user)
        .order_by()
        .values_list("role", "province_id", "bloc_year_id", "unit_id")
    )
    is_admin = user.is_superuser
    board, secretariat, leader, staff = set(), set(), set(), set()
    for role, province_id, bloc_year_id, unit_id in rows:
        if role == RoleAssignment.Role.ADMIN:
            is_admin = True
        elif role == RoleAssignment.Role.BOARD:
            board.add(province_id)
        elif role == RoleAssignment.Role.SECRETARIAT:
            secretariat.add(bloc_year_id)
        elif role == RoleAssignment.Role.LEADER:
            leader.add(unit_id)
        elif role == RoleAssignment.Role.STAFF:
            staff.add(unit_id)
    scopes = UserScopes(
        is_admin=is_admin,
        board_province_ids=frozenset(board),
        secretariat_bloc_year_ids=frozenset(secretariat),
        leader_unit_ids=frozenset(leader),
        staff_unit_ids=frozenset(staff),
    )
    user._kt_scopes = scopes
    return scopes


def can_view_province(user: Any, province: Province) -> bool:
    s = user_scopes(user)
    return s.is_admin or province.pk in s.board_province_ids


def can_view_bloc(user: Any, bloc: Bloc) -> bool:
    s = user_scopes(user)
    if s.is_admin or bloc.province_id in s.board_province_ids:
        return True
    if (
        s.secretariat_bloc_year_ids
        and BlocYear.objects.filter(bloc=bloc, pk__in=s.secretariat_bloc_year_ids).exists()
    ):
        return True
    return (
        bool(s.unit_ids)
        and Membership.objects.filter(bloc_year__bloc=bloc, unit_id__in=s.unit_ids).exists()
    )


def can_view_bloc_year(user: Any, bloc_year: BlocYear) -> bool:
    return can_view_bloc(user, bloc_year.bloc)


def can_manage_bloc_year(user: Any, bloc_year: BlocYear) -> bool:
    """Secretariat work on one bloc-year: its own secretariat, the board, administrators."""
    s = user_scopes(user)
    return (
        s.is_admin
        or bloc_year.pk in s.secretariat_bloc_year_ids
        or bloc_year.bloc.province_id in s.board_province_ids
    )


def can_view_unit(user: Any, unit: Unit) -> bool:
    """A unit is visible to whoever sees a bloc it was ever a member of (the bloc page lists
    it), besides the board of its province and its own leaders and staff."""
    s = user_scopes(user)
    if s.is_admin or unit.province_id in s.board_province_ids or unit.pk in s.unit_ids:
        return True
    if not (s.secretariat_bloc_year_ids or s.unit_ids):
        return False
    return Membership.objects.filter(
        Q(bloc_year__bloc__years__id__in=s.secretariat_bloc_year_ids)
        | Q(bloc_year__bloc__years__memberships__unit_id__in=s.unit_ids),
        unit=unit,
    ).exists()


# --- The year's cycle and its set-up (blocs/cycle.py, blocs/setup.py) -------------------------


def can_take_step(user: Any, bloc_year: BlocYear, who: str) -> bool:
    """May `user` take a step of the year's cycle whose "who" (DESIGN.md §3) is `who`:
    "secretariat" (the bloc-year's secretariat), "board" (the province's board) or
    "board_or_secretariat"? Administrators take every step."""
    s = user_scopes(user)
    secretariat = bloc_year.pk in s.secretariat_bloc_year_ids
    board = bloc_year.bloc.province_id in s.board_province_ids
    if s.is_admin:
        return True
    if who == "secretariat":
        return secretariat
    if who == "board":
        return board
    if who == "board_or_secretariat":
        return board or secretariat
    return False


def can_set_up_bloc_year(user: Any, bloc_year: BlocYear) -> bool:
    """Members, head and deputy, the secretariat, next year: the bloc-year's secretariat,
    the board of the province, administrators."""
    return can_manage_bloc_year(user, bloc_year)


def can_manage_registry(user: Any, province: Province) -> bool:
    """Units and their successions, blocs, users and their roles in a province: the board
    of the province and administrators."""
    s = user_scopes(user)
    return s.is_admin or province.pk in s.board_province_ids


def can_create_bloc_year(user: Any, bloc: Bloc, latest: BlocYear | None) -> bool:
    """A new year of a bloc: whoever sets up its latest year, or the registry's managers."""
    if latest is not None and can_set_up_bloc_year(user, latest):
        return True
    return can_manage_registry(user, bloc.province)
