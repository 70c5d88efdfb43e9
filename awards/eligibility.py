"""Eligibility of a unit for an award in a bloc-year, computed from stored history and the
rule set's conditions (awards.models.AwardRule), never ticked by hand (DESIGN.md §9).

The one module that decides it; every page, proposal snapshot and report shows what it
returns: `eligible` and the reasons, each a short phrase in plain Vietnamese
("xếp thứ Nhất", "mới 1 năm liên tục hoàn thành tốt nhiệm vụ, cần 2").

Conditions, in the order they are shown:
- member: the unit is a member of the bloc that year;
- rank and classification of the year: the board's verified scores, once it has locked
  them, ranked and classified exactly as the scoreboard does (scoring.totals and
  scoring.ranking with the rule set of the year); a year scored on paper (no verified
  scores in the product) takes its classification from a ClassificationRecord with its
  source, and has no rank;
- ballot: the unit's result in the published nomination ballot of that award at the
  year-end meeting (the latest round that had it on its paper): passed and chosen;
- N consecutive years, ending with this one, at a classification or better: a year the
  unit has no result of its own counts its predecessors' results (Unit.successor): a
  renamed unit's previous years; for a unit formed by a merger, as the rule says (all
  predecessors must meet it, or any). A year without verified scores in the product may
  be taken from a recorded classification (ClassificationRecord, with its source);
- prerequisite award of the same year: either the unit meets that award's own conditions
  (classification, rank, years: "standard"), or it was chosen for it ("selected");
- quota of the bloc for the award, by bloc size; units beyond it in the order of yes votes,
  then rank;
- province-wide ceiling: at most a percentage of the units chosen for a base award in the
  province that year (the units chosen for this award count among them when the base
  award is also its prerequisite: they are chosen among the units that meet it);
- exclusive group: no other award of the group chosen for the unit that year.

"Chosen" units (the selection) are those elected in the published ballots; a proposal in
progress passes its own items for its bloc-year instead (`selection=`).

`eligibility_for_bloc_year` answers for every member and award type of a bloc-year in a
constant number of queries (13), whatever the number of units, years and awards."""

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership, Unit
from rules.models import RuleSet, VoteBase

from .models import AwardRule, AwardType, ClassificationRecord, quota_for

MAX_LINEAGE_DEPTH = 30


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    ok: bool
    text: str
    code: str = ""


@dataclass
class BallotFigures:
    ballot_id: int
    round: int
    yes: int
    base_count: int
    base_label: str
    percent: Decimal
    percent_label: str
    threshold_label: str
    passed: bool
    elected: bool
    illustrative: bool


@dataclass
class Eligibility:
    unit_id: int
    unit_name: str
    award_type_id: int
    award_name: str
    bloc_year_id: int
    year: int
    eligible: bool = False
    reasons: list[Reason] = field(default_factory=list)
    rule_name: str = ""
    rank: int | None = None
    rank_label: str = ""
    classification_code: str = ""
    classification: str = ""
    classification_reason: str = ""
    total: Decimal | None = None
    max_total: Decimal | None = None
    ballot: BallotFigures | None = None
    streak: int = 0
    streak_years: list[str] = field(default_factory=list)
    selected: bool = False

    @property
    def summary(self) -> str:
        """ "Đủ điều kiện Cờ thi đua của UBND tỉnh: xếp thứ Nhất, ..." or "Chưa đủ: ..."."""
        if self.eligible:
            return _("Đủ điều kiện %(award)s: %(reasons)s") % {
                "award": self.award_name,
                "reasons": ", ".join(r.text for r in self.reasons if r.ok),
            }
        return _("Chưa đủ: %(reasons)s") % {
            "reasons": "; ".join(r.text for r in self.reasons if not r.ok)
        }

    def snapshot(self) -> dict:
        """A JSON-ready copy (numbers as text) for a proposal's frozen snapshot."""
        data = asdict(self)
        data["summary"] = self.summary
        for key in ("total", "max_total"):
            data[key] = None if data[key] is None else str(data[key])
        if data["ballot"] is not None:
            data["ballot"]["percent"] = str(data["ballot"]["percent"])
        return data


# --- small helpers ---------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _band_order(bands: list[dict]) -> list[str]:
    """Band codes, best first (highest threshold first, as scoring.ranking.classify)."""

    def threshold(band: dict) -> Decimal:
        return Decimal(str(band.get("min_points", band.get("min_percent", 0))))

    return [b.get("code", "") for b in sorted(bands, key=threshold, reverse=True)]


