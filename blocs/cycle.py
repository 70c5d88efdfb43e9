"""The year of a bloc as one state machine (DESIGN.md §3).

`BlocYear.status` is written here and nowhere else. Each step of the transition table is
one service (`bloc_year_open_pledging`, `bloc_year_start`, ...) that checks the
step's preconditions, changes the status in one transaction and records who, when, from
and to in the audit trail. A correction goes back one step through
`bloc_year_step_back` with a reason.

The preconditions are plain functions of `YearFacts`, which `year_facts_load` reads for
any number of bloc-years in a constant number of queries: the services check one year,
the step bar (blocs.cycle_selectors) shows many.

Features of other apps call `bloc_year_require` before work that belongs to one step
("no score before the scoring step"), and the services of this module where their work
moves the year (opening the pledge opens pledging; the last signature starts the year).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.services import audit_event_record

from .models import BlocYear, Membership

S = BlocYear.Status
ORDER: list[str] = list(S.values)

# Who takes a step (the "who" column of §3); core.permissions decides who holds it.
SECRETARIAT, BOARD, BOARD_OR_SECRETARIAT = "secretariat", "board", "board_or_secretariat"

# The step's name after "Chưa thể chuyển sang ...".
TARGET_PHRASES = {
    S.PLEDGING: gettext_lazy("ký kết giao ước"),
    S.IN_PROGRESS: gettext_lazy("thực hiện"),
    S.SCORING: gettext_lazy("chấm điểm"),
    S.VOTING: gettext_lazy("bỏ phiếu"),
    S.PROPOSED: gettext_lazy("đề nghị khen thưởng"),
    S.REVIEWED: gettext_lazy("đã thẩm định đề nghị"),
    S.CLOSED: gettext_lazy("kết thúc năm"),
}

REASON_MIN, REASON_MAX = 10, 2000


# --- facts ------------------------------------------------------------------------------------


@dataclass
class YearFacts:
    """What the preconditions of one bloc-year look at."""

    bloc_year_id: int
    year: int
    status: str
    members: list[str] = field(default_factory=list)  # unit names
    has_head: bool = False
    has_deputy: bool = False
    pledge_version: str | None = None  # status of the current version (not superseded)
    pledge_number: int | None = None
    pledge_signatures: int = 0
    unsigned_units: list[str] = field(default_factory=list)
    has_table: bool = False
    scores_entered: bool = False
    scores_locked: bool = False
    has_year_end_meeting: bool = False
    next_year_exists: bool = False
    next_year_leadership: bool = False
    # Filled from the meetings, awards and reports apps.
    ballots_published: bool = False
    ballots_opened: bool = False  # a ballot of the year-end meeting left `created`
    proposals_submitted: bool = False
    proposals_decided: bool = False
    report_signed: bool = False


def year_facts_load(bloc_years: Iterable[BlocYear]) -> dict[int, YearFacts]:
    """Facts of every given bloc-year in seven queries, whatever their number."""
    from meetings.models import Meeting
    from pledges.models import PledgeVersion, Signature
    from scoring.models import CriteriaTable, ScoreValue, ScoringYear

    bloc_years = list(bloc_years)
    if not bloc_years:
        return {}
    ids = [by.pk for by in bloc_years]
    facts = {
        by.pk: YearFacts(bloc_year_id=by.pk, year=by.year, status=by.status) for by in bloc_years
    }
    member_units: dict[int, dict[int, str]] = {pk: {} for pk in ids}
    for by_id, unit_id, name, role in (
        Membership.objects.filter(bloc_year_id__in=ids)
        .order_by("unit__name")
        .values_list("bloc_year_id", "unit_id", "unit__name", "role")
    ):
        f = facts[by_id]
        f.members.append(name)
        member_units[by_id][unit_id] = name
        f.has_head = f.has_head or role == Membership.Role.HEAD
        f.has_deputy = f.has_deputy or role == Membership.Role.DEPUTY

    versions: dict[int, int] = {}  # current version -> bloc-year
    for v_id, by_id, status, number in (
        PledgeVersion.objects.filter(pledge__bloc_year_id__in=ids)
        .exclude(status=PledgeVersion.Status.SUPERSEDED)
        .order_by()
        .values_list("pk", "pledge__bloc_year_id", "status", "number")
    ):
        versions[v_id] = by_id
        facts[by_id].pledge_version, facts[by_id].pledge_number = status, number
    signed: dict[int, set[int]] = {pk: set() for pk in ids}
    if versions:
        for v_id, unit_id in Signature.objects.filter(version_id__in=versions).values_list(
            "version_id", "unit_id"
        ):
            signed[versions[v_id]].add(unit_id)
    for by_id, f in facts.items():
        f.pledge_signatures = len(signed[by_id] & set(member_units[by_id]))
        f.unsigned_units = [n for u, n in member_units[by_id].items() if u not in signed[by_id]]

    province_of = {by.pk: by.bloc.province_id for by in bloc_years}
    shared_keys = {(province_of[by.pk], by.year) for by in bloc_years}
    tables = CriteriaTable.objects.filter(
        Q(bloc_year_id__in=ids)
        | Q(
            bloc_year__isnull=True,
            province_id__in={p for p, _y in shared_keys},
            year__in={y for _p, y in shared_keys},
        )
    ).values_list("bloc_year_id", "province_id", "year")
    own, shared = set(), set()
    for by_id, province_id, year in tables:
        (own.add(by_id) if by_id else shared.add((province_id, year)))
    for by in bloc_years:
        facts[by.pk].has_table = by.pk in own or (province_of[by.pk], by.year) in shared

    for by_id, locked_at in ScoringYear.objects.filter(bloc_year_id__in=ids).values_list(
        "bloc_year_id", "locked_at"
    ):
        facts[by_id].scores_locked = locked_at is not None
    for by_id in (
        ScoreValue.objects.filter(sheet__bloc_year_id__in=ids, value__isnull=False)
        .order_by()
        .values_list("sheet__bloc_year_id", flat=True)
        .distinct()
    ):
        facts[by_id].scores_entered = True
    # The year-end meeting's ballots (one LEFT JOIN): every one published, and at least one.
    ballot_statuses: dict[int, list[str]] = {}
    for by_id, ballot_status in (
        Meeting.objects.filter(bloc_year_id__in=ids, kind=Meeting.Kind.YEAR_END)
        .order_by()
        .values_list("bloc_year_id", "ballots__status")
    ):
        facts[by_id].has_year_end_meeting = True
        if ballot_status is not None:
            ballot_statuses.setdefault(by_id, []).append(ballot_status)
    for by_id, statuses in ballot_statuses.items():
        facts[by_id].ballots_published = all(st == "published" for st in statuses)
        facts[by_id].ballots_opened = any(st != "created" for st in statuses)

    # The award proposals (awards app): two queries.
    from awards.selectors import proposal_facts

    for by_id, pf in proposal_facts(bloc_year_ids=ids).items():
        facts[by_id].proposals_submitted = pf.submitted
        facts[by_id].proposals_decided = pf.decided

    wanted = {(by.bloc_id, by.year + 1): by.pk for by in bloc_years}
    roles: dict[int, set[str]] = {}
    for bloc_id, year, role in (
        BlocYear.objects.filter(
            bloc_id__in={b for b, _y in wanted}, year__in={y for _b, y in wanted}
        )
        .order_by()
        .values_list("bloc_id", "year", "memberships__role")
    ):
        by_id = wanted.get((bloc_id, year))
        if by_id is not None:
            roles.setdefault(by_id, set()).add(role)
    for by_id, found in roles.items():
        facts[by_id].next_year_exists = True
        facts[by_id].next_year_leadership = {Membership.Role.HEAD, Membership.Role.DEPUTY} <= found
    # The year-end report signed by the head unit's leader (reports app).
    from reports.models import Report

    for by_id in Report.objects.filter(
        bloc_year_id__in=ids, kind=Report.Kind.YEAR_END, status=Report.Status.SIGNED
    ).values_list("bloc_year_id", flat=True):
        facts[by_id].report_signed = True
    return facts


# --- preconditions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One precondition: `ok(facts)`; `reason(facts)` says in Vietnamese what is missing.

    `historical`: the demo loader may record a past year whose sources do not give this
    (e.g. a head the report does not name); the audit row lists what was not recorded.
    `act`: the check is the act that takes the step (opening the pledge opens pledging):
    the step bar offers the act instead of listing it as a blocker."""

    code: str
    ok: Callable[[YearFacts], bool]
    reason: Callable[[YearFacts], str]
    historical: bool = False
    act: bool = False


