"""Who may do what with a bloc-year's reports (DESIGN.md §10). Deny by default.

- reading: whoever sees the bloc (its member units' people, its secretariat, the board of
  the province, administrators);
- writing, attaching to the meeting, approving and rendering: the bloc-year's secretariat
  and administrators (the board reads; it runs the province batch, reports/batch.py);
- signing: the leader of the bloc-year's head unit (a LEADER role on that unit), nobody
  else, administrators included.
"""

from typing import Any

from blocs.models import BlocYear, Membership
from core.permissions import can_view_bloc_year, user_scopes


def can_read_report(user: Any, bloc_year: BlocYear) -> bool:
    return can_view_bloc_year(user, bloc_year)


def can_write_report(user: Any, bloc_year: BlocYear) -> bool:
    s = user_scopes(user)
    return s.is_admin or bloc_year.pk in s.secretariat_bloc_year_ids


def head_unit_id(bloc_year: BlocYear) -> int | None:
    return (
        Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD)
        .values_list("unit_id", flat=True)
        .first()
    )


def can_sign_report(user: Any, bloc_year: BlocYear) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    head = head_unit_id(bloc_year)
    return head is not None and head in user_scopes(user).leader_unit_ids