def _band_label(bands: list[dict], code: str) -> str:
    for b in bands:
        if b.get("code") == code:
            return _lower_first(b.get("label", code))
    return code


def _at_least(bands: list[dict], actual: str, required: str) -> bool | None:
    """Is `actual` at `required` or better? None when `required` is not a band code."""
    order = _band_order(bands)
    if required not in order:
        return None
    return bool(actual) and actual in order and order.index(actual) <= order.index(required)


def _rule_set_in_force(rule_sets: list[RuleSet], province_id: int, year: int) -> RuleSet:
    """As rules.selectors.rule_set_for, from rule sets already loaded."""
    own = [r for r in rule_sets if r.province_id == province_id and r.year <= year]
    example = [r for r in rule_sets if r.province_id is None and r.year <= year]
    for group in (own, example):
        if group:
            return max(group, key=lambda r: r.year)
    return RuleSet(name="Quy chế mẫu", year=year, is_example=True)


def rule_name_of(rule_set: RuleSet) -> str:
    """As the scoreboard names it."""
    name = rule_set.name
    if rule_set.is_example and "mẫu" not in name.lower():
        name += _(" (quy chế mẫu)")
    return name


def _threshold_words(numerator: int, denominator: int, strict: bool) -> str:
    from meetings import tally

    fraction = tally.fraction_label(numerator, denominator)
    if strict:
        return _("trên %(fraction)s") % {"fraction": fraction}
    return _("từ %(fraction)s trở lên") % {"fraction": fraction}


# --- the facts of a bloc-year, loaded once -----------------------------------------------------


@dataclass
class _YearScores:
    """Classification (and, for the bloc-year under review, rank) per unit of one
    bloc-year whose scores the board has locked."""

    bloc_year_id: int
    year: int
    locked: bool
    bands: list[dict]
    by_unit: dict[int, Any] = field(default_factory=dict)  # unit -> scoring.ranking.Ranked-ish