def _unsigned_reason(f: YearFacts) -> str:
    return _("còn %(n)s đơn vị chưa ký giao ước (%(units)s)") % {
        "n": len(f.unsigned_units),
        "units": "; ".join(f.unsigned_units),
    }


MEMBERS = Check("members", lambda f: bool(f.members), lambda f: _("khối chưa có đơn vị thành viên"))
HEAD = Check(
    "head", lambda f: f.has_head, lambda f: _("chưa có đơn vị Trưởng khối"), historical=True
)
DEPUTY = Check(
    "deputy", lambda f: f.has_deputy, lambda f: _("chưa có đơn vị Phó khối"), historical=True
)
PLEDGE_OPEN = Check(
    "pledge_open",
    lambda f: f.pledge_version in ("open", "signed"),
    lambda f: (
        _("giao ước chưa được soạn") if f.pledge_version is None else _("giao ước chưa được mở ký")
    ),
    historical=True,
    act=True,
)
PLEDGE_SIGNED = Check(
    "pledge_signed",
    lambda f: f.pledge_version == "signed" or (f.members and not f.unsigned_units),
    _unsigned_reason,
    historical=True,
)
# Historical: a past year recorded from its report (the demo's seeds) was scored on paper.
TABLE = Check(
    "table",
    lambda f: f.has_table,
    lambda f: _("chưa có bảng chấm điểm của năm"),
    historical=True,
)
LOCKED = Check(
    "scores_locked",
    lambda f: f.scores_locked,
    lambda f: _("Ban TĐKT chưa thẩm định điểm"),
    historical=True,
)
YEAR_END = Check(
    "year_end_meeting",
    lambda f: f.has_year_end_meeting,
    lambda f: _("chưa ghi nhận hội nghị tổng kết năm"),
)
BALLOTS = Check(
    "ballots",
    lambda f: f.ballots_published,
    lambda f: _("chưa có cuộc bỏ phiếu nào được đóng và công bố kết quả"),
)
PROPOSALS = Check(
    "proposals",
    lambda f: f.proposals_submitted,
    lambda f: _("chưa có tờ trình đề nghị khen thưởng nào được gửi Ban TĐKT"),
)
DECIDED = Check(
    "decided",
    lambda f: f.proposals_decided,
    lambda f: _("Ban TĐKT chưa quyết định hết các đề nghị khen thưởng"),
)
REPORT = Check(
    "report",
    lambda f: f.report_signed,
    lambda f: _("báo cáo tổng kết năm chưa được duyệt và ký"),
)
NEXT_YEAR = Check(
    "next_year",
    lambda f: f.next_year_exists,
    lambda f: _("chưa tạo năm thi đua %(year)s của khối") % {"year": f.year + 1},
)
NEXT_LEADERSHIP = Check(
    "next_leadership",
    lambda f: f.next_year_leadership,
    lambda f: _("năm %(year)s chưa có Trưởng khối và Phó khối") % {"year": f.year + 1},
)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    service: str  # the name of the service function below
    who: str
    button: Any  # lazy text of the button that takes the step
    checks: tuple[Check, ...]


