"""Reads of the scoring app, with the permission check inside; constant query counts for
the scoreboard whatever the number of units and criteria. The grid's read model is
scoring/grid.py."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership
from blocs.selectors import bloc_year_get_for_user
from core.selectors import object_get_or_404
from rules.selectors import rule_set_for

from . import permissions as perms
from .grid import GridCriterion
from .models import (
    CriteriaTable,
    Criterion,
    Evidence,
    ScoreChange,
    ScoreSheet,
    ScoreValue,
    ScoringYear,
    Stage,
)
from .ranking import Entry, band_legend, classify, rank_entries, rank_label
from .services import criteria_table_for_bloc_year
from .totals import REGULAR, Totals, group_totals, sheet_totals, table_max

STAGES = [Stage.SELF, Stage.CROSS, Stage.VERIFIED]


def stage_or_404(stage: str) -> str:
    if stage not in Stage.values:
        raise Http404(_("Bước chấm không hợp lệ."))
    return stage


def scoring_bloc_year_get(*, user: Any, bloc_year_id: Any, manage: bool = False) -> BlocYear:
    return bloc_year_get_for_user(user=user, bloc_year_id=bloc_year_id, manage=manage)


def criteria_table_get_for_user(*, user: Any, table_id: Any) -> CriteriaTable:
    from core.permissions import user_scopes

    table = object_get_or_404(
        CriteriaTable.objects.select_related("province", "bloc_year__bloc"),
        _("Không tìm thấy bảng chấm điểm."),
        pk=table_id,
    )
    if table.bloc_year is not None:
        allowed = perms.can_view_scoreboard(user, table.bloc_year)
    else:
        s = user_scopes(user)
        allowed = (
            s.is_admin
            or table.province_id in s.board_province_ids
            or BlocYear.objects.filter(bloc__province_id=table.province_id, year=table.year)
            .filter(pk__in=s.secretariat_bloc_year_ids)
            .exists()
            or Membership.objects.filter(
                bloc_year__bloc__province_id=table.province_id,
                bloc_year__year=table.year,
                unit_id__in=s.unit_ids,
            ).exists()
        )
    if not allowed:
        raise PermissionDenied(_("Bạn không có quyền xem bảng chấm điểm này."))
    return table


def table_criteria(table: CriteriaTable) -> list[Criterion]:
    """Criteria in order with `group_code` / `group_name` set (1 query)."""
    criteria = list(table.criteria.select_related("group").order_by("position", "id"))
    for c in criteria:
        c.group_code = c.group.code
        c.group_name = c.group.name
    return criteria


def scoring_state(bloc_year: BlocYear) -> ScoringYear:
    return ScoringYear.objects.filter(bloc_year=bloc_year).first() or ScoringYear(
        bloc_year=bloc_year
    )


def sheet_get_for_user(*, user: Any, sheet_id: Any) -> ScoreSheet:
    sheet = object_get_or_404(
        ScoreSheet.objects.select_related("bloc_year__bloc__province", "unit"),
        _("Không tìm thấy phiếu chấm điểm."),
        pk=sheet_id,
    )
    if not perms.can_view_sheet(user, sheet):
        raise PermissionDenied(_("Bạn không có quyền xem phiếu chấm điểm này."))
    return sheet


def evidence_get_for_user(*, user: Any, evidence_id: Any) -> Evidence:
    evidence = object_get_or_404(
        Evidence.objects.select_related(
            "score_value__sheet__bloc_year__bloc", "score_value__sheet__unit"
        ),
        _("Không tìm thấy minh chứng."),
        pk=evidence_id,
    )
    if not perms.can_view_sheet(user, evidence.score_value.sheet):
        raise PermissionDenied(_("Bạn không có quyền xem minh chứng này."))
    return evidence


def _members(bloc_year: BlocYear) -> list[Membership]:
    return list(
        Membership.objects.filter(bloc_year=bloc_year).select_related("unit").order_by("unit__name")
    )


# --- the state of each stage: one story for every page -------------------------------------
# The scoreboard and its exports, the progress page, the sheet page, the bloc-year panel and
# the dashboards all say where a sheet stands through sheet_status(); after the lock,
# "verified and locked" overrides whatever was missing, and a skipped stage says so.


def vn_day(moment: dt.datetime | None) -> str:
    """dd/mm/yyyy in the site's time zone."""
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


