"""Writes of secret ballots (DESIGN.md §8): create, open, vote, paper counts, close, publish,
reset, second round.

Secrecy rests on these rules, each kept here and behind database triggers
(meetings/migrations/0004_ballot_guards.py):
- who voted (BallotParticipation) and what was voted (StagedVote, then Vote) are written in
  two separate transactions; a vote row has no unit, user, time or link but its ballot;
- at close the staged votes are shuffled (`secrets.SystemRandom`) into Vote rows with new
  random ids and the staging rows are deleted;
- no log line, audit or ballot event, or error report carries a choice: `ballot_vote_cast`
  is `sensitive_variables("choices")` and its messages never repeat what was chosen.
"""

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from awards.models import AwardType
from blocs import cycle
from blocs.models import BlocYear, Membership, Unit
from core.services import actor_user, actor_username, audit_event_record
from rules.selectors import rule_set_for

from .. import tally
from ..models import (
    Attendance,
    Ballot,
    BallotCandidate,
    BallotEvent,
    BallotParticipation,
    Meeting,
    StagedVote,
    Vote,
)
from ..permissions import can_vote_as
from ..selectors.meetings import meeting_quorum
from .meetings import meeting_attendance_freeze

S = Ballot.Status
P = BallotCandidate.Position
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
RECEIPT_LENGTH = 10
REASON_MIN = 10
TITLE_MAX = 300

SETTINGS = {
    "title",
    "method",
    "max_winners",
    "threshold_numerator",
    "threshold_denominator",
    "threshold_strict",
    "base",
    "self_vote_allowed",
    "tie_rule",
    "publication",
    "illustrative",
    "award_type",
}


# --- helpers ----------------------------------------------------------------------------------


def _event(*, ballot: Ballot, action: str, actor: Any, note: str = "") -> BallotEvent:
    return BallotEvent.objects.create(
        ballot=ballot,
        action=action,
        actor=actor_user(actor),
        actor_username=actor_username(actor),
        note=note,
    )


def _locked(ballot: Ballot) -> Ballot:
    return (
        Ballot.objects.select_for_update(of=("self",))
        .select_related("meeting__bloc_year__bloc__province", "award_type")
        .get(pk=ballot.pk)
    )


def _status_refusal(ballot: Ballot, work: str) -> ValidationError:
    return ValidationError(
        _("Không thể %(work)s: cuộc bỏ phiếu đang ở trạng thái “%(status)s”.")
        % {"work": work, "status": ballot.get_status_display()}
    )


def _require_status(ballot: Ballot, allowed: Iterable[str], work: str) -> None:
    if ballot.status not in allowed:
        if ballot.status != S.CREATED and work == _("sửa thiết lập"):
            raise ValidationError(
                _("Cuộc bỏ phiếu đã mở, không thể sửa thiết lập.")
                if ballot.status == S.OPEN
                else _("Cuộc bỏ phiếu đã kết thúc, không thể sửa thiết lập.")
            )
        raise _status_refusal(ballot, work)


def _sync(target: Ballot, source: Ballot) -> None:
    """Copy the locked row's fields onto the caller's object."""
    for f in Ballot._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))


def _year_end_required(meeting: Meeting) -> None:
    if meeting.kind != Meeting.Kind.YEAR_END:
        raise ValidationError(
            _(
                "Chỉ bỏ phiếu bình xét, suy tôn và bầu Trưởng khối, Phó khối tại Hội nghị tổng "
                "kết năm; hội nghị này là “%(kind)s”."
            )
            % {"kind": meeting.get_kind_display()}
        )


def _member_units(bloc_year: BlocYear) -> dict[int, Membership]:
    return {
        m.unit_id: m for m in Membership.objects.filter(bloc_year=bloc_year).select_related("unit")
    }


