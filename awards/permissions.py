"""Who may do what with award proposals (DESIGN.md §9). Deny by default.

- drafting, editing and submitting a bloc-year's proposals: that bloc-year's secretariat
  and administrators;
- reviewing (board decisions, the council's outcome): the board of the bloc's province and
  administrators;
- reading: those, and the leaders of member units for their own unit's items."""

from typing import Any

from blocs.models import BlocYear
from core.permissions import user_scopes


def can_draft(user: Any, bloc_year: BlocYear) -> bool:
    s = user_scopes(user)
    return s.is_admin or bloc_year.pk in s.secretariat_bloc_year_ids


def can_review(user: Any, bloc_year: BlocYear) -> bool:
    s = user_scopes(user)
    return s.is_admin or bloc_year.bloc.province_id in s.board_province_ids


def can_read_proposal(user: Any, bloc_year: BlocYear) -> bool:
    return can_draft(user, bloc_year) or can_review(user, bloc_year)


def can_read_item(user: Any, bloc_year: BlocYear, unit_id: int) -> bool:
    return can_read_proposal(user, bloc_year) or unit_id in user_scopes(user).leader_unit_ids


def can_review_province(user: Any, province_id: int) -> bool:
    """The province's board and administrators (the export of the province's proposals)."""
    s = user_scopes(user)
    return s.is_admin or province_id in s.board_province_ids