class _Facts:
    """Everything the conditions read, in a constant number of queries."""

    def __init__(self, bloc_year: BlocYear, award_types: Iterable[AwardType] | None) -> None:
        from meetings.models import Ballot, BallotCandidate, Meeting
        from scoring.models import CriteriaTable, Criterion, ScoreValue, ScoringYear, Stage

        # 1. the bloc-year with its bloc and province
        self.bloc_year = BlocYear.objects.select_related("bloc__province").get(pk=bloc_year.pk)
        by = self.bloc_year
        self.year = by.year
        province_id = by.bloc.province_id
        self.province_id = province_id
        # 2. rule sets of the province and the examples
        self.rule_sets = list(
            RuleSet.objects.filter(Q(province_id=province_id) | Q(province__isnull=True))
        )
        self.rule_set = _rule_set_in_force(self.rule_sets, province_id, by.year)
        self.rule_name = rule_name_of(self.rule_set)
        # 3. the award conditions of the rule set in force
        self.rules: dict[int, AwardRule] = {}
        if self.rule_set.pk:
            for rule in AwardRule.objects.filter(rule_set=self.rule_set).select_related(
                "award_type", "ceiling_base_award", "prerequisite_award"
            ):
                self.rules[rule.award_type_id] = rule
        # 4. award types of the province (those asked for, else every active one)
        if award_types is None:
            self.award_types = list(
                AwardType.objects.filter(province_id=province_id, active=True).order_by(
                    "order", "name"
                )
            )
        else:
            self.award_types = list(award_types)
        # 5. the units of the province with their successor links
        self.unit_names: dict[int, str] = {}
        self.predecessors: dict[int, list[int]] = {}
        for pk, name, successor_id in Unit.objects.filter(province_id=province_id).values_list(
            "pk", "name", "successor_id"
        ):
            self.unit_names[pk] = name
            if successor_id:
                self.predecessors.setdefault(successor_id, []).append(pk)
        for preds in self.predecessors.values():
            preds.sort(key=lambda pk: self.unit_names.get(pk, ""))
        # 6. memberships: this bloc-year's members, and the earlier years of the members'
        # lineages (any bloc of the province) as far back as the longest condition needs
        years_back = max([r.consecutive_years for r in self.rules.values()] + [1])
        first_year = by.year - years_back + 1
        members = list(
            Membership.objects.filter(bloc_year=by)
            .order_by("unit__name")
            .values_list("unit_id", "unit__name")
        )
        self.members = [u for u, _n in members]
        for u, n in members:
            self.unit_names.setdefault(u, n)
        lineage = self._lineage(self.members)
        history = list(
            Membership.objects.filter(
                unit_id__in=lineage,
                bloc_year__bloc__province_id=province_id,
                bloc_year__year__gte=first_year,
                bloc_year__year__lt=by.year,
            ).values_list("bloc_year_id", "unit_id", "bloc_year__year")
        )
        self.unit_bloc_years: dict[tuple[int, int], list[int]] = {}  # (unit, year) -> bys
        by_years = {by.pk: by.year}
        for by_id, unit_id, year in history:
            self.unit_bloc_years.setdefault((unit_id, year), []).append(by_id)
            by_years[by_id] = year
        for u in self.members:
            self.unit_bloc_years.setdefault((u, by.year), []).append(by.pk)
        # 7. which of those years the board has locked
        locked = {
            by_id
            for by_id, at in ScoringYear.objects.filter(bloc_year_id__in=by_years).values_list(
                "bloc_year_id", "locked_at"
            )
            if at is not None
        }
        # 8-9. their criteria tables (own, else the province's shared one) and criteria
        tables = list(
            CriteriaTable.objects.filter(
                Q(bloc_year_id__in=by_years)
                | Q(
                    bloc_year__isnull=True,
                    province_id=province_id,
                    year__in=set(by_years.values()),
                )
            ).values("pk", "bloc_year_id", "year", "bonus_cap", "penalty_cap")
        )
        table_of: dict[int, dict] = {}
        for by_id, year in by_years.items():
            own = [t for t in tables if t["bloc_year_id"] == by_id]
            shared = [t for t in tables if t["bloc_year_id"] is None and t["year"] == year]
            found = sorted(own, key=lambda t: t["pk"]) or sorted(shared, key=lambda t: t["pk"])
            if found:
                table_of[by_id] = found[0]
        criteria: dict[int, list] = {}
        if table_of:
            for pk, table_id, kind, max_points, group_code in (
                Criterion.objects.filter(table_id__in={t["pk"] for t in table_of.values()})
                .order_by("position", "id")
                .values_list("pk", "table_id", "kind", "max_points", "group__code")
            ):
                criteria.setdefault(table_id, []).append(
                    SimpleNamespace(pk=pk, kind=kind, max_points=max_points, group_code=group_code)
                )
        # 10. verified values: every member of this bloc-year (the rank needs them all),
        # the lineage units only in the earlier years
        values: dict[tuple[int, int], dict[int, Decimal | None]] = {}
        wanted = [b for b in by_years if b in locked and b in table_of]
        if wanted:
            for by_id, unit_id, criterion_id, value in ScoreValue.objects.filter(
                Q(sheet__bloc_year_id=by.pk) | Q(sheet__unit_id__in=lineage),
                sheet__bloc_year_id__in=wanted,
                stage=Stage.VERIFIED,
            ).values_list("sheet__bloc_year_id", "sheet__unit_id", "criterion_id", "value"):
                values.setdefault((by_id, unit_id), {})[criterion_id] = value
        self.scores: dict[int, _YearScores] = {}
        for by_id, year in by_years.items():
            rule_set = _rule_set_in_force(self.rule_sets, province_id, year)
            self.scores[by_id] = self._year_scores(
                by_id=by_id,
                year=year,
                locked=by_id in locked,
                table=table_of.get(by_id),
                criteria=criteria.get(table_of[by_id]["pk"], []) if by_id in table_of else [],
                values=values,
                rule_set=rule_set,
                rank=by_id == by.pk,
            )
        # 11. recorded classifications for years without verified scores
        self.records: dict[tuple[int, int], ClassificationRecord] = {
            (r.unit_id, r.year): r
            for r in ClassificationRecord.objects.filter(
                unit_id__in=lineage, year__gte=first_year, year__lte=by.year
            )
        }
        # 12. published nomination ballots of the year-end meetings of the province's year
        self.candidates: dict[tuple[int, int, int], Any] = {}  # (by, award, unit) -> row
        for c in (
            BallotCandidate.objects.filter(
                ballot__kind=Ballot.Kind.NOMINATION,
                ballot__status=Ballot.Status.PUBLISHED,
                ballot__meeting__kind=Meeting.Kind.YEAR_END,
                ballot__meeting__bloc_year__bloc__province_id=province_id,
                ballot__meeting__bloc_year__year=by.year,
            )
            .select_related("ballot__meeting")
            .order_by("ballot__round", "ballot_id", "id")
        ):
            # A later round settles what an earlier one left tied: it wins.
            key = (c.ballot.meeting.bloc_year_id, c.ballot.award_type_id, c.unit_id)
            self.candidates[key] = c
        self.member_count = len(self.members)

    # -- lineage -------------------------------------------------------------------------------

    def _lineage(self, unit_ids: Iterable[int]) -> set[int]:
        seen: set[int] = set()
        todo = list(unit_ids)
        while todo:
            u = todo.pop()
            if u in seen:
                continue
            seen.add(u)
            todo.extend(self.predecessors.get(u, []))
        return seen

    # -- scores --------------------------------------------------------------------------------

    def _year_scores(
        self,
        *,
        by_id: int,
        year: int,
        locked: bool,
        table: dict | None,
        criteria: list,
        values: dict,
        rule_set: RuleSet,
        rank: bool,
    ) -> _YearScores:
        """The scoreboard's computation (scoring.selectors.scoreboard) for one bloc-year."""
        from scoring.ranking import Entry, Ranked, classify, rank_entries, rank_label
        from scoring.totals import group_totals, sheet_totals, table_max

        bands = list(rule_set.classification_bands or [])
        out = _YearScores(bloc_year_id=by_id, year=year, locked=locked, bands=bands)
        if not locked or table is None:
            return out
        units = (
            self.members
            if rank
            else sorted({u for (b, u) in values if b == by_id}, key=self.unit_names.get)
        )
        max_total = table_max(criteria)
        entries = []
        for u in units:
            v = values.get((by_id, u), {})
            entries.append(
                Entry(
                    unit_id=u,
                    name=self.unit_names.get(u, ""),
                    totals=sheet_totals(
                        criteria=criteria,
                        values=v,
                        bonus_cap=table["bonus_cap"],
                        penalty_cap=table["penalty_cap"],
                    ),
                    group_totals=group_totals(criteria=criteria, values=v),
                )
            )
        ranked = (
            rank_entries(entries, list(rule_set.tie_break_order or []))
            if rank
            else [Ranked(entry=e) for e in entries]
        )
        name = rule_name_of(rule_set)
        for r in ranked:
            code, label, reason = classify(
                totals=r.entry.totals, max_total=max_total, bands=bands, rule_name=name
            )
            out.by_unit[r.entry.unit_id] = SimpleNamespace(
                rank=r.rank,
                rank_label=rank_label(r.rank),
                code=code,
                label=label,
                reason=reason,
                total=r.entry.totals.total if r.entry.totals.complete else None,
                max_total=max_total,
            )
        return out

    def standing(self, unit_id: int, year: int):
        """The unit's own verified result of `year` (None when it has none)."""
        for by_id in self.unit_bloc_years.get((unit_id, year), []):
            scores = self.scores.get(by_id)
            if scores and scores.locked and unit_id in scores.by_unit:
                got = scores.by_unit[unit_id]
                if got.code:
                    return got, scores.bands
        return None

    def bands_of(self, year: int) -> list[dict]:
        rule_set = _rule_set_in_force(self.rule_sets, self.province_id, year)
        return list(rule_set.classification_bands or [])

    # -- ballots and selections -----------------------------------------------------------------

    def selection(
        self, overrides: Mapping[int, Iterable[int]] | None
    ) -> dict[tuple[int, int], set]:
        """(bloc-year, award type) -> units chosen, province-wide for the year; `overrides`
        (award type -> units) replaces this bloc-year's."""
        chosen: dict[tuple[int, int], set[int]] = {}
        for (by_id, award_id, unit_id), c in self.candidates.items():
            if c.elected:
                chosen.setdefault((by_id, award_id), set()).add(unit_id)
        for award_id, units in (overrides or {}).items():
            chosen[(self.bloc_year.pk, award_id)] = set(units)
        return chosen