class StageState(NamedTuple):
    code: str  # "done", "open" (still to do), "skipped" (locked without it), "locked"
    label: str  # the badge: short, the same words on every page
    detail: str = ""  # shown beside the badge: a date, a count
    missing: str = ""  # what the scoreboard lists under "Còn thiếu" before the lock

    @property
    def text(self) -> str:
        return f"{self.label} {self.detail}".strip()


@dataclass(frozen=True)
class SheetStatus:
    self: StageState
    cross: StageState
    verified: StageState
    locked_at: dt.datetime | None = None

    @property
    def stages(self) -> dict[str, StageState]:
        return {Stage.SELF: self.self, Stage.CROSS: self.cross, Stage.VERIFIED: self.verified}

    @property
    def missing(self) -> list[str]:
        return [s.missing for s in (self.self, self.cross, self.verified) if s.missing]

    @property
    def skipped(self) -> list[str]:
        """After the lock: the stages the board verified without, in the row's words."""
        return [s.label.lower() for s in (self.self, self.cross) if s.code == "skipped"]

    @property
    def summary(self) -> str:
        """One line (the exports' "Tình trạng" column)."""
        if self.locked_at:
            return "; ".join([self.verified.text, *self.skipped])
        if self.missing:
            return _("Còn thiếu: %(items)s") % {"items": "; ".join(self.missing)}
        return _("Đủ các bước, chờ thẩm định và khóa")


def locked_text(locked_at: dt.datetime | None) -> str:
    return _("Đã thẩm định, khóa ngày %(date)s") % {"date": vn_day(locked_at)} if locked_at else ""


def _count(totals: Totals | None) -> str:
    if totals is None:
        return ""
    return _("đã chấm %(filled)s/%(required)s tiêu chí") % {
        "filled": totals.filled,
        "required": totals.required,
    }


def sheet_status(
    *,
    self_submitted_at: dt.datetime | None,
    cross_submitted_at: dt.datetime | None,
    locked_at: dt.datetime | None,
    totals: dict[str, Totals] | None = None,
) -> SheetStatus:
    """Where one unit's sheet stands at each stage (no query). `totals` (stage -> Totals)
    adds the counts and tells an incomplete stage from a complete one not yet closed."""
    totals = totals or {}
    cross_t, verified_t = totals.get(Stage.CROSS), totals.get(Stage.VERIFIED)
    if self_submitted_at:
        own = StageState(
            "done", _("Đã nộp"), _("ngày %(date)s") % {"date": vn_day(self_submitted_at)}
        )
    elif locked_at:
        own = StageState("skipped", _("Không nộp tự chấm (đã thẩm định)"))
    else:
        own = StageState(
            "open", _("Chưa nộp"), _count(totals.get(Stage.SELF)), _("chưa nộp tự chấm")
        )
    if cross_submitted_at:
        cross = StageState(
            "done", _("Đã hoàn tất"), _("ngày %(date)s") % {"date": vn_day(cross_submitted_at)}
        )
    elif locked_at:
        cross = StageState("skipped", _("Không hoàn tất chấm chéo (đã thẩm định)"))
    elif cross_t is not None and not cross_t.complete:
        cross = StageState("open", _("Chưa hoàn tất"), _count(cross_t), _("chưa đủ điểm chấm chéo"))
    else:
        cross = StageState(
            "open", _("Chưa hoàn tất"), _count(cross_t), _("chưa hoàn tất chấm chéo")
        )
    if locked_at:
        verified = StageState(
            "locked", _("Đã thẩm định, khóa"), _("ngày %(date)s") % {"date": vn_day(locked_at)}
        )
    elif verified_t is not None and not verified_t.complete:
        verified = StageState(
            "open", _("Chưa khóa"), _count(verified_t), _("chưa đủ điểm thẩm định")
        )
    else:
        verified = StageState("open", _("Chưa khóa"), _count(verified_t))
    return SheetStatus(self=own, cross=cross, verified=verified, locked_at=locked_at)