def _candidates_clean(
    *, meeting: Meeting, kind: str, candidates: list[tuple[Unit, str]], rule_set: Any
) -> list[tuple[Unit, str]]:
    members = _member_units(meeting.bloc_year)
    cleaned: list[tuple[Unit, str]] = []
    seen: set[tuple[int, str]] = set()
    if not candidates:
        raise ValidationError({"candidates": _("Cần ít nhất một đơn vị được bỏ phiếu.")})
    for item in candidates:
        try:
            unit, position = item
        except (TypeError, ValueError):
            raise ValidationError({"candidates": _("Danh sách đơn vị không hợp lệ.")}) from None
        position = position or ""
        if kind == Ballot.Kind.NOMINATION and position != P.NONE:
            raise ValidationError(
                {"candidates": _("Phiếu bình xét khen thưởng không có vị trí Trưởng, Phó khối.")}
            )
        if kind == Ballot.Kind.ELECTION and position not in (P.HEAD, P.DEPUTY):
            raise ValidationError(
                {"candidates": _("Mỗi đơn vị ứng cử phải ứng cử Trưởng khối hoặc Phó khối.")}
            )
        if not isinstance(unit, Unit) or unit.pk not in members:
            name = unit.name if isinstance(unit, Unit) else str(unit)
            raise ValidationError(
                {
                    "candidates": _(
                        "Đơn vị %(unit)s không phải thành viên của khối trong năm %(year)s."
                    )
                    % {"unit": name, "year": meeting.bloc_year.year}
                }
            )
        if (unit.pk, position) in seen:
            raise ValidationError(
                {"candidates": _("Đơn vị %(unit)s có tên hai lần.") % {"unit": unit.name}}
            )
        seen.add((unit.pk, position))
        if (
            kind == Ballot.Kind.ELECTION
            and position == P.HEAD
            and not rule_set.election_head_repeat_allowed
            and members[unit.pk].role == Membership.Role.HEAD
        ):
            raise ValidationError(
                {
                    "candidates": _(
                        "Theo quy chế, %(unit)s là Trưởng khối năm %(year)s nên không được ứng "
                        "cử Trưởng khối năm %(next)s (không làm Trưởng khối hai năm liền)."
                    )
                    % {
                        "unit": unit.name,
                        "year": meeting.bloc_year.year,
                        "next": meeting.bloc_year.year + 1,
                    }
                }
            )
        cleaned.append((unit, position))
    return cleaned


def _settings_clean(ballot: Ballot) -> None:
    errors: dict[str, str] = {}
    ballot.title = (ballot.title or "").strip()
    if not ballot.title:
        errors["title"] = _("Cần nhập tên cuộc bỏ phiếu.")
    elif len(ballot.title) > TITLE_MAX:
        errors["title"] = _("Tên cuộc bỏ phiếu quá dài (tối đa %(n)s ký tự).") % {"n": TITLE_MAX}
    if ballot.method not in Ballot.Method.values:
        errors["method"] = _("Hình thức bỏ phiếu không hợp lệ.")
    if ballot.base not in Ballot.Base.values:
        errors["base"] = _("Cách tính tỷ lệ không hợp lệ.")
    if ballot.tie_rule not in Ballot.TieRule.values:
        errors["tie_rule"] = _("Cách xử lý khi bằng phiếu không hợp lệ.")
    if ballot.publication not in Ballot.Publication.values:
        errors["publication"] = _("Cách công bố không hợp lệ.")
    num, den = ballot.threshold_numerator, ballot.threshold_denominator
    if not isinstance(num, int) or not isinstance(den, int) or den < 1 or not 0 <= num <= den:
        errors["threshold_numerator"] = _("Tỷ lệ phải là một phân số từ 0 đến 1 (ví dụ 1/2, 2/3).")
    if not isinstance(ballot.max_winners, int) or ballot.max_winners < 1:
        errors["max_winners"] = _("Số đơn vị tối đa được chọn phải từ 1 trở lên.")
    if ballot.kind == Ballot.Kind.NOMINATION:
        award = ballot.award_type
        if award is None:
            errors["award_type"] = _("Cần chọn danh hiệu, hình thức khen thưởng.")
        elif award.province_id != ballot.meeting.bloc_year.bloc.province_id:
            errors["award_type"] = _("Danh hiệu, hình thức khen thưởng phải của tỉnh của khối.")
    elif ballot.kind == Ballot.Kind.ELECTION:
        if ballot.award_type_id is not None:
            errors["award_type"] = _("Cuộc bầu Trưởng khối, Phó khối không có danh hiệu.")
        ballot.max_winners = 1
    else:
        errors["kind"] = _("Loại phiếu không hợp lệ.")
    if errors:
        raise ValidationError(errors)


