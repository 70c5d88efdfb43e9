"""Reads of ballots, with the permission check inside (DESIGN.md §8).

Nothing here links a unit or a user to a choice: the participation rows say who voted,
the vote rows (only after publication, and only as much as the rule set publishes) say
what was voted, keyed by the voter's random receipt.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from blocs.models import Unit
from core.permissions import user_scopes
from core.selectors import object_get_or_404

from .. import tally
from ..models import Attendance, Ballot, BallotCandidate, BallotParticipation, Vote
from ..permissions import can_run_meeting, can_view_meeting

SMALL_ELECTORATE = range(5, 13)  # 5..12 valid ballots


def ballot_get_for_user(*, user: Any, ballot_id: Any, manage: bool = False) -> Ballot:
    """The ballot, for whoever sees its bloc (members' people, secretariat, the board of
    the province, administrators); `manage`: its secretariat and administrators only."""
    ballot = object_get_or_404(
        Ballot.objects.select_related(
            "meeting__bloc_year__bloc__province", "award_type", "previous_round"
        ),
        _("Không tìm thấy cuộc bỏ phiếu."),
        pk=ballot_id,
    )
    bloc_year = ballot.meeting.bloc_year
    allowed = can_run_meeting(user, bloc_year) if manage else can_view_meeting(user, ballot.meeting)
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền với cuộc bỏ phiếu này."))
    return ballot


def ballots_for_meeting(*, meeting: Any) -> list[Ballot]:
    return list(
        Ballot.objects.filter(meeting=meeting)
        .select_related("award_type")
        .prefetch_related("candidates__unit")
        .order_by("id")
    )


def ballot_voter_units(*, ballot: Ballot, user: Any) -> list[Unit]:
    """Units this user may still vote for in this ballot now: entitled (present when it
    opened), not voted yet, the user being their leader or named representative."""
    if ballot.status != Ballot.Status.OPEN or ballot.method == Ballot.Method.PAPER:
        return []
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    leader_ids = user_scopes(user).leader_unit_ids
    represented = Attendance.objects.filter(
        meeting_id=ballot.meeting_id,
        status=Attendance.Status.PRESENT,
        representative_user=user,
    ).values("unit_id")
    return [
        p.unit
        for p in BallotParticipation.objects.filter(ballot=ballot, voted_method="")
        .filter(Q(unit_id__in=leader_ids) | Q(unit_id__in=represented))
        .select_related("unit")
        .order_by("unit__name")
    ]


def ballot_participations(*, ballot: Ballot) -> list[BallotParticipation]:
    """The entitled units and how each voted (online, paper, not yet): published with the
    result so everyone sees who took part, never what they chose."""
    return list(
        BallotParticipation.objects.filter(ballot=ballot)
        .select_related("unit")
        .order_by("unit__name")
    )


# --- the result -----------------------------------------------------------------------------


@dataclass
class CandidateResult:
    candidate: BallotCandidate
    unit: Unit
    position: str
    yes: int
    no: int
    blank: int
    percent: Decimal
    passed: bool
    elected: bool

    @property
    def percent_label(self) -> str:
        return tally.percent_label(self.percent)

    @property
    def position_label(self) -> str:
        return str(BallotCandidate.Position(self.position).label)


@dataclass
class BallotResult:
    ballot: Ballot
    members: int
    present: int
    entitled: int
    issued: int
    returned: int
    valid: int
    invalid: int
    base: str
    base_label: str
    base_count: int
    rows: list[CandidateResult] = field(default_factory=list)
    tie_note: str = ""
    closed_at: Any = None
    small_electorate: bool = False
    illustrative: bool = False
    threshold_label: str = ""
    online: int = 0
    paper_issued: int = 0
    paper_returned: int = 0
    paper_valid: int = 0
    paper_invalid: int = 0
    counted: bool = False  # closed or published: the counts are final

    @property
    def elected(self) -> list[CandidateResult]:
        return [r for r in self.rows if r.elected]


def base_count_of(
    *, base: str, members: int, present: int, online_valid: int, paper_valid: int
) -> int:
    if base == Ballot.Base.MEMBERS:
        return members
    if base == Ballot.Base.PRESENT:
        return present
    return online_valid + paper_valid


def ballot_result(*, ballot: Ballot) -> BallotResult:
    """The figures of a closed or published ballot (the tally record, the result page, the
    minutes). Before close the counts are zero and `counted` is False. Two queries."""
    candidates = list(
        BallotCandidate.objects.filter(ballot=ballot)
        .select_related("unit")
        .order_by("-position", "order", "id")
    )
    entitled = BallotParticipation.objects.filter(ballot=ballot).count()
    online = ballot.online_returned or 0
    p_issued, p_returned = ballot.paper_issued or 0, ballot.paper_returned or 0
    p_valid, p_invalid = ballot.paper_valid or 0, ballot.paper_invalid or 0
    members = ballot.members_count or 0
    present = ballot.present_count or 0
    valid = online + p_valid
    base_count = base_count_of(
        base=ballot.base, members=members, present=present, online_valid=online, paper_valid=p_valid
    )
    base_label = str(Ballot.Base(ballot.base).label)
    rows = []
    unanimous = False
    for c in candidates:
        yes, no, blank = c.yes_count or 0, c.no_count or 0, c.blank_count or 0
        if valid and max(yes, no, blank) == valid:
            unanimous = True
        rows.append(
            CandidateResult(
                candidate=c,
                unit=c.unit,
                position=c.position,
                yes=yes,
                no=no,
                blank=blank,
                percent=tally.percent(yes, base_count),
                passed=bool(c.passed),
                elected=bool(c.elected),
            )
        )
    rows.sort(key=lambda r: (tally.POSITION_ORDER.get(r.position, 9), -r.yes, r.unit.name))
    counted = ballot.status in (Ballot.Status.CLOSED, Ballot.Status.PUBLISHED)
    return BallotResult(
        ballot=ballot,
        members=members,
        present=present,
        entitled=entitled,
        issued=online + p_issued,
        returned=online + p_returned,
        valid=valid,
        invalid=p_invalid,
        base=ballot.base,
        base_label=base_label,
        base_count=base_count,
        rows=rows,
        tie_note=ballot.tie_note,
        closed_at=ballot.closed_at,
        small_electorate=counted and valid in SMALL_ELECTORATE and unanimous,
        illustrative=ballot.illustrative,
        threshold_label=tally.threshold_label(
            numerator=ballot.threshold_numerator,
            denominator=ballot.threshold_denominator,
            strict=ballot.threshold_strict,
            base_label=base_label,
        ),
        online=online,
        paper_issued=p_issued,
        paper_returned=p_returned,
        paper_valid=p_valid,
        paper_invalid=p_invalid,
        counted=counted,
    )


def ballot_published_votes(*, ballot: Ballot) -> list[tuple[str, dict | None]]:
    """After publication: (receipt, choices) sorted by receipt when the rule set publishes
    the choices; (receipt, None) when it publishes receipts only; nothing otherwise."""
    if ballot.status != Ballot.Status.PUBLISHED or ballot.publication == Ballot.Publication.NONE:
        return []
    rows = Vote.objects.filter(ballot=ballot).order_by("receipt")
    if ballot.publication == Ballot.Publication.RECEIPTS:
        return [(r, None) for r in rows.values_list("receipt", flat=True)]
    return list(rows.values_list("receipt", "choices"))


def ballot_recount(*, ballot: Ballot) -> dict[int, tuple[int, int, int]]:
    """(yes, no, blank) per candidate id recomputed from the vote rows plus the paper
    counts; equals the stored totals of a counted ballot (`ballot_recount_matches`)."""
    candidates = list(
        BallotCandidate.objects.filter(ballot=ballot).values_list(
            "pk", "paper_yes", "paper_no", "paper_blank"
        )
    )
    online = tally.count_online(
        Vote.objects.filter(ballot=ballot).values_list("choices", flat=True),
        [c[0] for c in candidates],
    )
    return {
        pk: (
            online[pk][0] + (py or 0),
            online[pk][1] + (pn or 0),
            online[pk][2] + (pb or 0),
        )
        for pk, py, pn, pb in candidates
    }


def ballot_recount_matches(*, ballot: Ballot) -> bool:
    stored = {
        pk: (y or 0, n or 0, b or 0)
        for pk, y, n, b in BallotCandidate.objects.filter(ballot=ballot).values_list(
            "pk", "yes_count", "no_count", "blank_count"
        )
    }
    return stored == ballot_recount(ballot=ballot)