TRANSITIONS: dict[str, Transition] = {
    t.source: t
    for t in (
        Transition(
            S.SETUP,
            S.PLEDGING,
            "bloc_year_open_pledging",
            SECRETARIAT,
            gettext_lazy("Mở ký giao ước"),
            (MEMBERS, HEAD, DEPUTY, PLEDGE_OPEN),
        ),
        Transition(
            S.PLEDGING,
            S.IN_PROGRESS,
            "bloc_year_start",
            SECRETARIAT,
            gettext_lazy("Chuyển sang thực hiện"),
            (PLEDGE_SIGNED,),
        ),
        Transition(
            S.IN_PROGRESS,
            S.SCORING,
            "bloc_year_open_scoring",
            SECRETARIAT,
            gettext_lazy("Chốt bảng chấm điểm, mở tự chấm"),
            (TABLE,),
        ),
        Transition(
            S.SCORING,
            S.VOTING,
            "bloc_year_open_voting",
            BOARD_OR_SECRETARIAT,
            gettext_lazy("Mở bình xét, bỏ phiếu"),
            (LOCKED, YEAR_END),
        ),
        Transition(
            S.VOTING,
            S.PROPOSED,
            "bloc_year_submit_proposals",
            SECRETARIAT,
            gettext_lazy("Gửi đề nghị khen thưởng"),
            (BALLOTS, PROPOSALS),
        ),
        Transition(
            S.PROPOSED,
            S.REVIEWED,
            "bloc_year_mark_reviewed",
            BOARD,
            gettext_lazy("Xác nhận đã thẩm định đề nghị"),
            (DECIDED,),
        ),
        Transition(
            S.REVIEWED,
            S.CLOSED,
            "bloc_year_close",
            SECRETARIAT,
            gettext_lazy("Kết thúc năm thi đua"),
            (REPORT, NEXT_YEAR, NEXT_LEADERSHIP),
        ),
    )
}

