"""Reads of the dashboard's meetings section: the open ballots a user may still vote in,
and the coming meetings of the user's blocs. One query each, whatever the number of blocs,
ballots or units."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from blocs.models import Unit
from core.permissions import user_scopes

from ..models import Attendance, Ballot, BallotParticipation, Meeting


@dataclass
class OpenBallot:
    ballot: Ballot
    units: list[Unit] = field(default_factory=list)


def ballots_open_for_user(*, user: Any) -> list[OpenBallot]:
    """Each open ballot taken online (or mixed) in which `user` may still cast a unit's
    ballot: a unit entitled (present when it opened) that has not voted, the user being
    its leader or the representative named in the meeting's attendance. The same rule as
    meetings.selectors.ballots.ballot_voter_units, for every ballot in one query."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    leader_ids = user_scopes(user).leader_unit_ids
    represented = Attendance.objects.filter(
        meeting_id=OuterRef("ballot__meeting_id"),
        unit_id=OuterRef("unit_id"),
        status=Attendance.Status.PRESENT,
        representative_user=user,
    )
    rows = (
        BallotParticipation.objects.filter(
            ballot__status=Ballot.Status.OPEN,
            ballot__method__in=[Ballot.Method.ONLINE, Ballot.Method.MIXED],
            voted_method="",
        )
        .filter(Q(unit_id__in=leader_ids) | Exists(represented))
        .select_related("ballot__meeting__bloc_year__bloc", "unit")
        .order_by("ballot__meeting__held_on", "ballot_id", "unit__name")
    )
    found: dict[int, OpenBallot] = {}
    for p in rows:
        found.setdefault(p.ballot_id, OpenBallot(ballot=p.ballot)).units.append(p.unit)
    return list(found.values())


def meetings_upcoming_for_user(
    *, user: Any, today: dt.date | None = None, limit: int = 10
) -> list[Meeting]:
    """Meetings from today on of the bloc-years the user's units (leader or staff) are
    members of, soonest first."""
    unit_ids = user_scopes(user).unit_ids
    if not unit_ids:
        return []
    today = today or timezone.localdate()
    return list(
        Meeting.objects.filter(held_on__gte=today, bloc_year__memberships__unit_id__in=unit_ids)
        .select_related("bloc_year__bloc", "host_unit")
        .distinct()
        .order_by("held_on", "starts_at", "id")[:limit]
    )