@dataclass(frozen=True)
class VerificationGaps:
    """What stands before the board's verification: units whose verified scores are
    incomplete (never lockable), units without a submitted self-assessment or a closed
    cross stage (lockable after a confirmation unless the rule set requires them)."""

    incomplete: list[str]
    without_self: list[tuple[int, str]]  # (unit id, name)
    without_cross: list[tuple[int, str]]
    refusals: list[str]  # why the rule set forbids locking now

    @property
    def to_confirm(self) -> list[tuple[int, str]]:
        seen = dict(self.without_self)
        seen.update(self.without_cross)
        return sorted(seen.items(), key=lambda item: item[1])

    @property
    def blocked(self) -> bool:
        return bool(self.incomplete or self.refusals)


def _names(units: list[tuple[int, str]]) -> str:
    return "; ".join(name for _pk, name in units)


def verification_gaps(
    *, rows: list[tuple[int, str, bool, bool, bool]], rule_set
) -> VerificationGaps:
    """rows: (unit id, name, self submitted, cross closed, verified complete) per member.
    One rule for the scoreboard's verify card and for services.scoring_verify."""
    rows = sorted(rows, key=lambda r: r[1])
    without_self = [(r[0], r[1]) for r in rows if not r[2]]
    without_cross = [(r[0], r[1]) for r in rows if not r[3]]
    refusals = []
    rule_name = rule_set.name
    if rule_set.verification_requires_self_assessment and without_self:
        refusals.append(
            _(
                "%(rule)s yêu cầu mọi đơn vị nộp phiếu tự chấm trước khi thẩm định; "
                "chưa nộp: %(units)s."
            )
            % {"rule": rule_name, "units": _names(without_self)}
        )
    if rule_set.verification_requires_cross_scoring and without_cross:
        refusals.append(
            _(
                "%(rule)s yêu cầu mọi phiếu hoàn tất chấm chéo trước khi thẩm định; "
                "chưa hoàn tất: %(units)s."
            )
            % {"rule": rule_name, "units": _names(without_cross)}
        )
    return VerificationGaps(
        incomplete=[r[1] for r in rows if not r[4]],
        without_self=without_self,
        without_cross=without_cross,
        refusals=refusals,
    )


def confirmation_message(gaps: VerificationGaps, unconfirmed: set[int] | None = None) -> str:
    """The question the board answers before locking, naming the units (those not yet
    confirmed when `unconfirmed` is given)."""
    keep = (lambda pk: pk in unconfirmed) if unconfirmed is not None else (lambda pk: True)
    parts = []
    own = [(pk, n) for pk, n in gaps.without_self if keep(pk)]
    cross = [(pk, n) for pk, n in gaps.without_cross if keep(pk)]
    if own:
        parts.append(
            _("%(n)s đơn vị chưa nộp tự chấm: %(units)s.") % {"n": len(own), "units": _names(own)}
        )
    if cross:
        parts.append(
            _("%(n)s đơn vị chưa hoàn tất chấm chéo: %(units)s.")
            % {"n": len(cross), "units": _names(cross)}
        )
    return " ".join(parts)


@dataclass
class BoardRow:
    unit: Any
    sheet: dict | None
    totals: dict = field(default_factory=dict)  # stage -> Totals
    status: SheetStatus | None = None
    rank: int | None = None
    rank_label: str = ""
    rank_reason: str = ""
    classification: str = ""
    classification_code: str = ""
    classification_reason: str = ""

    @property
    def missing(self) -> list[str]:
        """What is truly missing: nothing once the year is verified and locked."""
        return self.status.missing if self.status else []


