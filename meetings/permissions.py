"""Who may do what with meetings and ballots (DESIGN.md §8). Deny by default.

- running a meeting and its ballots (attendance, open, paper counts, close, publish): the
  bloc-year's secretariat and administrators; the board of the province sees everything
  but runs nothing and votes nowhere;
- viewing a meeting, its ballots and their published results: whoever sees the bloc
  (its member units' people, its secretariat, the board of the province, administrators);
- voting for a unit: the unit's leader (a LEADER role on that unit) or the representative
  named in the meeting's attendance for the unit, while the ballot is open, taken online
  and the unit is entitled and has not voted yet. An administrator or a board member votes
  only if they hold that leader role themselves.
"""

from typing import Any

from blocs.models import BlocYear, Unit
from core.permissions import can_view_bloc_year, user_scopes


def can_run_meeting(user: Any, bloc_year: BlocYear) -> bool:
    s = user_scopes(user)
    return s.is_admin or bloc_year.pk in s.secretariat_bloc_year_ids


def can_view_meeting(user: Any, meeting: Any) -> bool:
    return can_view_bloc_year(user, meeting.bloc_year)


def can_vote_as(user: Any, meeting: Any, unit: Unit) -> bool:
    """Is `user` entitled to cast `unit`'s ballot at `meeting` (its leader, or the
    representative named in the attendance)? Says nothing about the ballot's state."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if unit.pk in user_scopes(user).leader_unit_ids:
        return True
    from .models import Attendance

    return Attendance.objects.filter(
        meeting=meeting,
        unit=unit,
        status=Attendance.Status.PRESENT,
        representative_user=user,
    ).exists()


def can_vote(user: Any, ballot: Any, unit: Unit) -> bool:
    """May `user` cast `unit`'s online ballot now?"""
    from .models import Ballot, BallotParticipation

    if ballot.status != Ballot.Status.OPEN or ballot.method == Ballot.Method.PAPER:
        return False
    if not can_vote_as(user, ballot.meeting, unit):
        return False
    return BallotParticipation.objects.filter(ballot=ballot, unit=unit, voted_method="").exists()