# --- the conditions --------------------------------------------------------------------------


def _achievement(
    facts: _Facts, rule: AwardRule, unit_id: int, result: Eligibility | None
) -> list[Reason]:
    """Rank, classification and consecutive years: what the unit achieved, apart from the
    ballot and the counts."""
    reasons: list[Reason] = []
    year = facts.year
    current = facts.scores.get(facts.bloc_year.pk)
    mine = current.by_unit.get(unit_id) if current and current.locked else None
    bands = current.bands if current else facts.bands_of(year)
    if result is not None and mine is not None:
        result.rank, result.rank_label = mine.rank, mine.rank_label
        result.classification_code, result.classification = mine.code, mine.label
        result.classification_reason = mine.reason
        result.total, result.max_total = mine.total, mine.max_total
    locked = current is not None and current.locked
    # A year scored on paper, not in the product: its recorded classification (with its
    # source) stands for the classification; a rank cannot be recorded.
    record = None if locked else facts.records.get((unit_id, year))
    if record is not None:
        label = _band_label(bands, record.classification)
        mine = SimpleNamespace(
            rank=None,
            rank_label="",
            code=record.classification,
            label=label[:1].upper() + label[1:],
            reason=_("Theo %(source)s.") % {"source": record.source},
            total=None,
            max_total=None,
            source=record.source,
        )
        if result is not None:
            result.classification_code, result.classification = mine.code, mine.label
            result.classification_reason = mine.reason
    no_scores = Reason(
        False,
        _("chưa có kết quả thẩm định điểm năm %(year)s (Ban TĐKT chưa khóa điểm)") % {"year": year},
        "scores",
    )
    needs_scores = locked
    if not locked and (
        rule.max_rank is not None or (rule.required_classification and record is None)
    ):
        reasons.append(no_scores)
    if rule.max_rank is not None and needs_scores:
        from scoring.ranking import rank_label

        if mine is None or mine.rank is None:
            reasons.append(Reason(False, _("chưa xếp hạng (chưa có đủ điểm thẩm định)"), "rank"))
        elif mine.rank <= rule.max_rank:
            reasons.append(Reason(True, _("xếp thứ %(rank)s") % {"rank": mine.rank_label}, "rank"))
        else:
            need = (
                _("cần xếp thứ Nhất")
                if rule.max_rank == 1
                else _("cần xếp từ thứ Nhất đến thứ %(rank)s") % {"rank": rank_label(rule.max_rank)}
            )
            reasons.append(
                Reason(
                    False,
                    _("xếp thứ %(rank)s, %(need)s") % {"rank": mine.rank_label, "need": need},
                    "rank",
                )
            )
    if rule.required_classification and (locked or record is not None):
        required = rule.required_classification
        want = _band_label(bands, required)
        order = _band_order(bands)
        want_text = want if order[:1] == [required] else _("%(label)s trở lên") % {"label": want}
        ok = _at_least(bands, mine.code if mine else "", required)
        if ok is None:
            reasons.append(
                Reason(
                    False,
                    _("quy chế năm %(year)s không có xếp loại %(code)s")
                    % {"year": year, "code": required},
                    "classification",
                )
            )
        elif mine is None or not mine.code:
            reasons.append(
                Reason(
                    False,
                    _("chưa xếp loại (chưa có đủ điểm thẩm định), cần %(want)s")
                    % {"want": want_text},
                    "classification",
                )
            )
        else:
            source = getattr(mine, "source", "")
            label = _lower_first(mine.label) + (
                _(" (theo %(source)s)") % {"source": source} if source else ""
            )
            if ok:
                reasons.append(Reason(True, label, "classification"))
            else:
                reasons.append(
                    Reason(
                        False,
                        _("xếp loại %(label)s, cần %(want)s") % {"label": label, "want": want_text},
                        "classification",
                    )
                )
    if rule.consecutive_years:
        reasons.append(_consecutive(facts, rule, unit_id, result))
    return reasons