def _candidates_write(ballot: Ballot, candidates: list[tuple[Unit, str]]) -> None:
    BallotCandidate.objects.bulk_create(
        BallotCandidate(ballot=ballot, unit=unit, position=position, order=i)
        for i, (unit, position) in enumerate(candidates, start=1)
    )


# --- create, update ---------------------------------------------------------------------------


@transaction.atomic
def ballot_create(
    *,
    meeting: Meeting,
    kind: str,
    title: str,
    method: str,
    candidates: list[tuple[Unit, str]],
    actor: Any,
    award_type: AwardType | None = None,
    max_winners: int | None = None,
    illustrative: bool = False,
    _previous_round: Ballot | None = None,
) -> Ballot:
    """A ballot in `created`, with the pass rules of the rule set in force for the year."""
    meeting = Meeting.objects.select_related("bloc_year__bloc__province").get(pk=meeting.pk)
    _year_end_required(meeting)
    bloc_year = meeting.bloc_year
    rule_set = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    ballot = Ballot(
        meeting=meeting,
        kind=kind,
        title=title,
        method=method,
        award_type=award_type,
        max_winners=1 if max_winners is None else max_winners,
        threshold_numerator=rule_set.ballot_threshold_numerator,
        threshold_denominator=rule_set.ballot_threshold_denominator,
        threshold_strict=rule_set.ballot_threshold_strict,
        base=rule_set.ballot_base,
        self_vote_allowed=rule_set.ballot_self_vote_allowed,
        tie_rule=rule_set.ballot_tie_rule,
        publication=rule_set.ballot_publication,
        illustrative=bool(illustrative),
        created_by=actor_user(actor),
        created_by_username=actor_username(actor),
    )
    if _previous_round is not None:
        ballot.previous_round = _previous_round
        ballot.round = _previous_round.round + 1
        for name in (
            "threshold_numerator",
            "threshold_denominator",
            "threshold_strict",
            "base",
            "self_vote_allowed",
            "tie_rule",
            "publication",
        ):
            setattr(ballot, name, getattr(_previous_round, name))
    _settings_clean(ballot)
    cleaned = _candidates_clean(
        meeting=meeting, kind=kind, candidates=list(candidates), rule_set=rule_set
    )
    ballot.save()
    _candidates_write(ballot, cleaned)
    _event(ballot=ballot, action="create", actor=actor)
    return ballot