# Steps back: from a status to the one before it. The check says what forbids it.
NO_SIGNATURE = Check(
    "no_signature",
    lambda f: f.pledge_signatures == 0,
    lambda f: _("đã có đơn vị ký giao ước; hãy lập bản sửa đổi giao ước"),
)
NO_SCORES = Check(
    "no_scores",
    lambda f: not f.scores_entered,
    lambda f: _("đã có điểm được nhập"),
)
NO_BALLOT_OPENED = Check(
    "no_ballot_opened",
    lambda f: not f.ballots_opened,
    lambda f: _("hội nghị tổng kết đã mở bỏ phiếu; kết quả bỏ phiếu không thể hủy"),
)
STEP_BACKS: dict[str, tuple[Check, ...]] = {
    S.PLEDGING: (NO_SIGNATURE,),
    S.IN_PROGRESS: (),
    S.SCORING: (NO_SCORES,),
    S.VOTING: (NO_BALLOT_OPENED,),
}


def previous_status(status: str) -> str | None:
    i = ORDER.index(status)
    return ORDER[i - 1] if i > 0 else None


def status_label(status: str) -> str:
    return str(S(status).label)


def blocked_message(target: str, reasons: list[str]) -> str:
    return _("Chưa thể chuyển sang %(step)s: %(reasons)s.") % {
        "step": TARGET_PHRASES[target],
        "reasons": "; ".join(reasons),
    }


def transition_blockers(
    transition: Transition, facts: YearFacts, *, skip: Iterable[str] = ()
) -> list[Check]:
    skip = set(skip)
    return [c for c in transition.checks if c.code not in skip and not c.ok(facts)]


# --- services -----------------------------------------------------------------------------------


def _lock(bloc_year: BlocYear) -> BlocYear:
    return BlocYear.objects.select_for_update().select_related("bloc").get(pk=bloc_year.pk)


def _advance(
    *,
    bloc_year: BlocYear,
    target: str,
    actor: Any,
    waive: Iterable[str] = (),
    historical_source: str = "",
    data: dict | None = None,
) -> BlocYear:
    locked = _lock(bloc_year)
    transition = TRANSITIONS.get(locked.status)
    if transition is None or transition.target != target:
        raise ValidationError(
            _("Chưa thể chuyển sang %(step)s: năm thi đua đang ở bước “%(status)s”.")
            % {"step": TARGET_PHRASES[target], "status": status_label(locked.status)}
        )
    facts = year_facts_load([locked])[locked.pk]
    blockers = transition_blockers(transition, facts, skip=waive)
    unrecorded = []
    if historical_source:
        unrecorded = [c.code for c in blockers if c.historical]
        blockers = [c for c in blockers if not c.historical]
    if blockers:
        raise ValidationError(blocked_message(target, [c.reason(facts) for c in blockers]))
    source = locked.status
    locked.status = target
    locked.save(update_fields=["status"])
    bloc_year.status = target
    details = {"from": source, "to": target, **(data or {})}
    if historical_source:
        details |= {"historical_source": historical_source, "not_recorded": unrecorded}
    audit_event_record(actor=actor, action=transition.service, target=locked, data=details)
    return locked