def _year_result(
    facts: _Facts, unit_id: int, year: int, required: str, merger_rule: str, depth: int = 0
) -> tuple[bool | None, str]:
    """(meets, how) for one unit and year: its own verified result, else a recorded
    classification, else its predecessors' (a rename: the one predecessor; a merger: all or
    any of them, as the rule says). None: nothing is known of that year."""
    own = facts.standing(unit_id, year)
    name = facts.unit_names.get(unit_id, "")
    if own is not None:
        got, bands = own
        return bool(_at_least(bands, got.code, required)), name
    record = facts.records.get((unit_id, year))
    if record is not None:
        bands = facts.bands_of(year)
        return bool(_at_least(bands, record.classification, required)), _(
            "%(unit)s, theo %(source)s"
        ) % {"unit": name, "source": record.source}
    preds = facts.predecessors.get(unit_id, [])
    if not preds or depth >= MAX_LINEAGE_DEPTH:
        return None, name
    results = [_year_result(facts, p, year, required, merger_rule, depth + 1) for p in preds]
    known = [r for r in results if r[0] is not None]
    if not known:
        return None, name
    if merger_rule == AwardRule.MergerRule.ANY:
        hits = [how for ok, how in results if ok]
        return bool(hits), "; ".join(hits or [how for _ok, how in known])
    meets = len(known) == len(results) and all(ok for ok, _how in results)
    return meets, "; ".join(how for _ok, how in results)