def scoreboard(*, bloc_year: BlocYear) -> dict:
    """Totals per stage, dense rank by the verified total with the rule set's tie-breaks,
    classification by its bands, and what is still missing. Constant query count."""
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    state = scoring_state(bloc_year)
    rule_set = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    members = _members(bloc_year)
    if table is None:
        return {
            "table": None,
            "rows": [],
            "state": state,
            "rule_set": rule_set,
            "locked_text": locked_text(state.locked_at),
        }
    criteria = table_criteria(table)
    sheets = {
        s["unit_id"]: s
        for s in ScoreSheet.objects.filter(bloc_year=bloc_year).values(
            "pk", "unit_id", "self_submitted_at", "cross_submitted_at"
        )
    }
    values: dict[tuple[int, str], dict[int, Decimal | None]] = {}
    for unit_id, criterion_id, stage, value in ScoreValue.objects.filter(
        sheet__bloc_year=bloc_year
    ).values_list("sheet__unit_id", "criterion_id", "stage", "value"):
        values.setdefault((unit_id, stage), {})[criterion_id] = value
    max_total = table_max(criteria)
    # Tuples for the 3 x members totals (a model's pk is a property: slow in this loop).
    light = [
        GridCriterion(c.pk, c.code, c.name, c.kind, c.max_points, c.group_code, c.group_name)
        for c in criteria
    ]
    rows: dict[int, BoardRow] = {}
    entries = []
    for m in members:
        row = BoardRow(unit=m.unit, sheet=sheets.get(m.unit_id))
        for stage in STAGES:
            row.totals[stage] = sheet_totals(
                criteria=light,
                values=values.get((m.unit_id, stage), {}),
                bonus_cap=table.bonus_cap,
                penalty_cap=table.penalty_cap,
            )
        row.status = sheet_status(
            self_submitted_at=row.sheet["self_submitted_at"] if row.sheet else None,
            cross_submitted_at=row.sheet["cross_submitted_at"] if row.sheet else None,
            locked_at=state.locked_at,
            totals=row.totals,
        )
        rows[m.unit_id] = row
        entries.append(
            Entry(
                unit_id=m.unit_id,
                name=m.unit.name,
                totals=row.totals[Stage.VERIFIED],
                group_totals=group_totals(
                    criteria=light, values=values.get((m.unit_id, Stage.VERIFIED), {})
                ),
            )
        )
    ordered = []
    rule_name = rule_set.name
    if rule_set.is_example and "mẫu" not in rule_name.lower():
        rule_name += _(" (quy chế mẫu)")
    for r in rank_entries(entries, list(rule_set.tie_break_order or [])):
        row = rows[r.entry.unit_id]
        row.rank, row.rank_label, row.rank_reason = r.rank, rank_label(r.rank), r.rank_reason
        code, label, reason = classify(
            totals=row.totals[Stage.VERIFIED],
            max_total=max_total,
            bands=list(rule_set.classification_bands or []),
            rule_name=rule_name,
        )
        row.classification_code, row.classification, row.classification_reason = (
            code,
            label,
            reason,
        )
        ordered.append(row)
    gaps = verification_gaps(
        rows=[
            (
                r.unit.pk,
                r.unit.name,
                r.status.self.code == "done",
                r.status.cross.code == "done",
                r.totals[Stage.VERIFIED].complete,
            )
            for r in ordered
        ],
        rule_set=rule_set,
    )
    by_name = sorted(ordered, key=lambda r: r.unit.name)
    return {
        "table": table,
        "criteria": criteria,
        "rows": ordered,
        "state": state,
        "locked_text": locked_text(state.locked_at),
        "rule_set": rule_set,
        "rule_name": rule_name,
        "max_total": max_total,
        "legend": band_legend(bands=list(rule_set.classification_bands or []), max_total=max_total),
        "complete": all(not r.missing for r in ordered),
        "missing_rows": [r for r in ordered if r.missing],
        # After the lock: the units verified without a self-assessment or a closed cross stage.
        "skipped_rows": [r for r in by_name if r.status.skipped],
        "not_submitted": [r for r in by_name if r.status.self.code == "open"],
        "gaps": None if state.locked else gaps,
        "confirmation": "" if state.locked else confirmation_message(gaps),
    }


