"""Counting a ballot: pass rules, quotas and ties (DESIGN.md §8). Pure functions on plain
data, no ORM: the services and selectors feed them, the tests call them directly.

Arithmetic is exact: a threshold "more than num/den of the base" is `yes * den > num * base`
on integers, never a float; percentages are Decimals rounded half-up to one decimal place
for display only ("88,9%").
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

YES, NO, BLANK = "yes", "no", "blank"
ANSWERS = (YES, NO, BLANK)
SECOND_ROUND, SCORE_RANKING = "second_round", "score_ranking"
HEAD, DEPUTY, NONE = "head", "deputy", ""
POSITION_ORDER = {HEAD: 0, DEPUTY: 1, NONE: 2}


# --- thresholds -----------------------------------------------------------------------------


def passes(*, yes: int, base_count: int, numerator: int, denominator: int, strict: bool) -> bool:
    """Does `yes` reach the threshold on `base_count`? Exact integer comparison."""
    if base_count <= 0 or yes <= 0:
        return False
    if strict:
        return yes * denominator > numerator * base_count
    return yes * denominator >= numerator * base_count


def percent(yes: int, base_count: int) -> Decimal:
    """`yes` as a percentage of `base_count`, rounded half-up to one decimal place."""
    if base_count <= 0:
        return Decimal("0.0")
    return (Decimal(yes) * 100 / Decimal(base_count)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def percent_label(value: Decimal) -> str:
    """Vietnamese decimal comma: Decimal("88.9") -> "88,9%"."""
    return f"{value:.1f}".replace(".", ",") + "%"


def fraction_label(numerator: int, denominator: int) -> str:
    if denominator == 2 and numerator == 1:
        return "50%"
    if denominator == 100:
        return f"{numerator}%"
    return f"{numerator}/{denominator}"


def threshold_label(*, numerator: int, denominator: int, strict: bool, base_label: str) -> str:
    """ "trên 50% tổng số đơn vị thành viên", "từ 2/3 trở lên số phiếu hợp lệ"."""
    values = {"fraction": fraction_label(numerator, denominator), "base": base_label}
    if strict:
        return _("trên %(fraction)s %(base)s") % values
    return _("từ %(fraction)s %(base)s trở lên") % values


# --- choices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateSpec:
    id: int
    unit_id: int
    position: str
    name: str = ""


def quota(position: str, max_winners: int) -> int:
    """Winners per position: one head, one deputy; a nomination's `max_winners`."""
    return 1 if position in (HEAD, DEPUTY) else max_winners


def choices_clean(
    *, choices: Mapping, candidates: list[CandidateSpec], max_winners: int
) -> dict[str, str]:
    """Normalise one online ballot paper to {"<candidate id>": "yes"|"no"|"blank"}: every
    candidate answered, no unknown candidate, at most the quota of "yes" per position (a
    paper with more "đồng ý" than places is invalid, so the app refuses it). The messages
    never repeat what was chosen."""
    if not isinstance(choices, Mapping):
        raise ValidationError(_("Phiếu bầu không hợp lệ."))
    known = {c.id: c for c in candidates}
    cleaned: dict[str, str] = {}
    for key, value in choices.items():
        try:
            cid = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("Phiếu có đơn vị không thuộc danh sách bỏ phiếu.")) from None
        if cid not in known:
            raise ValidationError(_("Phiếu có đơn vị không thuộc danh sách bỏ phiếu."))
        if value not in ANSWERS:
            raise ValidationError(_("Mỗi đơn vị chỉ được chọn Đồng ý, Không đồng ý hoặc để trống."))
        cleaned[str(cid)] = value
    missing = [c for c in candidates if str(c.id) not in cleaned]
    if missing:
        raise ValidationError(
            _("Chưa chọn cho %(n)s đơn vị: %(units)s.")
            % {"n": len(missing), "units": "; ".join(c.name or str(c.id) for c in missing)}
        )
    per_position: dict[str, int] = {}
    for c in candidates:
        if cleaned[str(c.id)] == YES:
            per_position[c.position] = per_position.get(c.position, 0) + 1
    for position, n in per_position.items():
        allowed = quota(position, max_winners)
        if n > allowed:
            raise ValidationError(
                _(
                    "Phiếu đồng ý cho %(n)s đơn vị, nhiều hơn số được chọn (%(max)s): phiếu như "
                    "vậy không hợp lệ."
                )
                % {"n": n, "max": allowed}
            )
    return cleaned