def _consecutive(
    facts: _Facts, rule: AwardRule, unit_id: int, result: Eligibility | None
) -> Reason:
    need = rule.consecutive_years
    required = rule.consecutive_classification or "good"
    year = facts.year
    bands = facts.bands_of(year)
    label = _band_label(bands, required)
    label_text = label
    streak, years = 0, []
    name = facts.unit_names.get(unit_id, "")
    for y in range(year, year - need, -1):
        ok, how = _year_result(facts, unit_id, y, required, rule.merger_rule)
        if not ok:
            break
        streak += 1
        if how != name:  # a predecessor's year, or a recorded classification
            years.append(_("năm %(year)s của %(how)s") % {"year": y, "how": how})
    if result is not None:
        result.streak, result.streak_years = streak, years
    detail = (_(" (tính cả %(years)s)") % {"years": "; ".join(reversed(years))}) if years else ""
    if streak >= need:
        return Reason(
            True,
            _("%(n)s năm liên tục %(label)s%(detail)s")
            % {"n": streak, "label": label_text, "detail": detail},
            "consecutive",
        )
    return Reason(
        False,
        _("mới %(n)s năm liên tục %(label)s, cần %(need)s%(detail)s")
        % {"n": streak, "label": label_text, "need": need, "detail": detail},
        "consecutive",
    )


def _ballot(
    facts: _Facts, rule: AwardRule, award: AwardType, unit_id: int, result: Eligibility
) -> Reason | None:
    from meetings import tally
    from meetings.models import Ballot

    c = facts.candidates.get((facts.bloc_year.pk, award.pk, unit_id))
    if c is None:
        if not rule.ballot_pass_required:
            return None
        has_ballot = any(
            b == facts.bloc_year.pk and a == award.pk for (b, a, _u) in facts.candidates
        )
        if has_ballot:
            text = _("không có tên trong phiếu bình xét %(award)s") % {"award": award.name}
        else:
            text = _(
                "chưa có kết quả bỏ phiếu bình xét %(award)s đã công bố tại Hội nghị tổng kết năm"
            ) % {"award": award.name}
        return Reason(False, text, "ballot")
    ballot = c.ballot
    members, present = ballot.members_count or 0, ballot.present_count or 0
    if ballot.base == VoteBase.MEMBERS:
        base_count = members
    elif ballot.base == VoteBase.PRESENT:
        base_count = present
    else:
        base_count = (ballot.online_returned or 0) + (ballot.paper_valid or 0)
    yes = c.yes_count or 0
    percent = tally.percent(yes, base_count)
    figures = BallotFigures(
        ballot_id=ballot.pk,
        round=ballot.round,
        yes=yes,
        base_count=base_count,
        base_label=str(Ballot.Base(ballot.base).label),
        percent=percent,
        percent_label=tally.percent_label(percent),
        threshold_label=_threshold_words(
            ballot.threshold_numerator, ballot.threshold_denominator, ballot.threshold_strict
        ),
        passed=bool(c.passed),
        elected=bool(c.elected),
        illustrative=ballot.illustrative,
    )
    result.ballot = figures
    values = {
        "yes": yes,
        "base": base_count,
        "percent": figures.percent_label,
        "base_label": figures.base_label,
        "threshold": figures.threshold_label,
    }
    votes = (
        _("%(yes)s/%(base)s phiếu đồng ý (%(percent)s %(base_label)s, yêu cầu %(threshold)s)")
        % values
    )
    if ballot.illustrative:
        votes += _(" (số liệu minh họa)")
    if figures.elected:
        return Reason(True, _("đạt %(votes)s") % {"votes": votes}, "ballot")
    if figures.passed:
        return Reason(
            not rule.ballot_pass_required,
            _("đạt %(votes)s nhưng không được chọn (vượt số đơn vị tối đa của cuộc bỏ phiếu)")
            % {"votes": votes},
            "ballot",
        )
    return Reason(
        not rule.ballot_pass_required, _("chỉ đạt %(votes)s") % {"votes": votes}, "ballot"
    )


def _ordered(facts: _Facts, award_id: int, units: Iterable[int]) -> list[int]:
    """Units chosen for an award in this bloc-year, in the order quotas keep them: yes votes,
    then rank by score, then name."""
    current = facts.scores.get(facts.bloc_year.pk)

    def key(u: int) -> tuple:
        c = facts.candidates.get((facts.bloc_year.pk, award_id, u))
        got = current.by_unit.get(u) if current else None
        rank = got.rank if got and got.rank is not None else 10**6
        return (-(c.yes_count or 0) if c else 0, rank, facts.unit_names.get(u, ""))

    return sorted(units, key=key)