@transaction.atomic
def bloc_year_open_pledging(
    *, bloc_year: BlocYear, actor: Any, _historical_source: str = ""
) -> BlocYear:
    """setup → pledging: members, head and deputy set, the pledge opened for signing (called
    by pledges.services.pledge_open in its transaction).

    `_historical_source` is internal: only the demo loader (the seed report it records) and
    the benchmark's throwaway data pass it, for a past year whose sources do not name what
    a check needs; the audit row lists what was not recorded. Views never pass it."""
    return _advance(
        bloc_year=bloc_year,
        target=S.PLEDGING,
        actor=actor,
        historical_source=_historical_source,
    )


@transaction.atomic
def bloc_year_start(
    *,
    bloc_year: BlocYear,
    actor: Any,
    close_signing: bool = False,
    _historical_source: str = "",
) -> BlocYear:
    """pledging → in progress: every member has signed the current pledge version, or the
    secretariat closes signing (`close_signing`) and the units that have not signed are
    recorded in the audit row."""
    data: dict[str, Any] = {}
    waive: list[str] = []
    if close_signing:
        facts = year_facts_load([_lock(bloc_year)])[bloc_year.pk]
        if facts.pledge_version not in ("open", "signed") and not _historical_source:
            raise ValidationError(
                blocked_message(S.IN_PROGRESS, [_("phiên bản hiện hành chưa được mở ký")])
            )
        data = {"closed_signing": True, "unsigned_units": facts.unsigned_units}
        waive = ["pledge_signed"]
    return _advance(
        bloc_year=bloc_year,
        target=S.IN_PROGRESS,
        actor=actor,
        waive=waive,
        historical_source=_historical_source,
        data=data,
    )


@transaction.atomic
def bloc_year_open_scoring(
    *, bloc_year: BlocYear, actor: Any, _historical_source: str = ""
) -> BlocYear:
    """in progress → scoring: the scoring table is fixed from now on and self-assessment
    opens (every member gets its score sheet). A past year recorded from its report
    (`_historical_source`, see bloc_year_open_pledging) was scored on paper: no sheets."""
    from scoring.services import score_sheets_ensure, scoring_revision_bump

    result = _advance(
        bloc_year=bloc_year, target=S.SCORING, actor=actor, historical_source=_historical_source
    )
    if not _historical_source:
        score_sheets_ensure(bloc_year=result)
    scoring_revision_bump(bloc_year_ids=[result.pk])
    return result


@transaction.atomic
def bloc_year_open_voting(
    *, bloc_year: BlocYear, actor: Any, _historical_source: str = ""
) -> BlocYear:
    """scoring → voting: the board has verified and locked the scores and the year-end
    meeting is recorded (`_historical_source`: see bloc_year_open_pledging)."""
    return _advance(
        bloc_year=bloc_year, target=S.VOTING, actor=actor, historical_source=_historical_source
    )


@transaction.atomic
def bloc_year_submit_proposals(*, bloc_year: BlocYear, actor: Any) -> BlocYear:
    """voting → proposed: ballots closed and published, proposals submitted to the board."""
    return _advance(bloc_year=bloc_year, target=S.PROPOSED, actor=actor)


@transaction.atomic
def bloc_year_mark_reviewed(*, bloc_year: BlocYear, actor: Any) -> BlocYear:
    """proposed → reviewed: the board has decided every proposal item."""
    return _advance(bloc_year=bloc_year, target=S.REVIEWED, actor=actor)


@transaction.atomic
def bloc_year_close(*, bloc_year: BlocYear, actor: Any) -> BlocYear:
    """reviewed → closed: the year-end report is approved and signed; next year's
    bloc-year exists with its head and deputy."""
    return _advance(bloc_year=bloc_year, target=S.CLOSED, actor=actor)