def count_online(
    votes: Iterable[Mapping[str, str]], candidate_ids: Iterable[int]
) -> dict[int, tuple[int, int, int]]:
    """(yes, no, blank) per candidate over the online vote rows' choices."""
    ids = list(candidate_ids)
    counts = {cid: [0, 0, 0] for cid in ids}
    for choices in votes:
        for cid in ids:
            value = choices.get(str(cid), BLANK)
            counts[cid][ANSWERS.index(value) if value in ANSWERS else 2] += 1
    return {cid: (c[0], c[1], c[2]) for cid, c in counts.items()}


# --- winners --------------------------------------------------------------------------------


@dataclass
class Row:
    id: int
    unit_id: int
    position: str
    name: str
    yes: int
    passed: bool
    elected: bool = False


@dataclass
class Outcome:
    elected: set[int] = field(default_factory=set)
    tie_note: str = ""
    # Candidates tied at the cut-off and left without a winner (second round needed).
    tied: list[int] = field(default_factory=list)


def _names(rows: list[Row]) -> str:
    return ", ".join(r.name for r in rows)


def winners_select(
    *,
    rows: list[Row],
    max_winners: int,
    tie_rule: str,
    ranks: Mapping[int, int | None] | None = None,
) -> Outcome:
    """The elected among the passed candidates: by yes votes, at most the quota per
    position (an election's head is settled first and cannot also be deputy). A tie at
    the cut-off is settled by the score ranking (`ranks`: unit id -> rank, 1 best) or
    left to a second round among the tied."""
    if ranks is None:
        ranks = {}
    outcome = Outcome()
    notes: list[str] = []
    taken_units: set[int] = set()
    positions = sorted({r.position for r in rows}, key=lambda p: POSITION_ORDER.get(p, 9))
    for position in positions:
        group = [
            r for r in rows if r.position == position and r.passed and r.unit_id not in taken_units
        ]
        group.sort(key=lambda r: (-r.yes, r.name))
        places = quota(position, max_winners)
        if len(group) <= places or group[places - 1].yes != group[places].yes:
            chosen = group[:places]
        else:
            cutoff = group[places - 1].yes
            above = [r for r in group if r.yes > cutoff]
            at = [r for r in group if r.yes == cutoff]
            slots = places - len(above)
            chosen = list(above)
            label = _position_phrase(position)
            if tie_rule == SCORE_RANKING:
                at_sorted = sorted(
                    at, key=lambda r: (ranks.get(r.unit_id) is None, ranks.get(r.unit_id) or 0)
                )
                last = at_sorted[slots - 1]
                after = at_sorted[slots]
                last_rank, after_rank = ranks.get(last.unit_id), ranks.get(after.unit_id)
                if last_rank is not None and last_rank != after_rank:
                    picked = at_sorted[:slots]
                    chosen += picked
                    notes.append(
                        _(
                            "%(label)s: các đơn vị %(units)s bằng phiếu (%(yes)s phiếu đồng ý); "
                            "theo quy chế, xét theo thứ hạng điểm thi đua của năm: chọn "
                            "%(picked)s (%(ranks)s)."
                        )
                        % {
                            "label": label,
                            "units": _names(at),
                            "yes": cutoff,
                            "picked": _names(picked),
                            "ranks": "; ".join(
                                _("%(name)s hạng %(rank)s")
                                % {"name": r.name, "rank": ranks.get(r.unit_id) or "—"}
                                for r in at_sorted
                            ),
                        }
                    )
                else:
                    outcome.tied += [r.id for r in at]
                    notes.append(
                        _(
                            "%(label)s: các đơn vị %(units)s bằng phiếu (%(yes)s phiếu đồng ý) "
                            "và bằng thứ hạng điểm thi đua: cần bỏ phiếu lại giữa các đơn vị "
                            "này."
                        )
                        % {"label": label, "units": _names(at), "yes": cutoff}
                    )
            else:
                outcome.tied += [r.id for r in at]
                notes.append(
                    _(
                        "%(label)s: các đơn vị %(units)s bằng phiếu (%(yes)s phiếu đồng ý) cho "
                        "%(slots)s vị trí còn lại; theo quy chế, cần bỏ phiếu lại (vòng 2) giữa "
                        "các đơn vị này."
                    )
                    % {"label": label, "units": _names(at), "yes": cutoff, "slots": slots}
                )
        for r in chosen:
            outcome.elected.add(r.id)
            if position in (HEAD, DEPUTY):
                taken_units.add(r.unit_id)
    outcome.tie_note = " ".join(notes)
    return outcome