def _quota(
    facts: _Facts, rule: AwardRule, award: AwardType, unit_id: int, chosen: dict
) -> Reason | None:
    members = facts.member_count
    quota = quota_for(rule.quota, members)
    if quota is None:
        return None
    units = chosen.get((facts.bloc_year.pk, award.pk), set())
    values = {"quota": quota, "members": members, "award": award.name}
    if unit_id in units:
        position = _ordered(facts, award.pk, units).index(unit_id) + 1
        if position <= quota:
            return Reason(
                True,
                _("trong chỉ tiêu %(quota)s đơn vị của khối %(members)s thành viên") % values,
                "quota",
            )
        return Reason(
            False,
            _(
                "vượt chỉ tiêu: khối %(members)s thành viên được đề nghị tối đa %(quota)s đơn "
                "vị, %(above)s đơn vị khác đứng trước (nhiều phiếu hơn hoặc xếp hạng cao hơn)"
            )
            % {**values, "above": position - 1},
            "quota",
        )
    if len(units) < quota:
        return Reason(
            True,
            _(
                "còn chỉ tiêu: khối %(members)s thành viên đề nghị tối đa %(quota)s đơn vị, "
                "mới có %(n)s"
            )
            % {**values, "n": len(units)},
            "quota",
        )
    return Reason(
        False,
        _("khối đã đủ chỉ tiêu %(quota)s đơn vị (khối %(members)s thành viên)") % values,
        "quota",
    )


def _province_units(chosen: dict, award_id: int) -> set[int]:
    out: set[int] = set()
    for (_by, a), units in chosen.items():
        if a == award_id:
            out |= units
    return out


def _ceiling(
    facts: _Facts, rule: AwardRule, award: AwardType, unit_id: int, chosen: dict
) -> Reason | None:
    if rule.ceiling_percent is None or rule.ceiling_base_award_id is None:
        return None
    base_award = rule.ceiling_base_award
    these = _province_units(chosen, award.pk) | {unit_id}
    base = _province_units(chosen, base_award.pk)
    if rule.prerequisite_award_id == base_award.pk:
        base |= these
    exact = Decimal(len(base)) * rule.ceiling_percent / 100
    allowed = (
        math.ceil(exact) if rule.ceiling_rounding == AwardRule.Rounding.UP else math.floor(exact)
    )
    from scoring.totals import fmt

    values = {
        "n": len(these),
        "allowed": allowed,
        "percent": fmt(rule.ceiling_percent),
        "base": len(base),
        "award": award.name,
        "base_award": base_award.name,
        "year": facts.year,
    }
    if len(these) <= allowed:
        return Reason(
            True,
            _(
                "trong trần toàn tỉnh năm %(year)s: %(n)s/%(allowed)s %(award)s (%(percent)s%% "
                "của %(base)s đơn vị đạt %(base_award)s)"
            )
            % values,
            "ceiling",
        )
    return Reason(
        False,
        _(
            "vượt trần toàn tỉnh năm %(year)s: %(n)s %(award)s, tối đa %(allowed)s (%(percent)s%% "
            "của %(base)s đơn vị đạt %(base_award)s)"
        )
        % values,
        "ceiling",
    )


def _prerequisite(facts: _Facts, rule: AwardRule, unit_id: int, chosen: dict) -> Reason | None:
    if rule.prerequisite_award_id is None:
        return None
    other = rule.prerequisite_award
    values = {"award": other.name, "year": facts.year}
    if rule.prerequisite_mode == AwardRule.PrerequisiteMode.SELECTED:
        if unit_id in _province_units(chosen, other.pk):
            return Reason(True, _("được bình xét %(award)s năm %(year)s") % values, "prerequisite")
        return Reason(
            False, _("chưa được bình xét %(award)s năm %(year)s") % values, "prerequisite"
        )
    other_rule = facts.rules.get(other.pk)
    if other_rule is None:
        return Reason(
            False,
            _("%(rule)s chưa quy định điều kiện của %(award)s")
            % {"rule": facts.rule_name, "award": other.name},
            "prerequisite",
        )
    failed = [r.text for r in _achievement(facts, other_rule, unit_id, None) if not r.ok]
    if not failed:
        return Reason(True, _("đạt tiêu chuẩn %(award)s năm %(year)s") % values, "prerequisite")
    return Reason(
        False,
        _("chưa đạt tiêu chuẩn %(award)s năm %(year)s (%(why)s)")
        % {**values, "why": "; ".join(failed)},
        "prerequisite",
    )