def sheet_detail(*, user: Any, sheet: ScoreSheet) -> dict:
    """Criteria as rows with the three stages side by side, comments and evidence."""
    bloc_year = sheet.bloc_year
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        return {"table": None}
    criteria = table_criteria(table)
    state = scoring_state(bloc_year)
    cells: dict[tuple[int, str], ScoreValue] = {}
    for v in sheet.values.select_related("updated_by").prefetch_related("evidence"):
        cells[(v.criterion_id, v.stage)] = v
    rows = []
    stage_values: dict[str, dict[int, Decimal | None]] = {s: {} for s in STAGES}
    for c in criteria:
        stages = {}
        for stage in STAGES:
            v = cells.get((c.pk, stage))
            stages[stage] = v
            stage_values[stage][c.pk] = v.value if v else None
        rows.append({"criterion": c, "stages": stages})
    totals = {
        stage: sheet_totals(
            criteria=criteria,
            values=stage_values[stage],
            bonus_cap=table.bonus_cap,
            penalty_cap=table.penalty_cap,
        )
        for stage in STAGES
    }
    editable = {
        stage: perms.can_edit_stage(
            user,
            bloc_year,
            sheet.unit_id,
            stage,
            sheet.submitted_at(stage) is not None,
            state.locked,
        )
        for stage in STAGES
    }
    # One stage is edited on this page (the first the user may edit), so that each
    # criterion has one input and the page saves to one stage.
    edit_stage = next((stage for stage in STAGES if editable[stage]), None)
    # Each row's stages in order, as the page shows them (no lookups in the template).
    labels = [(stage, Stage(stage).label, stage == edit_stage) for stage in STAGES]
    for row in rows:
        row["cells"] = [
            {"code": code, "label": label, "v": row["stages"][code], "editable": edit}
            for code, label, edit in labels
        ]
    return {
        "table": table,
        "criteria": criteria,
        "rows": rows,
        "totals": totals,
        "status": sheet_status(
            self_submitted_at=sheet.self_submitted_at,
            cross_submitted_at=sheet.cross_submitted_at,
            locked_at=state.locked_at,
            totals=totals,
        ),
        "edit_stage": edit_stage,
        "editable": {stage: stage == edit_stage for stage in STAGES},
        "state": state,
        "can_submit_self": perms.can_submit_stage(user, sheet, Stage.SELF)
        and sheet.self_submitted_at is None
        and not state.locked,
        "can_submit_cross": perms.can_submit_stage(user, sheet, Stage.CROSS)
        and sheet.cross_submitted_at is None
        and not state.locked,
        "can_return": perms.can_manage_scoring(user, bloc_year) and not state.locked,
        "can_upload": perms.can_upload_evidence(user, sheet)
        and sheet.self_submitted_at is None
        and not state.locked,
        "max_total": table_max(criteria),
    }


def cell_history(*, sheet: ScoreSheet, criterion_id: Any) -> tuple[Criterion, list[ScoreChange]]:
    table = criteria_table_for_bloc_year(bloc_year=sheet.bloc_year)
    criterion = object_get_or_404(
        Criterion.objects, _("Không tìm thấy tiêu chí."), pk=criterion_id, table=table
    )
    changes = list(
        ScoreChange.objects.filter(score_value__sheet=sheet, score_value__criterion=criterion)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")
    )
    return criterion, changes


