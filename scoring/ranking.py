"""Dense ranking with the rule set's tie-break order, and classification by its bands.

Each decision comes with its reason in plain Vietnamese."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .totals import ZERO, Totals, fmt

ORDINALS = {
    1: "Nhất",
    2: "Nhì",
    3: "Ba",
    4: "Tư",
    5: "Năm",
    6: "Sáu",
    7: "Bảy",
    8: "Tám",
    9: "Chín",
    10: "Mười",
}


def rank_label(rank: int | None) -> str:
    if rank is None:
        return ""
    return ORDINALS.get(rank, str(rank))


@dataclass
class Entry:
    unit_id: int
    name: str
    totals: Totals | None  # verified totals; None or incomplete: not ranked
    group_totals: dict = field(default_factory=dict)


@dataclass
class Ranked:
    entry: Entry
    rank: int | None = None
    rank_reason: str = ""
    classification_code: str = ""
    classification: str = ""
    classification_reason: str = ""


def _key_spec(key: str) -> tuple[str, bool] | None:
    """(label, higher_is_better) of a tie-break key, None when unknown."""
    if key == "verified_total":
        return _("tổng điểm thẩm định"), True
    if key == "penalty_total":
        return _("điểm trừ (ít hơn xếp trên)"), False
    if key == "bonus_total":
        return _("điểm cộng"), True
    if key == "regular_total":
        return _("điểm các tiêu chí (chưa tính điểm cộng, trừ)"), True
    if key.startswith("group:") and len(key) > 6:
        return _("điểm nhóm tiêu chí %(code)s") % {"code": key[6:]}, True
    return None


def _key_value(entry: Entry, key: str) -> Decimal:
    t = entry.totals
    if key == "verified_total":
        return t.total
    if key == "penalty_total":
        return t.penalty
    if key == "bonus_total":
        return t.bonus
    if key == "regular_total":
        return t.regular
    return entry.group_totals.get(key[6:], ZERO)


def effective_order(tie_break_order: list[str]) -> list[str]:
    """The total always comes first; unknown keys are ignored (the rule set's validator
    refuses them when it is saved)."""
    keys = [k for k in tie_break_order if _key_spec(k) is not None and k != "verified_total"]
    return ["verified_total", *keys]


def rank_entries(entries: list[Entry], tie_break_order: list[str]) -> list[Ranked]:
    order = effective_order(tie_break_order)

    def sort_key(e: Entry) -> tuple:
        parts = []
        for k in order:
            v = _key_value(e, k)
            parts.append(-v if _key_spec(k)[1] else v)
        return tuple(parts)

    rankable = [e for e in entries if e.totals is not None and e.totals.complete]
    others = [e for e in entries if e not in rankable]
    rankable.sort(key=lambda e: (sort_key(e), e.name))
    out: list[Ranked] = []
    rank, previous = 0, None
    for e in rankable:
        k = sort_key(e)
        if k != previous:
            rank += 1
            previous = k
        out.append(Ranked(entry=e, rank=rank))
    for r in out:
        r.rank_reason = _rank_reason(r, out, order)
    for e in sorted(others, key=lambda e: e.name):
        out.append(Ranked(entry=e, rank_reason=_("Chưa xếp hạng: chưa có đủ điểm thẩm định.")))
    return out


def _rank_reason(r: Ranked, ranked: list[Ranked], order: list[str]) -> str:
    total = r.entry.totals.total
    same_total = [o for o in ranked if o is not r and o.entry.totals.total == total]
    base = _("Tổng điểm thẩm định %(total)s, xếp thứ %(rank)s.") % {
        "total": fmt(total),
        "rank": rank_label(r.rank),
    }
    if not same_total:
        return base
    parts = [base]
    tied = [o for o in same_total if o.rank == r.rank]
    if tied:
        labels = ", ".join(str(_key_spec(k)[0]) for k in order[1:]) or _("không có")
        parts.append(
            _(
                "Bằng điểm với %(names)s; các tiêu chí phân định khi bằng điểm "
                "(%(keys)s) cũng bằng nhau nên cùng xếp thứ %(rank)s."
            )
            % {
                "names": ", ".join(o.entry.name for o in tied),
                "keys": labels,
                "rank": rank_label(r.rank),
            }
        )
    for o in same_total:
        if o.rank == r.rank:
            continue
        for k in order[1:]:
            mine, theirs = _key_value(r.entry, k), _key_value(o.entry, k)
            if mine != theirs:
                above = (r.rank or 0) < (o.rank or 0)
                parts.append(
                    (
                        _(
                            "Bằng tổng điểm với %(name)s nhưng xếp trên theo %(key)s: "
                            "%(a)s so với %(b)s."
                        )
                        if above
                        else _(
                            "Bằng tổng điểm với %(name)s nhưng xếp dưới theo %(key)s: "
                            "%(a)s so với %(b)s."
                        )
                    )
                    % {
                        "name": o.entry.name,
                        "key": _key_spec(k)[0],
                        "a": fmt(mine),
                        "b": fmt(theirs),
                    }
                )
                break
    return " ".join(parts)


def classify(
    *, totals: Totals | None, max_total: Decimal, bands: list[dict[str, Any]], rule_name: str
) -> tuple[str, str, str]:
    """(code, label, reason) for a sheet's verified totals under the rule set's bands."""
    if totals is None or not totals.complete:
        return "", "", _("Chưa xếp loại: chưa có đủ điểm thẩm định.")
    total = totals.total
    percent = (total * 100 / max_total) if max_total else ZERO

    def threshold(band: dict) -> tuple[Decimal, bool]:
        if "min_points" in band:
            return Decimal(str(band["min_points"])), False
        return Decimal(str(band.get("min_percent", 0))), True

    for band in sorted(bands, key=lambda b: threshold(b)[0], reverse=True):
        limit, is_percent = threshold(band)
        value = percent if is_percent else total
        if value >= limit:
            if is_percent:
                why = _(
                    "Đạt %(total)s/%(max)s điểm (%(percent)s%%), từ %(limit)s%% trở lên theo "
                    "%(rule)s: %(label)s."
                )
            else:
                why = _(
                    "Đạt %(total)s/%(max)s điểm, từ %(limit)s điểm trở lên theo %(rule)s: "
                    "%(label)s."
                )
            return (
                band.get("code", ""),
                band.get("label", ""),
                why
                % {
                    "total": fmt(total),
                    "max": fmt(max_total),
                    "percent": fmt(percent.quantize(Decimal("0.01"))),
                    "limit": fmt(limit),
                    "rule": rule_name,
                    "label": band.get("label", ""),
                },
            )
    return "", "", _("Không thuộc ngưỡng xếp loại nào của %(rule)s.") % {"rule": rule_name}


def band_legend(*, bands: list[dict[str, Any]], max_total: Decimal) -> list[dict[str, str]]:
    """The classification bands as a legend, highest first: label and range in plain words
    ("từ 95% trở lên (từ 47,5 điểm)", "từ 80% đến dưới 95%", "dưới 50%"), so that the
    thresholds are shown once rather than only inside each row's reason."""

    def threshold(band: dict) -> tuple[Decimal, bool]:
        if "min_points" in band:
            return Decimal(str(band["min_points"])), False
        return Decimal(str(band.get("min_percent", 0))), True

    def words(limit: Decimal, is_percent: bool) -> str:
        if not is_percent:
            return _("%(points)s điểm") % {"points": fmt(limit)}
        if not max_total:
            return _("%(percent)s%%") % {"percent": fmt(limit)}
        return _("%(percent)s%% (%(points)s điểm)") % {
            "percent": fmt(limit),
            "points": fmt((max_total * limit / 100).quantize(Decimal("0.01"))),
        }

    ordered = sorted(bands, key=lambda b: threshold(b)[0], reverse=True)
    legend = []
    above: str | None = None  # the next higher band's threshold, in words
    for band in ordered:
        limit, is_percent = threshold(band)
        here = words(limit, is_percent)
        if limit <= 0 and above is not None:
            text = _("dưới %(above)s") % {"above": above}
        elif above is None:
            text = _("từ %(limit)s trở lên") % {"limit": here}
        else:
            text = _("từ %(limit)s đến dưới %(above)s") % {"limit": here, "above": above}
        legend.append({"code": band.get("code", ""), "label": band.get("label", ""), "range": text})
        above = here
    return legend