def _position_phrase(position: str) -> str:
    if position == HEAD:
        return _("Trưởng khối")
    if position == DEPUTY:
        return _("Phó khối")
    return _("Đề nghị khen thưởng")


# --- paper counts ---------------------------------------------------------------------------


def paper_counts_errors(
    *,
    issued: int | None,
    returned: int | None,
    valid: int | None,
    invalid: int | None,
    per_candidate: Mapping[int, tuple],
    candidate_ids: list[int],
    max_issued: int,
) -> dict[str, str]:
    """Field -> Vietnamese message for paper counts that do not add up (empty: fine).
    `max_issued`: units entitled minus those who voted online."""
    errors: dict[str, str] = {}
    values = {"issued": issued, "returned": returned, "valid": valid, "invalid": invalid}
    for key, value in values.items():
        if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors[key] = _("Nhập một số nguyên không âm.")
    if errors:
        return errors
    if issued > max_issued:
        errors["issued"] = _(
            "Số phiếu phát ra (%(issued)s) vượt số đơn vị có quyền bỏ phiếu giấy (%(max)s)."
        ) % {"issued": issued, "max": max_issued}
    if returned > issued:
        errors["returned"] = _(
            "Số phiếu thu về (%(returned)s) không được lớn hơn số phiếu phát ra (%(issued)s)."
        ) % {"returned": returned, "issued": issued}
    if valid + invalid != returned:
        message = _(
            "Tổng số phiếu hợp lệ và không hợp lệ (%(sum)s) phải bằng số phiếu thu về "
            "(%(returned)s)."
        ) % {"sum": valid + invalid, "returned": returned}
        errors["valid"] = message
        errors["invalid"] = message
    unknown = set(per_candidate) - set(candidate_ids)
    if unknown:
        errors["per_candidate"] = _("Có đơn vị không thuộc danh sách bỏ phiếu.")
    for cid in candidate_ids:
        triple = per_candidate.get(cid)
        prefix = f"candidate_{cid}_"
        if triple is None or len(triple) != 3:
            errors[prefix + "yes"] = _("Nhập đủ số phiếu đồng ý, không đồng ý, để trống.")
            continue
        bad = False
        for name, value in zip(ANSWERS, triple, strict=True):
            if value is None or isinstance(value, bool) or not isinstance(value, int) or value < 0:
                errors[prefix + name] = _("Nhập một số nguyên không âm.")
                bad = True
        if bad:
            continue
        if sum(triple) != valid:
            message = _(
                "Đồng ý, không đồng ý và để trống cộng lại (%(sum)s) phải bằng số phiếu hợp lệ "
                "(%(valid)s)."
            ) % {"sum": sum(triple), "valid": valid}
            for name in ANSWERS:
                errors[prefix + name] = message
    return errors