def scoring_panel_data(*, user: Any, bloc_year: BlocYear) -> dict:
    """What the bloc-year page shows about scoring for this user."""
    from core.permissions import user_scopes

    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    state = scoring_state(bloc_year)
    s = user_scopes(user)
    my_sheets = list(
        ScoreSheet.objects.filter(bloc_year=bloc_year, unit_id__in=s.unit_ids).select_related(
            "unit"
        )
    )
    my_member_units = list(
        Membership.objects.filter(bloc_year=bloc_year, unit_id__in=s.unit_ids).select_related(
            "unit"
        )
    )
    for sheet in my_sheets:
        sheet.status = sheet_status(
            self_submitted_at=sheet.self_submitted_at,
            cross_submitted_at=sheet.cross_submitted_at,
            locked_at=state.locked_at,
        )
    return {
        "bloc_year": bloc_year,
        "table": table,
        "state": state,
        "locked_text": locked_text(state.locked_at),
        "events": list(state.events.select_related("actor")[:5]) if state.pk else [],
        "can_manage": perms.can_manage_scoring(user, bloc_year),
        "can_verify": perms.can_verify(user, bloc_year),
        "grid_stages": [
            (stage, Stage(stage).label)
            for stage in STAGES
            if perms.can_view_grid(user, bloc_year, stage)
        ],
        "my_sheets": my_sheets,
        "my_member_units": my_member_units,
        "can_view_scoreboard": perms.can_view_scoreboard(user, bloc_year),
    }


def regular_count(criteria: list[Criterion]) -> int:
    return sum(1 for c in criteria if c.kind == REGULAR)


__all__ = ["Totals"]


def sheets_export_data(*, bloc_year: BlocYear) -> dict | None:
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        return None
    criteria = table_criteria(table)
    for c in criteria:
        c.table = table
    values: dict[tuple[int, str], dict[int, Decimal | None]] = {}
    for unit_id, criterion_id, stage, value in ScoreValue.objects.filter(
        sheet__bloc_year=bloc_year
    ).values_list("sheet__unit_id", "criterion_id", "stage", "value"):
        values.setdefault((unit_id, stage), {})[criterion_id] = value
    return {"criteria": criteria, "members": _members(bloc_year), "values": values}


def scoring_dashboard_data(*, user: Any) -> dict:
    """Scoring work waiting for this user: own sheets not submitted, bloc-years to score.
    A year the board has verified and locked is no longer work: its sheets leave the list
    and its bloc-year says so (sheet_status, as every other page)."""
    from core.permissions import user_scopes

    s = user_scopes(user)
    sheets = (
        list(
            ScoreSheet.objects.filter(
                unit_id__in=s.unit_ids,
                self_submitted_at__isnull=True,
                # LEFT JOIN: a year without a scoring state is not locked either.
                bloc_year__scoring__locked_at__isnull=True,
            )
            .select_related("unit", "bloc_year__bloc")
            .order_by("-bloc_year__year")[:10]
        )
        if s.unit_ids
        else []
    )
    for sheet in sheets:
        sheet.status = sheet_status(
            self_submitted_at=None, cross_submitted_at=sheet.cross_submitted_at, locked_at=None
        )
    bloc_years = (
        list(
            BlocYear.objects.filter(pk__in=s.secretariat_bloc_year_ids)
            .select_related("bloc", "scoring")
            .order_by("-year")
        )
        if s.secretariat_bloc_year_ids
        else []
    )
    for by in bloc_years:
        try:
            by.locked_text = locked_text(by.scoring.locked_at)
        except ObjectDoesNotExist:
            by.locked_text = ""
    return {"sheets": sheets, "bloc_years": bloc_years}


def cross_assignments(*, bloc_year: BlocYear) -> tuple[list[Membership], list]:
    """Members, and the matrix rows (scorer, [(target, assigned, is_self)])."""
    from .models import CrossAssignment

    current = set(
        CrossAssignment.objects.filter(bloc_year=bloc_year).values_list("scorer_id", "target_id")
    )
    members = _members(bloc_year)
    matrix = [
        (
            s,
            [(t, (s.unit_id, t.unit_id) in current, s.unit_id == t.unit_id) for t in members],
        )
        for s in members
    ]
    return members, matrix