SERVICES: dict[str, Callable[..., BlocYear]] = {
    "bloc_year_open_pledging": bloc_year_open_pledging,
    "bloc_year_start": bloc_year_start,
    "bloc_year_open_scoring": bloc_year_open_scoring,
    "bloc_year_open_voting": bloc_year_open_voting,
    "bloc_year_submit_proposals": bloc_year_submit_proposals,
    "bloc_year_mark_reviewed": bloc_year_mark_reviewed,
    "bloc_year_close": bloc_year_close,
}


def bloc_year_advance(*, bloc_year: BlocYear, to: str, actor: Any, **options: Any) -> BlocYear:
    """Take the step from the current status to `to` through its service."""
    transition = TRANSITIONS.get(bloc_year.status)
    if to not in ORDER or transition is None or transition.target != to:
        target = to if to in TARGET_PHRASES else None
        raise ValidationError(
            _("Chưa thể chuyển sang %(step)s: năm thi đua đang ở bước “%(status)s”.")
            % {
                "step": TARGET_PHRASES[target] if target else to,
                "status": status_label(bloc_year.status),
            }
        )
    return SERVICES[transition.service](bloc_year=bloc_year, actor=actor, **options)


def reason_clean(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": _("Cần nêu lý do (ít nhất %(n)s ký tự).") % {"n": REASON_MIN}}
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Lý do quá dài (tối đa %(n)s ký tự).") % {"n": REASON_MAX}}
        )
    return reason


@transaction.atomic
def bloc_year_step_back(*, bloc_year: BlocYear, reason: str, actor: Any) -> BlocYear:
    """A correction: back one step, with a recorded reason. Only the steps of STEP_BACKS
    go back; nothing done so far is undone (signatures, scores and history stay)."""
    reason = reason_clean(reason)
    locked = _lock(bloc_year)
    target = previous_status(locked.status)
    if target is None or locked.status not in STEP_BACKS:
        raise ValidationError(
            _("Không thể quay lại bước trước từ bước “%(status)s”.")
            % {"status": status_label(locked.status)}
        )
    facts = year_facts_load([locked])[locked.pk]
    blockers = [c for c in STEP_BACKS[locked.status] if not c.ok(facts)]
    if blockers:
        raise ValidationError(
            _("Không thể quay lại bước “%(step)s”: %(reasons)s.")
            % {
                "step": status_label(target),
                "reasons": "; ".join(c.reason(facts) for c in blockers),
            }
        )
    source = locked.status
    locked.status = target
    locked.save(update_fields=["status"])
    bloc_year.status = target
    audit_event_record(
        actor=actor,
        action="bloc_year_step_back",
        target=locked,
        data={"from": source, "to": target, "reason": reason},
    )
    return locked


# --- guards for the features of other apps ------------------------------------------------------


def bloc_year_status_fresh(bloc_year: BlocYear | int) -> str:
    pk = bloc_year if isinstance(bloc_year, int) else bloc_year.pk
    return BlocYear.objects.filter(pk=pk).values_list("status", flat=True).get()


def bloc_year_require(
    *, bloc_year: BlocYear | int, allowed: Iterable[str], work: str, field: str | None = None
) -> str:
    """Refuse `work` (a Vietnamese phrase: "nhập điểm") unless the year is in one of the
    `allowed` statuses; says whether it comes too early or too late. Reads the status from
    the database. Returns it."""
    allowed = list(allowed)
    status = bloc_year_status_fresh(bloc_year)
    if status in allowed:
        return status
    first = min(ORDER.index(a) for a in allowed)
    if ORDER.index(status) < first:
        message = _(
            "Chưa thể %(work)s: năm thi đua đang ở bước “%(status)s”, chưa đến bước “%(step)s”."
        )
        message %= {
            "work": work,
            "status": status_label(status),
            "step": status_label(ORDER[first]),
        }
    else:
        message = _("Không thể %(work)s: năm thi đua đã qua bước này (đang ở bước “%(status)s”).")
        message %= {"work": work, "status": status_label(status)}
    raise ValidationError({field: message} if field else message)


BEFORE_SCORING = (S.SETUP, S.PLEDGING, S.IN_PROGRESS)
PLEDGE_DRAFTING = (S.SETUP, S.PLEDGING)