@transaction.atomic
def ballot_update(*, ballot: Ballot, actor: Any, **settings: Any) -> Ballot:
    """Change the settings (and `candidates`, a list of (unit, position)) while `created`."""
    locked = _locked(ballot)
    _require_status(locked, [S.CREATED], _("sửa thiết lập"))
    candidates = settings.pop("candidates", None)
    unknown = set(settings) - SETTINGS
    if unknown:
        raise ValidationError(
            _("Không sửa được các mục: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in settings.items():
        setattr(locked, name, value)
    _settings_clean(locked)
    changed = sorted(settings)
    if candidates is not None:
        rule_set = rule_set_for(
            province=locked.meeting.bloc_year.bloc.province, year=locked.meeting.bloc_year.year
        )
        cleaned = _candidates_clean(
            meeting=locked.meeting, kind=locked.kind, candidates=list(candidates), rule_set=rule_set
        )
        BallotCandidate.objects.filter(ballot=locked).delete()
        _candidates_write(locked, cleaned)
        changed.append("candidates")
    locked.save()
    _sync(ballot, locked)
    _event(ballot=locked, action="update", actor=actor, note=", ".join(changed))
    return ballot


# --- open -------------------------------------------------------------------------------------


def _quorum(meeting: Meeting) -> tuple[bool, str]:
    q = meeting_quorum(meeting=meeting)
    if q.met:
        return True, ""
    return False, _(
        "Chưa đủ số đơn vị dự họp theo quy chế: có mặt %(present)s/%(members)s, cần ít nhất "
        "%(required)s."
    ) % {"present": q.present, "members": q.members, "required": q.required}


@transaction.atomic
def ballot_open(*, ballot: Ballot, actor: Any) -> Ballot:
    """created → open: the meeting is the year-end one, its quorum is met and the year is
    in voting (a year in scoring is moved to voting here: the year-end meeting opens it).
    The attendance is frozen; each unit present gets its participation row."""
    locked = _locked(ballot)
    _require_status(locked, [S.CREATED], _("mở bỏ phiếu"))
    meeting = Meeting.objects.select_related("bloc_year__bloc__province").get(pk=locked.meeting_id)
    _year_end_required(meeting)
    if locked.previous_round_id is not None:
        previous = Ballot.objects.get(pk=locked.previous_round_id)
        if previous.status not in (S.CLOSED, S.PUBLISHED):
            raise ValidationError(_("Vòng trước chưa kết thúc bỏ phiếu."))
    met, message = _quorum(meeting)
    if not met:
        raise ValidationError(message)
    bloc_year = meeting.bloc_year
    if cycle.bloc_year_status_fresh(bloc_year) == BlocYear.Status.SCORING:
        cycle.bloc_year_open_voting(bloc_year=bloc_year, actor=actor)
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=[BlocYear.Status.VOTING], work=_("mở bỏ phiếu")
    )
    now = timezone.now()
    meeting_attendance_freeze(meeting=meeting, actor=actor)
    member_ids = list(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id"))
    member_ids = [u for (u,) in member_ids]
    present_ids = sorted(
        Attendance.objects.filter(
            meeting=meeting, status=Attendance.Status.PRESENT, unit_id__in=member_ids
        ).values_list("unit_id", flat=True)
    )
    BallotParticipation.objects.bulk_create(
        BallotParticipation(ballot=locked, unit_id=u) for u in present_ids
    )
    locked.status = S.OPEN
    locked.opened_at = now
    locked.members_count = len(member_ids)
    locked.present_count = len(present_ids)
    locked.save()
    _sync(ballot, locked)
    _event(ballot=locked, action="open", actor=actor)
    return ballot


# --- voting -----------------------------------------------------------------------------------


def receipt_new() -> str:
    """10 random characters of an alphabet without look-alikes, in two groups: ABCDE-FGH23."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(RECEIPT_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _outside_transaction_required() -> None:
    """Participation and vote must land in two committed transactions. A caller's
    transaction would merge them; the test runner's own wrapping transaction (pytest's
    `db` fixture) is tolerated, since it never commits anything."""
    conn = transaction.get_connection()
    if conn.in_atomic_block and not all(
        getattr(a, "_from_testcase", False) for a in conn.atomic_blocks
    ):
        raise RuntimeError("ballot_vote_cast must not run inside a transaction")


def _candidate_specs(ballot: Ballot) -> list[tally.CandidateSpec]:
    return [
        tally.CandidateSpec(id=pk, unit_id=unit_id, position=position, name=name)
        for pk, unit_id, position, name in BallotCandidate.objects.filter(ballot=ballot)
        .order_by("-position", "order", "id")
        .values_list("pk", "unit_id", "position", "unit__name")
    ]


@sensitive_variables("choices", "cleaned", "own")
def ballot_vote_cast(*, ballot: Ballot, unit: Unit, user: Any, choices: dict[int, str]) -> str:
    """One online ballot for `unit`, cast by its leader or named representative. Returns
    the receipt (shown once; the app keeps no link from it to the unit).

    Transaction 1 marks the unit as voted (its participation row, locked); transaction 2,
    separate and after the first commit, drops the ballot paper into the staging box."""
    _outside_transaction_required()
    work = _("bỏ phiếu")
    ballot = Ballot.objects.select_related("meeting").get(pk=ballot.pk)
    if ballot.status != S.OPEN:
        raise _status_refusal(ballot, work)
    if ballot.method == Ballot.Method.PAPER:
        raise ValidationError(_("Cuộc bỏ phiếu này chỉ bỏ phiếu giấy."))
    if not can_vote_as(user, ballot.meeting, unit):
        raise ValidationError(
            _("Bạn không phải lãnh đạo hoặc người được cử bỏ phiếu thay %(unit)s.")
            % {"unit": unit.name}
        )
    specs = _candidate_specs(ballot)
    # Without self-vote the unit's own candidacies are recorded as blank, whatever was sent.
    # This leaks a little: in a published receipt → choices list a blank against one unit
    # hints that the paper may be that unit's. The rule set accepts it by forbidding
    # self-vote; the alternative (refusing any answer) would leak the same.
    own = {str(c.id) for c in specs if c.unit_id == unit.pk}
    if not ballot.self_vote_allowed and own and isinstance(choices, dict):
        choices = {**{str(k): v for k, v in choices.items()}, **dict.fromkeys(own, tally.BLANK)}
    cleaned = tally.choices_clean(choices=choices, candidates=specs, max_winners=ballot.max_winners)

    with transaction.atomic():  # 1: who voted
        locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
        if locked.status != S.OPEN:
            raise _status_refusal(locked, work)
        participation = (
            BallotParticipation.objects.select_for_update().filter(ballot=locked, unit=unit).first()
        )
        if participation is None:
            raise ValidationError(
                _("Đơn vị %(unit)s không có quyền bỏ phiếu (không có mặt khi mở bỏ phiếu).")
                % {"unit": unit.name}
            )
        if participation.voted_method:
            raise ValidationError(_("Đơn vị %(unit)s đã bỏ phiếu.") % {"unit": unit.name})
        participation.voted_method = BallotParticipation.Method.ONLINE
        participation.save(update_fields=["voted_method"])

    for _attempt in range(5):  # 2: what was voted, in its own transaction
        receipt = receipt_new()
        try:
            with transaction.atomic():
                locked = Ballot.objects.select_for_update().get(pk=ballot.pk)
                if locked.status != S.OPEN:  # ballot_close refuses while a vote is between
                    raise _status_refusal(locked, work)  # its two transactions
                StagedVote.objects.create(ballot=locked, receipt=receipt, choices=cleaned)
            return receipt
        except IntegrityError:  # the same receipt twice in a ballot: draw again
            continue
    raise RuntimeError("no free receipt")  # pragma: no cover - 32**10 codes


@transaction.atomic
def ballot_paper_issue(*, ballot: Ballot, unit: Unit, actor: Any) -> BallotParticipation:
    """A paper ballot is handed to a present unit that has not voted: it can no longer vote
    online."""
    locked = _locked(ballot)
    _require_status(locked, [S.OPEN], _("phát phiếu giấy"))
    if locked.method == Ballot.Method.ONLINE:
        raise ValidationError(_("Cuộc bỏ phiếu này chỉ bỏ phiếu trực tuyến."))
    participation = (
        BallotParticipation.objects.select_for_update().filter(ballot=locked, unit=unit).first()
    )
    if participation is None:
        raise ValidationError(
            {"unit": _("Đơn vị %(unit)s không có quyền bỏ phiếu.") % {"unit": unit.name}}
        )
    if participation.voted_method:
        raise ValidationError({"unit": _("Đơn vị %(unit)s đã bỏ phiếu.") % {"unit": unit.name}})
    participation.voted_method = BallotParticipation.Method.PAPER
    participation.save(update_fields=["voted_method"])
    _event(ballot=locked, action="paper_issue", actor=actor, note=unit.name)
    return participation


@transaction.atomic
def ballot_paper_counts_enter(
    *,
    ballot: Ballot,
    issued: int,
    returned: int,
    valid: int,
    invalid: int,
    per_candidate: dict[int, tuple[int, int, int]],
    actor: Any,
) -> Ballot:
    """The counting committee's paper counts (while open, before close). Refused as a whole,
    with each wrong field named, unless they add up."""
    locked = _locked(ballot)
    _require_status(locked, [S.OPEN], _("nhập kết quả phiếu giấy"))
    if locked.method == Ballot.Method.ONLINE:
        raise ValidationError(_("Cuộc bỏ phiếu này chỉ bỏ phiếu trực tuyến."))
    candidate_ids = list(
        BallotCandidate.objects.filter(ballot=locked).order_by("id").values_list("pk", flat=True)
    )
    entitled = BallotParticipation.objects.filter(ballot=locked).count()
    online = BallotParticipation.objects.filter(
        ballot=locked, voted_method=BallotParticipation.Method.ONLINE
    ).count()
    try:
        per_candidate = {int(k): tuple(v) for k, v in (per_candidate or {}).items()}
    except (TypeError, ValueError):
        raise ValidationError({"per_candidate": _("Số phiếu theo đơn vị không hợp lệ.")}) from None
    errors = tally.paper_counts_errors(
        issued=issued,
        returned=returned,
        valid=valid,
        invalid=invalid,
        per_candidate=per_candidate,
        candidate_ids=candidate_ids,
        max_issued=entitled - online,
    )
    if errors:
        raise ValidationError(errors)
    locked.paper_issued, locked.paper_returned = issued, returned
    locked.paper_valid, locked.paper_invalid = valid, invalid
    locked.save(update_fields=["paper_issued", "paper_returned", "paper_valid", "paper_invalid"])
    candidates = list(BallotCandidate.objects.filter(ballot=locked))
    for c in candidates:
        c.paper_yes, c.paper_no, c.paper_blank = per_candidate[c.pk]
    BallotCandidate.objects.bulk_update(candidates, ["paper_yes", "paper_no", "paper_blank"])
    _sync(ballot, locked)
    _event(
        ballot=locked,
        action="paper_counts_enter",
        actor=actor,
        note=_("phát ra %(i)s, thu về %(r)s, hợp lệ %(v)s, không hợp lệ %(n)s")
        % {"i": issued, "r": returned, "v": valid, "n": invalid},
    )
    return ballot


# --- close ------------------------------------------------------------------------------------


def _score_ranks(bloc_year: BlocYear) -> dict[int, int | None]:
    from scoring.selectors import scoreboard

    return {row.unit.pk: row.rank for row in scoreboard(bloc_year=bloc_year)["rows"]}


class _LazyRanks(dict):
    """The score ranking, read from the scoreboard only when a tie needs it."""

    def __init__(self, load: Callable[[], dict[int, int | None]]):
        super().__init__()
        self._load, self._loaded = load, False

    def _ensure(self) -> None:
        if not self._loaded:
            self.update(self._load())
            self._loaded = True

    def get(self, key, default=None):
        self._ensure()
        return super().get(key, default)


@transaction.atomic
def ballot_close(*, ballot: Ballot, actor: Any) -> Ballot:
    """open → closed, in one transaction: the staged votes are shuffled into vote rows with
    new random ids, the staging rows deleted, the totals (online + paper) counted into the
    candidates, with pass, quotas and ties."""
    locked = _locked(ballot)
    _require_status(locked, [S.OPEN], _("kết thúc bỏ phiếu"))
    if locked.method != Ballot.Method.ONLINE and locked.paper_issued is None:
        raise ValidationError(_("Tổ kiểm phiếu chưa nhập kết quả phiếu giấy."))
    staged = list(StagedVote.objects.filter(ballot=locked).values_list("receipt", "choices"))
    online_voted = BallotParticipation.objects.filter(
        ballot=locked, voted_method=BallotParticipation.Method.ONLINE
    ).count()
    if online_voted != len(staged):
        # A vote is between its two transactions: its paper is about to reach the box.
        raise ValidationError(
            _("Đang ghi nhận phiếu của một đơn vị; vui lòng kết thúc lại sau giây lát.")
        )
    secrets.SystemRandom().shuffle(staged)
    Vote.objects.bulk_create(
        Vote(ballot=locked, receipt=receipt, choices=choices) for receipt, choices in staged
    )
    StagedVote.objects.filter(ballot=locked).delete()

    candidates = list(
        BallotCandidate.objects.filter(ballot=locked).select_related("unit").order_by("id")
    )
    online = tally.count_online((c for _r, c in staged), [c.pk for c in candidates])
    del staged
    p_valid = locked.paper_valid or 0
    from ..selectors.ballots import base_count_of

    base_count = base_count_of(
        base=locked.base,
        members=locked.members_count or 0,
        present=locked.present_count or 0,
        online_valid=online_voted,
        paper_valid=p_valid,
    )
    rows = []
    for c in candidates:
        y, n, b = online[c.pk]
        c.yes_count = y + (c.paper_yes or 0)
        c.no_count = n + (c.paper_no or 0)
        c.blank_count = b + (c.paper_blank or 0)
        c.passed = tally.passes(
            yes=c.yes_count,
            base_count=base_count,
            numerator=locked.threshold_numerator,
            denominator=locked.threshold_denominator,
            strict=locked.threshold_strict,
        )
        rows.append(
            tally.Row(
                id=c.pk,
                unit_id=c.unit_id,
                position=c.position,
                name=c.unit.name,
                yes=c.yes_count,
                passed=c.passed,
            )
        )
    bloc_year = locked.meeting.bloc_year
    outcome = tally.winners_select(
        rows=rows,
        max_winners=locked.max_winners,
        tie_rule=locked.tie_rule,
        ranks=_LazyRanks(lambda: _score_ranks(bloc_year)),
    )
    for c in candidates:
        c.elected = c.pk in outcome.elected
    BallotCandidate.objects.bulk_update(
        candidates, ["yes_count", "no_count", "blank_count", "passed", "elected"]
    )
    locked.status = S.CLOSED
    locked.closed_at = timezone.now()
    locked.online_returned = online_voted
    locked.tie_note = outcome.tie_note
    locked.save()
    _sync(ballot, locked)
    _event(ballot=locked, action="close", actor=actor)
    return ballot


def ballot_tied_candidates(*, ballot: Ballot) -> list[BallotCandidate]:
    """Candidates tied at the cut-off that a second round must settle (empty if none)."""
    if ballot.status not in (S.CLOSED, S.PUBLISHED) or not ballot.tie_note:
        return []
    candidates = list(
        BallotCandidate.objects.filter(ballot=ballot).select_related("unit").order_by("id")
    )
    rows = [
        tally.Row(
            id=c.pk,
            unit_id=c.unit_id,
            position=c.position,
            name=c.unit.name,
            yes=c.yes_count or 0,
            passed=bool(c.passed),
        )
        for c in candidates
    ]
    bloc_year = ballot.meeting.bloc_year
    outcome = tally.winners_select(
        rows=rows,
        max_winners=ballot.max_winners,
        tie_rule=ballot.tie_rule,
        ranks=_LazyRanks(lambda: _score_ranks(bloc_year)),
    )
    tied = set(outcome.tied)
    return [c for c in candidates if c.pk in tied]


@transaction.atomic
def ballot_second_round_create(*, ballot: Ballot, actor: Any) -> Ballot:
    """A new ballot (created) among the candidates tied at the cut-off; its places are the
    ones the first round left open."""
    previous = _locked(ballot)
    if previous.status not in (S.CLOSED, S.PUBLISHED):
        raise _status_refusal(previous, _("tạo vòng bỏ phiếu tiếp theo"))
    tied = ballot_tied_candidates(ballot=previous)
    if not tied:
        raise ValidationError(_("Cuộc bỏ phiếu không có đơn vị bằng phiếu cần bỏ phiếu lại."))
    if Ballot.objects.filter(previous_round=previous).exists():
        raise ValidationError(_("Đã có vòng bỏ phiếu tiếp theo cho cuộc bỏ phiếu này."))
    elected_here = BallotCandidate.objects.filter(
        ballot=previous, elected=True, position=tied[0].position
    ).count()
    places = tally.quota(tied[0].position, previous.max_winners) - elected_here
    result = ballot_create(
        meeting=previous.meeting,
        kind=previous.kind,
        title=_("%(title)s (vòng %(round)s)")
        % {"title": previous.title, "round": previous.round + 1},
        method=previous.method,
        candidates=[(c.unit, c.position) for c in tied],
        actor=actor,
        award_type=previous.award_type,
        max_winners=max(places, 1),
        illustrative=previous.illustrative,
        _previous_round=previous,
    )
    _event(ballot=previous, action="second_round_create", actor=actor, note=str(result.pk))
    return result


# --- publish ----------------------------------------------------------------------------------


def _election_winners(ballot: Ballot) -> dict[str, Unit]:
    """head / deputy elected by this ballot and the rounds before it."""
    chain = []
    current: Ballot | None = ballot
    while current is not None:
        chain.append(current)
        current = current.previous_round
    winners: dict[str, Unit] = {}
    for b in chain:  # the latest round first: it settles what an earlier one left open
        for c in BallotCandidate.objects.filter(ballot=b, elected=True).select_related("unit"):
            winners.setdefault(c.position, c.unit)
    return winners


def _next_year_write(*, ballot: Ballot, actor: Any) -> BlocYear:
    from blocs import services as bloc_services
    from blocs import setup
    from blocs.setup_selectors import new_year_defaults

    bloc_year = ballot.meeting.bloc_year
    next_year = BlocYear.objects.filter(bloc=bloc_year.bloc, year=bloc_year.year + 1).first()
    if next_year is not None and Ballot.objects.filter(elected_bloc_year=next_year).exists():
        raise ValidationError(
            _(
                "Năm thi đua %(year)s đã có kết quả bầu Trưởng khối, Phó khối (công bố tại một "
                "cuộc bỏ phiếu khác); không thể công bố thêm cuộc bầu cho cùng năm."
            )
            % {"year": bloc_year.year + 1}
        )
    winners = _election_winners(ballot)
    head, deputy = winners.get(P.HEAD), winners.get(P.DEPUTY)
    if next_year is None:
        next_year = setup.bloc_year_create_next(
            bloc=bloc_year.bloc,
            year=bloc_year.year + 1,
            members=new_year_defaults(latest=bloc_year)["members"],
            source=bloc_year,
            actor=actor,
        )
    next_year = BlocYear.objects.select_for_update().get(pk=next_year.pk)
    members = _member_units(next_year)
    for unit in (head, deputy):
        if unit is not None and unit.pk not in members:
            if next_year.status != BlocYear.Status.SETUP:
                raise ValidationError(
                    _("Đơn vị %(unit)s không phải thành viên của khối năm %(year)s.")
                    % {"unit": unit.name, "year": next_year.year}
                )
            setup.bloc_year_member_add(bloc_year=next_year, unit=unit, actor=actor)
            members = _member_units(next_year)
    current = {m.role: m.unit for m in members.values() if m.role != Membership.Role.MEMBER}
    head = head or current.get(Membership.Role.HEAD)
    deputy = deputy or current.get(Membership.Role.DEPUTY)
    if head is not None and deputy is not None and head.pk == deputy.pk:
        deputy = None
    if next_year.status == BlocYear.Status.SETUP:
        setup.bloc_year_leadership_set(bloc_year=next_year, head=head, deputy=deputy, actor=actor)
    else:  # the election is what names them, whatever step next year has reached
        bloc_services.bloc_year_set_leadership(
            bloc_year=next_year, head=head, deputy=deputy, actor=actor
        )
    audit_event_record(
        actor=actor,
        action="ballot_election_publish",
        target=next_year,
        data={
            "ballot": ballot.pk,
            "head": head.pk if head else None,
            "deputy": deputy.pk if deputy else None,
        },
    )
    return next_year


@transaction.atomic
def ballot_publish(*, ballot: Ballot, actor: Any) -> Ballot:
    """closed → published. An election writes next year's head and deputy (creating next
    year's bloc-year from this one if missing) and links the ballot to it; a second
    election for the same year is refused. An election whose tie awaits a second round
    writes nothing yet: the round that settles it does."""
    locked = _locked(ballot)
    _require_status(locked, [S.CLOSED], _("công bố kết quả"))
    if locked.kind == Ballot.Kind.ELECTION and not ballot_tied_candidates(ballot=locked):
        next_year = _next_year_write(ballot=locked, actor=actor)
        locked.elected_bloc_year = next_year
    locked.status = S.PUBLISHED
    locked.published_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError(
            _("Năm thi đua này đã có kết quả bầu Trưởng khối, Phó khối.")
        ) from None
    _sync(ballot, locked)
    _event(
        ballot=locked,
        action="publish",
        actor=actor,
        note=str(locked.elected_bloc_year) if locked.elected_bloc_year_id else "",
    )
    return ballot


# --- reset ------------------------------------------------------------------------------------


@transaction.atomic
def ballot_reset(*, ballot: Ballot, reason: str, actor: Any) -> Ballot:
    """open → created, only before any unit has voted (online or paper), with a reason.
    The participations are deleted; they are written again when the ballot reopens."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": _("Cần nêu lý do (ít nhất %(n)s ký tự).") % {"n": REASON_MIN}}
        )
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Lý do quá dài (tối đa %(n)s ký tự).") % {"n": 2000}})
    locked = _locked(ballot)
    _require_status(locked, [S.OPEN], _("đặt lại cuộc bỏ phiếu"))
    if BallotParticipation.objects.filter(ballot=locked).exclude(voted_method="").exists():
        raise ValidationError(
            _("Không thể đặt lại: đã có đơn vị bỏ phiếu. Hãy kết thúc và công bố kết quả.")
        )
    BallotParticipation.objects.filter(ballot=locked).delete()
    BallotCandidate.objects.filter(ballot=locked).update(
        paper_yes=None, paper_no=None, paper_blank=None
    )
    locked.status = S.CREATED
    locked.opened_at = None
    locked.members_count = locked.present_count = None
    locked.paper_issued = locked.paper_returned = None
    locked.paper_valid = locked.paper_invalid = None
    locked.save()
    _sync(ballot, locked)
    _event(ballot=locked, action="reset", actor=actor, note=reason)
    return ballot