def _exclusive(
    facts: _Facts, rule: AwardRule, award: AwardType, unit_id: int, chosen: dict
) -> Reason | None:
    if not rule.exclusive_group:
        return None
    others = [
        r.award_type
        for r in facts.rules.values()
        if r.exclusive_group == rule.exclusive_group and r.award_type_id != award.pk
    ]
    taken = [a for a in others if unit_id in _province_units(chosen, a.pk)]
    if taken:
        return Reason(
            False,
            _(
                "đã được bình xét %(others)s năm %(year)s: một thành tích chỉ đề nghị một "
                "hình thức khen thưởng"
            )
            % {
                "others": ", ".join(a.name for a in sorted(taken, key=lambda a: a.order)),
                "year": facts.year,
            },
            "exclusive",
        )
    return Reason(
        True,
        _("không được đề nghị hình thức khen thưởng khác cho thành tích năm %(year)s")
        % {"year": facts.year},
        "exclusive",
    )


def _evaluate(facts: _Facts, award: AwardType, unit_id: int, chosen: dict) -> Eligibility:
    result = Eligibility(
        unit_id=unit_id,
        unit_name=facts.unit_names.get(unit_id, ""),
        award_type_id=award.pk,
        award_name=award.name,
        bloc_year_id=facts.bloc_year.pk,
        year=facts.year,
        rule_name=facts.rule_name,
        selected=unit_id in chosen.get((facts.bloc_year.pk, award.pk), set()),
    )
    reasons: list[Reason] = []
    if award.province_id != facts.province_id:
        reasons.append(Reason(False, _("danh hiệu của tỉnh khác"), "award"))
    if unit_id not in facts.members:
        reasons.append(
            Reason(
                False,
                _("không phải đơn vị thành viên của khối năm %(year)s") % {"year": facts.year},
                "member",
            )
        )
    rule = facts.rules.get(award.pk)
    if rule is None:
        reasons.append(
            Reason(
                False,
                _("%(rule)s chưa quy định điều kiện của %(award)s")
                % {"rule": facts.rule_name, "award": award.name},
                "rule",
            )
        )
        result.reasons = reasons
        return result
    reasons.extend(_achievement(facts, rule, unit_id, result))
    for reason in (
        _ballot(facts, rule, award, unit_id, result),
        _prerequisite(facts, rule, unit_id, chosen),
        _quota(facts, rule, award, unit_id, chosen),
        _ceiling(facts, rule, award, unit_id, chosen),
        _exclusive(facts, rule, award, unit_id, chosen),
    ):
        if reason is not None:
            reasons.append(reason)
    # Rank and classification first, as the sentences read.
    first = {"rank": 0, "classification": 1, "scores": 0}
    reasons.sort(key=lambda r: first.get(r.code, 2))
    result.reasons = reasons
    result.eligible = all(r.ok for r in reasons)
    return result


# --- the public functions ----------------------------------------------------------------------


def eligibility_for_bloc_year(
    *,
    bloc_year: BlocYear,
    award_types: Iterable[AwardType] | None = None,
    units: Iterable[int] | None = None,
    selection: Mapping[int, Iterable[int]] | None = None,
) -> dict[tuple[int, int], Eligibility]:
    """(award type id, unit id) -> Eligibility for every member of the bloc-year (or the
    given unit ids) and every active award type of the province (or those given).
    `selection`: award type id -> the unit ids chosen in this bloc-year (a proposal's items),
    instead of the ballots' elected units. A constant number of queries."""
    facts = _Facts(bloc_year, award_types)
    chosen = facts.selection(selection)
    unit_ids = list(units) if units is not None else list(facts.members)
    out: dict[tuple[int, int], Eligibility] = {}
    for award in facts.award_types:
        for unit_id in unit_ids:
            out[(award.pk, unit_id)] = _evaluate(facts, award, unit_id, chosen)
    return out


def unit_eligibility(
    *,
    bloc_year: BlocYear,
    award_type: AwardType,
    unit: Unit,
    selection: Mapping[int, Iterable[int]] | None = None,
) -> Eligibility:
    """One unit and one award (the same computation as the batch form)."""
    return eligibility_for_bloc_year(
        bloc_year=bloc_year, award_types=[award_type], units=[unit.pk], selection=selection
    )[(award_type.pk, unit.pk)]
