"""Who may do what with pledges. Built on core.permissions.user_scopes; deny by default.
Object checks (is the unit a member of this bloc-year?) happen in pledges.selectors."""

from typing import Any

from blocs.models import BlocYear, Unit
from core.permissions import can_view_bloc_year, user_scopes


def can_view_pledge(user: Any, bloc_year: BlocYear) -> bool:
    """Whoever sees the bloc-year reads its pledge: administrators, the board of its province,
    the bloc's secretariat, leaders and staff of its members."""
    return can_view_bloc_year(user, bloc_year)


def can_manage_pledge(user: Any, bloc_year: BlocYear) -> bool:
    """Drafting, opening, amending and reminding: the secretariat of this bloc-year only
    (and administrators). Board reviewers read pledges but do not run them."""
    s = user_scopes(user)
    return s.is_admin or bloc_year.pk in s.secretariat_bloc_year_ids


def can_edit_unit_targets(user: Any, unit: Unit) -> bool:
    """A unit's staff prepare its targets; its leader may correct them before signing."""
    return unit.pk in user_scopes(user).unit_ids


def can_sign_for_unit(user: Any, unit: Unit) -> bool:
    """Only a leader of the unit signs for it."""
    return unit.pk in user_scopes(user).leader_unit_ids
