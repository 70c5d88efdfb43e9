"""Writes of the scoring app. Each validates, runs in one transaction, records who did it
(history rows for values, core.AuditEvent for the rest) and saves nothing in part."""

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs import cycle
from blocs.models import BlocYear, Membership
from core import filetypes, uploads
from core.names import person_name
from core.numbers import parse_vn_decimal
from core.services import actor_username, audit_event_record

from .models import (
    POINTS,
    CriteriaTable,
    Criterion,
    CriterionGroup,
    CrossAssignment,
    Evidence,
    ScoreChange,
    ScoreSheet,
    ScoreValue,
    ScoringYear,
    ScoringYearEvent,
    Stage,
)
from .permissions import can_edit_stage
from .totals import REGULAR, fmt, sheet_totals

MAX_POINTS = Decimal("99999.99")


# --- numbers ---------------------------------------------------------------------------------


def points_parse(raw: Any, *, max_points: Decimal | None = None) -> Decimal | None:
    """Parse a score as typed, with the one parser (core.numbers: "8,5" and "8.5" are 8.5,
    "1.000" is a thousand, ASCII digits only); empty clears the cell. The grid's JavaScript
    gives the same verdicts (scoring/static/scoring/vn_number.js and grid.js).
    Raises ValidationError with a Vietnamese message."""
    if raw is None:
        return None
    limit = MAX_POINTS if max_points is None else max_points
    above = _("Vượt điểm tối đa: tối đa %(max)s điểm.") % {"max": fmt(limit)}
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    elif isinstance(raw, Decimal):  # from the database (copies between stages)
        if not raw.is_finite() or abs(raw.adjusted()) > 20:
            raise ValidationError(_("Giá trị không phải là số."))
        raw = format(raw, "f")
    if not isinstance(raw, str):
        raise ValidationError(_("Giá trị không phải là số."))
    value = parse_vn_decimal(
        raw,
        max_digits=POINTS["max_digits"],
        decimal_places=POINTS["decimal_places"],
        messages={
            "invalid": _("“%(text)s” không phải là số. Nhập ví dụ 8 hoặc 8,5."),
            "negative": _("Điểm không được âm."),
            "decimals": _("Điểm chỉ được có tối đa 2 chữ số thập phân."),
            "too_big": above,
        },
    )
    if value is not None and value > limit:
        raise ValidationError(above)
    return value


# --- criteria tables -------------------------------------------------------------------------


def criteria_table_for_bloc_year(*, bloc_year: BlocYear) -> CriteriaTable | None:
    """The bloc-year's own table, else the one its province shares for that year (1 query)."""
    shared_qs = CriteriaTable.objects.filter(
        province_id=bloc_year.bloc.province_id, year=bloc_year.year, bloc_year__isnull=True
    )
    candidates = list(shared_qs | CriteriaTable.objects.filter(bloc_year=bloc_year))
    own = [t for t in candidates if t.bloc_year_id == bloc_year.pk]
    shared = [t for t in candidates if t.bloc_year_id is None]
    return (own or shared or [None])[0]


def table_has_scores(table: CriteriaTable) -> bool:
    return ScoreValue.objects.filter(criterion__table=table).exists()


def _validate_spec(*, groups: list[dict], bonus_cap: Any, penalty_cap: Any) -> None:
    errors = []
    if not groups:
        errors.append(_("Bảng chấm điểm phải có ít nhất một nhóm tiêu chí."))
    codes: set[str] = set()
    group_codes: set[str] = set()
    regular = 0
    for g in groups:
        if g["code"] in group_codes:
            errors.append(_("Mã nhóm %(code)s bị trùng.") % {"code": g["code"]})
        group_codes.add(g["code"])
        for c in g["criteria"]:
            if c["code"] in codes:
                errors.append(_("Mã tiêu chí %(code)s bị trùng.") % {"code": c["code"]})
            codes.add(c["code"])
            if c.get("kind", REGULAR) == REGULAR:
                regular += 1
            if not (Decimal(0) < Decimal(c["max_points"]) <= MAX_POINTS):
                errors.append(
                    _("Tiêu chí %(code)s: điểm tối đa phải lớn hơn 0.") % {"code": c["code"]}
                )
    if groups and not regular:
        errors.append(_("Bảng chấm điểm phải có ít nhất một tiêu chí chấm điểm."))
    if Decimal(bonus_cap) < 0 or Decimal(penalty_cap) < 0:
        errors.append(_("Trần điểm cộng và điểm trừ không được âm."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def criteria_table_create(
    *,
    province: Any,
    year: int,
    name: str,
    groups: list[dict],
    bloc_year: BlocYear | None = None,
    bonus_cap: Decimal = Decimal(0),
    penalty_cap: Decimal = Decimal(0),
    copied_from: CriteriaTable | None = None,
    replace: bool = False,
    actor: Any = None,
) -> CriteriaTable:
    """groups: [{"code", "name", "criteria": [{"code", "name", "kind", "max_points",
    "guidance", "evidence_required"}]}]. With `replace`, an existing table of the same
    scope without scores is replaced; a table with scores is never replaced."""
    _validate_spec(groups=groups, bonus_cap=bonus_cap, penalty_cap=penalty_cap)
    if bloc_year is not None:
        province, year = bloc_year.bloc.province, bloc_year.year
        existing = CriteriaTable.objects.select_for_update().filter(bloc_year=bloc_year)
    else:
        existing = CriteriaTable.objects.select_for_update().filter(
            province=province, year=year, bloc_year__isnull=True
        )
    if bloc_year is not None:
        cycle.bloc_year_require(
            bloc_year=bloc_year, allowed=cycle.BEFORE_SCORING, work=_("thay đổi bảng chấm điểm")
        )
    old = existing.first()
    if old is not None and bloc_year is None:
        _shared_table_not_fixed(province=province, year=year)
    if old is not None:
        if not replace:
            raise ValidationError(_("Đã có bảng chấm điểm cho phạm vi này."))
        if table_has_scores(old):
            raise ValidationError(_("Bảng chấm điểm hiện tại đã có điểm nên không thể thay thế."))
        old.criteria.all().delete()
        old.groups.all().delete()
        old.delete()
    table = CriteriaTable(
        province=province,
        year=year,
        bloc_year=bloc_year,
        name=name,
        bonus_cap=bonus_cap,
        penalty_cap=penalty_cap,
        copied_from=copied_from,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_username=actor_username(actor),
    )
    table.full_clean()
    table.save()
    position = 0
    group_objs = CriterionGroup.objects.bulk_create(
        CriterionGroup(table=table, code=g["code"], name=g["name"], position=i)
        for i, g in enumerate(groups)
    )
    criteria = []
    for g, group in zip(groups, group_objs, strict=True):
        for c in g["criteria"]:
            position += 1
            criteria.append(
                Criterion(
                    table=table,
                    group=group,
                    kind=c.get("kind", REGULAR),
                    code=c["code"],
                    name=c["name"],
                    max_points=Decimal(c["max_points"]),
                    guidance=c.get("guidance", ""),
                    evidence_required=bool(c.get("evidence_required", False)),
                    position=position,
                )
            )
    Criterion.objects.bulk_create(criteria)
    targets = (
        [bloc_year]
        if bloc_year is not None
        else BlocYear.objects.filter(bloc__province=province, year=year)
    )
    for target in targets:
        score_sheets_ensure(bloc_year=target)
    scoring_revision_bump(bloc_year_ids=[t.pk for t in targets])
    audit_event_record(
        actor=actor,
        action="criteria_table_create",
        target=table,
        data={"criteria": len(criteria), "copied_from": copied_from.pk if copied_from else None},
    )
    return table


def _shared_table_not_fixed(*, province: Any, year: int) -> None:
    """A province's shared table is fixed once a bloc-year using it has begun scoring."""
    fixed = (
        BlocYear.objects.filter(bloc__province=province, year=year)
        .exclude(status__in=cycle.BEFORE_SCORING)
        .exclude(pk__in=CriteriaTable.objects.filter(bloc_year__isnull=False).values("bloc_year"))
    )
    if fixed.exists():
        raise ValidationError(
            _("Bảng chấm điểm dùng chung đã được chốt: có khối đã bắt đầu chấm điểm theo bảng này.")
        )


def criteria_table_spec(table: CriteriaTable) -> list[dict]:
    """The table as the groups spec criteria_table_create takes (for copies and exports)."""
    groups = list(table.groups.order_by("position", "id"))
    by_group: dict[int, list] = {g.pk: [] for g in groups}
    for c in table.criteria.order_by("position", "id"):
        by_group[c.group_id].append(
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "max_points": c.max_points,
                "guidance": c.guidance,
                "evidence_required": c.evidence_required,
            }
        )
    return [{"code": g.code, "name": g.name, "criteria": by_group[g.pk]} for g in groups]


@transaction.atomic
def criteria_table_copy_previous(*, bloc_year: BlocYear, actor: Any = None) -> CriteriaTable:
    """Copy the table the same bloc used in its latest earlier year into this bloc-year."""
    if CriteriaTable.objects.filter(bloc_year=bloc_year).exists():
        raise ValidationError(_("Năm thi đua này đã có bảng chấm điểm riêng."))
    previous_years = BlocYear.objects.filter(bloc=bloc_year.bloc, year__lt=bloc_year.year)
    source = None
    for previous in previous_years.select_related("bloc").order_by("-year"):
        source = criteria_table_for_bloc_year(bloc_year=previous)
        if source is not None:
            break
    if source is None:
        raise ValidationError(_("Chưa có bảng chấm điểm của năm trước để sao chép."))
    name = re.sub(r"\b\d{4}\b", str(bloc_year.year), source.name)
    return criteria_table_create(
        province=bloc_year.bloc.province,
        year=bloc_year.year,
        bloc_year=bloc_year,
        name=name if name != source.name else f"{source.name} ({bloc_year.year})",
        groups=criteria_table_spec(source),
        bonus_cap=source.bonus_cap,
        penalty_cap=source.penalty_cap,
        copied_from=source,
        actor=actor,
    )


# --- sheets and values -----------------------------------------------------------------------


def scoring_revision_bump(*, bloc_year_ids: list[int]) -> None:
    """Mark the grids of these bloc-years as changed (their cached data are then unused)."""
    existing = set(
        ScoringYear.objects.filter(bloc_year_id__in=bloc_year_ids).values_list(
            "bloc_year_id", flat=True
        )
    )
    missing = [pk for pk in bloc_year_ids if pk not in existing]
    if missing:
        ScoringYear.objects.bulk_create(
            [ScoringYear(bloc_year_id=pk) for pk in missing], ignore_conflicts=True
        )
    ScoringYear.objects.filter(bloc_year_id__in=bloc_year_ids).update(revision=uuid.uuid4().hex)


def score_sheets_ensure(*, bloc_year: BlocYear, unit_ids: list[int] | None = None) -> None:
    """Create the missing sheets of member units (all members by default)."""
    members = Membership.objects.filter(bloc_year=bloc_year)
    if unit_ids is not None:
        members = members.filter(unit_id__in=unit_ids)
    ScoreSheet.objects.bulk_create(
        [
            ScoreSheet(bloc_year=bloc_year, unit_id=u)
            for u in members.values_list("unit_id", flat=True)
        ],
        ignore_conflicts=True,
    )


@dataclass
class CellInput:
    unit_id: int
    criterion_id: int
    version: int
    value: Any = None  # raw text as typed
    comment: str | None = None  # None: leave the comment as it is

    @property
    def key(self) -> str:
        return f"{self.unit_id}:{self.criterion_id}"


@dataclass
class SaveResult:
    saved: dict[str, dict] = field(default_factory=dict)
    totals: dict[int, dict] = field(default_factory=dict)
    changed: int = 0


class ScoreSaveRefused(Exception):
    """Nothing was saved: per-cell errors and/or conflicts (stale versions)."""

    def __init__(self, *, errors: dict | None = None, conflicts: dict | None = None, message=""):
        self.errors = errors or {}
        self.conflicts = conflicts or {}
        self.message = message or (
            _("Có ô bị người khác sửa trước; chưa lưu gì.")
            if self.conflicts
            else _("Có ô không hợp lệ; chưa lưu gì.")
        )
        super().__init__(self.message)


def _user_label(user: Any) -> str:
    if user is None:
        return _("(không rõ)")
    return person_name(user)


def totals_payload(totals) -> dict:
    return {
        "regular": fmt(totals.regular),
        "bonus": fmt(totals.bonus),
        "penalty": fmt(totals.penalty),
        "total": fmt(totals.total),
        "filled": totals.filled,
        "required": totals.required,
    }


@transaction.atomic
def scores_save(
    *,
    bloc_year: BlocYear,
    stage: str,
    cells: list[CellInput],
    actor: Any,
    note: str = "",
) -> SaveResult:
    """Save many cells of one stage of one bloc-year at once, or nothing.

    Constant number of queries whatever the number of cells: the sheets involved are locked
    (SELECT ... FOR UPDATE), which serialises writers of the same sheets; each cell names
    the version it was edited from, and a cell whose stored version is newer is a conflict."""
    if stage not in Stage.values:
        raise ValidationError(_("Bước chấm không hợp lệ."))
    if not cells:
        return SaveResult()
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=[BlocYear.Status.SCORING], work=_("nhập điểm")
    )
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        raise ValidationError(_("Khối chưa có bảng chấm điểm cho năm này."))
    criteria = {c.pk: c for c in table.criteria.all()}
    member_ids = set(
        Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True)
    )
    errors: dict[str, str] = {}
    parsed: dict[str, tuple[CellInput, Decimal | None]] = {}
    comment_max = settings.SCORING_COMMENT_MAX_LENGTH
    for cell in cells:
        key = cell.key
        if key in parsed or key in errors:
            errors[key] = _("Ô bị gửi trùng.")
            continue
        criterion = criteria.get(cell.criterion_id)
        if criterion is None or cell.unit_id not in member_ids:
            errors[key] = _("Ô không thuộc bảng chấm điểm của khối này trong năm.")
            continue
        if cell.comment is not None and len(cell.comment) > comment_max:
            errors[key] = _("Ghi chú quá dài (tối đa %(n)s ký tự).") % {"n": comment_max}
            continue
        try:
            parsed[key] = (cell, points_parse(cell.value, max_points=criterion.max_points))
        except ValidationError as exc:
            errors[key] = " ".join(exc.messages)
    if errors:
        raise ScoreSaveRefused(errors=errors)

    unit_ids = sorted({c.unit_id for c, _v in parsed.values()})

    def lock_sheets() -> dict[int, ScoreSheet]:
        return {
            s.unit_id: s
            for s in ScoreSheet.objects.select_for_update(of=("self",))
            .select_related("unit")
            .filter(bloc_year=bloc_year, unit_id__in=unit_ids)
            .order_by("pk")
        }

    sheets = lock_sheets()
    if len(sheets) < len(unit_ids):
        score_sheets_ensure(bloc_year=bloc_year, unit_ids=unit_ids)
        sheets = lock_sheets()
    state = ScoringYear.objects.filter(bloc_year=bloc_year).first()
    locked = state is not None and state.locked
    if locked:
        raise ScoreSaveRefused(
            message=_("Điểm của năm thi đua này đã khóa sau thẩm định; cần mở lại để sửa.")
        )
    for unit_id, sheet in sheets.items():
        submitted = sheet.submitted_at(stage) is not None
        if not can_edit_stage(actor, bloc_year, unit_id, stage, submitted, locked):
            if submitted:
                raise ScoreSaveRefused(
                    message=_("Phiếu của %(unit)s đã nộp ở bước này nên chỉ còn xem được.")
                    % {"unit": sheet.unit.name}
                )
            raise PermissionDenied(_("Bạn không có quyền sửa điểm của đơn vị này ở bước này."))

    sheet_ids = [s.pk for s in sheets.values()]
    existing = {
        (v.sheet_id, v.criterion_id): v
        for v in ScoreValue.objects.select_related("updated_by").filter(
            sheet_id__in=sheet_ids,
            stage=stage,
            criterion_id__in={c.criterion_id for c, _v in parsed.values()},
        )
    }
    conflicts: dict[str, dict] = {}
    for key, (cell, _value) in parsed.items():
        current = existing.get((sheets[cell.unit_id].pk, cell.criterion_id))
        current_version = current.version if current else 0
        if cell.version != current_version:
            conflicts[key] = {
                "value": fmt(current.value) if current else "",
                "version": current_version,
                "by": _user_label(current.updated_by) if current else "",
                "at": timezone.localtime(current.updated_at).strftime("%d/%m/%Y %H:%M")
                if current
                else "",
                "message": _(
                    "%(by)s đã lưu giá trị “%(value)s” lúc %(at)s sau khi bạn mở trang. "
                    "Giá trị của bạn chưa được lưu."
                )
                % {
                    "by": _user_label(current.updated_by) if current else _("Người khác"),
                    "value": fmt(current.value) if current else "",
                    "at": timezone.localtime(current.updated_at).strftime("%d/%m/%Y %H:%M")
                    if current
                    else "",
                },
            }
    if conflicts:
        raise ScoreSaveRefused(conflicts=conflicts)

    now = timezone.now()
    user = actor if getattr(actor, "is_authenticated", False) else None
    username = actor_username(actor)
    to_create, to_update, history = [], [], []
    result = SaveResult()
    for key, (cell, value) in parsed.items():
        sheet = sheets[cell.unit_id]
        current = existing.get((sheet.pk, cell.criterion_id))
        comment = cell.comment if cell.comment is not None else (current.comment if current else "")
        if current is not None and current.value == value and current.comment == comment:
            result.saved[key] = {"value": fmt(value), "version": current.version}
            continue
        if current is None:
            if value is None and not comment:
                result.saved[key] = {"value": "", "version": 0}
                continue
            current = ScoreValue(
                sheet=sheet,
                criterion_id=cell.criterion_id,
                stage=stage,
                value=value,
                comment=comment,
                version=1,
                updated_at=now,
                updated_by=user,
                updated_by_username=username,
            )
            to_create.append(current)
            old_value, old_comment = None, ""
        else:
            old_value, old_comment = current.value, current.comment
            current.value, current.comment = value, comment
            current.version += 1
            current.updated_at, current.updated_by = now, user
            current.updated_by_username = username
            to_update.append(current)
        history.append(
            ScoreChange(
                score_value=current,
                stage=stage,
                old_value=old_value,
                new_value=value,
                old_comment=old_comment,
                new_comment=comment,
                version=current.version,
                note=note,
                changed_at=now,
                changed_by=user,
                changed_by_username=username,
            )
        )
        result.saved[key] = {"value": fmt(value), "version": current.version}
    if to_create or to_update:
        # One INSERT ... ON CONFLICT DO UPDATE for new and changed cells alike: linear in
        # the number of cells (an UPDATE ... CASE over hundreds of rows is quadratic), and
        # one statement on PostgreSQL whatever the size (SQLite splits statements at 999
        # parameters). The sheets are locked, so computing versions here is safe.
        fresh = [
            ScoreValue(
                sheet_id=v.sheet_id,
                criterion_id=v.criterion_id,
                stage=v.stage,
                value=v.value,
                comment=v.comment,
                version=v.version,
                updated_at=v.updated_at,
                updated_by=v.updated_by,
                updated_by_username=v.updated_by_username,
            )
            for v in (*to_create, *to_update)
        ]
        ScoreValue.objects.bulk_create(
            fresh,
            update_conflicts=True,
            unique_fields=["sheet", "criterion", "stage"],
            update_fields=[
                "value",
                "comment",
                "version",
                "updated_at",
                "updated_by",
                "updated_by_username",
            ],
        )
        for old, new in zip((*to_create, *to_update), fresh, strict=True):
            old.pk = new.pk
    if history:
        for h in history:
            h.score_value_id = h.score_value.pk
        # No revision bump: nothing caches the grid (scoring/grid.py), and updating the
        # bloc-year's one ScoringYear row in every save made concurrent saves of different
        # sheets wait for each other's commit on that row's lock.
        ScoreChange.objects.bulk_create(history)
        audit_event_record(
            actor=actor,
            action="scores_save",
            target=bloc_year,
            data={"stage": stage, "cells": len(history), "units": unit_ids, "note": note},
        )
    result.changed = len(history)
    # Fresh totals of the rows touched, computed by the one totals function.
    values: dict[int, dict[int, Decimal | None]] = {s.pk: {} for s in sheets.values()}
    for sheet_id, criterion_id, value in ScoreValue.objects.filter(
        sheet_id__in=sheet_ids, stage=stage
    ).values_list("sheet_id", "criterion_id", "value"):
        values[sheet_id][criterion_id] = value
    crit_list = list(criteria.values())
    for unit_id, sheet in sheets.items():
        t = sheet_totals(
            criteria=crit_list,
            values=values[sheet.pk],
            bonus_cap=table.bonus_cap,
            penalty_cap=table.penalty_cap,
        )
        result.totals[unit_id] = totals_payload(t)
    return result


def _stage_values(sheet: ScoreSheet, stage: str) -> dict[int, Decimal | None]:
    return dict(sheet.values.filter(stage=stage).values_list("criterion_id", "value"))


def stage_submit_refusal(stage: str) -> str:
    """Why someone may not submit this stage (scoring.permissions.can_submit_stage)."""
    if stage == Stage.CROSS:
        return _(
            "Chỉ thư ký khối hoặc lãnh đạo đơn vị được phân công chấm chéo mới hoàn tất "
            "bước chấm chéo của đơn vị này."
        )
    if stage == Stage.SELF:
        return _("Chỉ lãnh đạo đơn vị mới ký nộp phiếu tự chấm.")
    return _("Bạn không có quyền nộp bước chấm này.")


@transaction.atomic
def score_stage_submit(*, sheet: ScoreSheet, stage: str, actor: Any) -> ScoreSheet:
    """The leader submits the self-assessment, or the cross scorer closes the cross stage.
    The stage becomes read-only for its submitter."""
    from .permissions import can_submit_stage

    sheet = (
        ScoreSheet.objects.select_for_update()
        .select_related("bloc_year__bloc", "unit")
        .get(pk=sheet.pk)
    )
    if stage not in (Stage.SELF, Stage.CROSS):
        raise ValidationError(_("Bước chấm không hợp lệ."))
    if not can_submit_stage(actor, sheet, stage):
        raise PermissionDenied(stage_submit_refusal(stage))
    cycle.bloc_year_require(
        bloc_year=sheet.bloc_year, allowed=[BlocYear.Status.SCORING], work=_("nộp phiếu chấm")
    )
    state = ScoringYear.objects.filter(bloc_year=sheet.bloc_year).first()
    if state is not None and state.locked:
        raise ValidationError(_("Điểm của năm thi đua này đã khóa sau thẩm định."))
    if sheet.submitted_at(stage) is not None:
        raise ValidationError(_("Bước chấm này đã được nộp."))
    table = criteria_table_for_bloc_year(bloc_year=sheet.bloc_year)
    if table is None:
        raise ValidationError(_("Khối chưa có bảng chấm điểm cho năm này."))
    values = _stage_values(sheet, stage)
    criteria = list(table.criteria.all())
    missing = [c.code for c in criteria if c.kind == REGULAR and values.get(c.pk) is None]
    errors = []
    if missing:
        errors.append(
            _("Còn %(n)s tiêu chí chưa chấm: %(codes)s.")
            % {"n": len(missing), "codes": ", ".join(missing[:15])}
        )
    if stage == Stage.SELF:
        with_evidence = set(
            Evidence.objects.filter(
                score_value__sheet=sheet, score_value__stage=Stage.SELF
            ).values_list("score_value__criterion_id", flat=True)
        )
        lacking = [
            c.code
            for c in criteria
            if c.evidence_required and values.get(c.pk) and c.pk not in with_evidence
        ]
        if lacking:
            errors.append(
                _("Tiêu chí bắt buộc có minh chứng nhưng chưa tải lên: %(codes)s.")
                % {"codes": ", ".join(lacking)}
            )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if stage == Stage.SELF:
        sheet.self_submitted_at, sheet.self_submitted_by = now, actor
        sheet.self_submitted_by_username = actor_username(actor)
        fields = ["self_submitted_at", "self_submitted_by", "self_submitted_by_username"]
    else:
        sheet.cross_submitted_at, sheet.cross_submitted_by = now, actor
        sheet.cross_submitted_by_username = actor_username(actor)
        fields = ["cross_submitted_at", "cross_submitted_by", "cross_submitted_by_username"]
    sheet.save(update_fields=fields)
    scoring_revision_bump(bloc_year_ids=[sheet.bloc_year_id])
    audit_event_record(actor=actor, action=f"score_sheet_submit_{stage}", target=sheet)
    return sheet


@transaction.atomic
def score_stage_return(*, sheet: ScoreSheet, stage: str, reason: str, actor: Any) -> ScoreSheet:
    """The secretariat returns a submitted stage for correction (trả lại), with a reason."""
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("Cần nêu lý do trả lại (ít nhất 5 ký tự).")})
    cycle.bloc_year_require(
        bloc_year=sheet.bloc_year_id,
        allowed=[BlocYear.Status.SCORING],
        work=_("trả lại phiếu chấm"),
    )
    state = ScoringYear.objects.filter(bloc_year_id=sheet.bloc_year_id).first()
    if state is not None and state.locked:
        raise ValidationError(_("Điểm của năm thi đua này đã khóa sau thẩm định."))
    if sheet.submitted_at(stage) is None:
        raise ValidationError(_("Bước chấm này chưa được nộp."))
    if stage == Stage.SELF:
        sheet.self_submitted_at = sheet.self_submitted_by = None
        sheet.self_submitted_by_username = ""
        fields = ["self_submitted_at", "self_submitted_by", "self_submitted_by_username"]
    else:
        sheet.cross_submitted_at = sheet.cross_submitted_by = None
        sheet.cross_submitted_by_username = ""
        fields = ["cross_submitted_at", "cross_submitted_by", "cross_submitted_by_username"]
    sheet.save(update_fields=fields)
    scoring_revision_bump(bloc_year_ids=[sheet.bloc_year_id])
    audit_event_record(
        actor=actor, action=f"score_sheet_return_{stage}", target=sheet, data={"reason": reason}
    )
    return sheet


@transaction.atomic
def scores_copy_stage(*, bloc_year: BlocYear, source: str, target: str, actor: Any) -> SaveResult:
    """Fill the empty cells of `target` with the values of `source` (e.g. the board starts
    the verified stage from the cross scores). Filled cells are left alone."""
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        raise ValidationError(_("Khối chưa có bảng chấm điểm cho năm này."))
    rows = ScoreValue.objects.filter(
        sheet__bloc_year=bloc_year, stage__in=[source, target]
    ).values_list("sheet__unit_id", "criterion_id", "stage", "value", "version")
    src, dst = {}, {}
    for unit_id, criterion_id, stage, value, version in rows:
        (src if stage == source else dst)[(unit_id, criterion_id)] = (value, version)
    cells = []
    for key, (value, _v) in src.items():
        current = dst.get(key)
        if value is not None and (current is None or current[0] is None):
            cells.append(
                CellInput(
                    unit_id=key[0],
                    criterion_id=key[1],
                    version=current[1] if current else 0,
                    value=str(value),
                )
            )
    return scores_save(
        bloc_year=bloc_year,
        stage=target,
        cells=cells,
        actor=actor,
        note=_("Sao chép từ bước %(stage)s") % {"stage": Stage(source).label},
    )


# --- locking ---------------------------------------------------------------------------------


class VerificationNeedsConfirmation(ValidationError):
    """Some units lack a self-assessment or a closed cross stage, and the rule set allows
    verifying without them: the board must confirm those units first. Nothing was saved."""

    def __init__(self, message: str, *, unit_ids: list[int]) -> None:
        super().__init__(message, code="confirm")
        self.unit_ids = unit_ids


@transaction.atomic
def scoring_verify(
    *, bloc_year: BlocYear, actor: Any, confirmed_unit_ids: Collection[int] = ()
) -> ScoringYear:
    """The board confirms the verified scores of every member: the bloc-year is locked.

    Every member needs complete verified scores. A member without a submitted
    self-assessment or a closed cross stage is refused when the rule set requires that
    stage; otherwise it is allowed only once the board has confirmed that very unit
    (`confirmed_unit_ids`, the list the page showed), so that a sheet returned meanwhile
    is never locked unseen. The units verified without a stage are recorded."""
    from rules.selectors import rule_set_for

    from .permissions import can_verify
    from .selectors import confirmation_message, verification_gaps

    if not can_verify(actor, bloc_year):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng của tỉnh được thẩm định."))
    cycle.bloc_year_require(
        bloc_year=bloc_year, allowed=[BlocYear.Status.SCORING], work=_("thẩm định và khóa điểm")
    )
    sheets = {
        s.unit_id: s for s in ScoreSheet.objects.select_for_update().filter(bloc_year=bloc_year)
    }
    state, _created = ScoringYear.objects.select_for_update().get_or_create(bloc_year=bloc_year)
    if state.locked:
        raise ValidationError(_("Điểm của năm thi đua này đã được thẩm định và khóa."))
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        raise ValidationError(_("Khối chưa có bảng chấm điểm cho năm này."))
    required = set(table.criteria.filter(kind=REGULAR).values_list("pk", flat=True))
    filled: dict[int, set[int]] = {}
    for unit_id, criterion_id in ScoreValue.objects.filter(
        sheet__bloc_year=bloc_year, stage=Stage.VERIFIED, value__isnull=False
    ).values_list("sheet__unit_id", "criterion_id"):
        filled.setdefault(unit_id, set()).add(criterion_id)
    rows = []
    for m in Membership.objects.filter(bloc_year=bloc_year).select_related("unit"):
        sheet = sheets.get(m.unit_id)
        rows.append(
            (
                m.unit_id,
                m.unit.name,
                bool(sheet and sheet.self_submitted_at),
                bool(sheet and sheet.cross_submitted_at),
                required <= filled.get(m.unit_id, set()),
            )
        )
    gaps = verification_gaps(
        rows=rows, rule_set=rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    )
    if gaps.incomplete:
        raise ValidationError(
            _("Chưa thể khóa: còn đơn vị chưa đủ điểm thẩm định: %(units)s.")
            % {"units": "; ".join(gaps.incomplete)}
        )
    if gaps.refusals:
        raise ValidationError(
            _("Chưa thể thẩm định và khóa: %(reasons)s") % {"reasons": " ".join(gaps.refusals)},
            code="rule_set",
        )
    unconfirmed = {pk for pk, _name in gaps.to_confirm} - set(confirmed_unit_ids)
    if unconfirmed:
        raise VerificationNeedsConfirmation(
            _("Chưa khóa: cần xác nhận thẩm định khi %(gaps)s")
            % {"gaps": confirmation_message(gaps, unconfirmed)},
            unit_ids=sorted(unconfirmed),
        )
    # Recorded in the words the pages use after the lock (selectors.sheet_status).
    note = " ".join(
        _("%(stage)s: %(units)s.") % {"stage": stage, "units": "; ".join(n for _pk, n in units)}
        for stage, units in (
            (_("Không nộp tự chấm (đã thẩm định)"), gaps.without_self),
            (_("Không hoàn tất chấm chéo (đã thẩm định)"), gaps.without_cross),
        )
        if units
    )
    state.locked_at, state.locked_by = timezone.now(), actor
    state.locked_by_username = actor_username(actor)
    state.revision = uuid.uuid4().hex
    state.save(update_fields=["locked_at", "locked_by", "locked_by_username", "revision"])
    ScoringYearEvent.objects.create(
        scoring_year=state,
        action=ScoringYearEvent.Action.LOCK,
        reason=note,
        actor=actor,
        actor_username=actor_username(actor),
    )
    audit_event_record(
        actor=actor,
        action="scoring_verify",
        target=bloc_year,
        data={
            "without_self_assessment": [name for _pk, name in gaps.without_self],
            "without_cross_scoring": [name for _pk, name in gaps.without_cross],
        },
    )
    return state


@transaction.atomic
def scoring_reopen(*, bloc_year: BlocYear, reason: str, actor: Any) -> ScoringYear:
    """Re-open locked scores for a correction; the reason is recorded, the old values stay
    in the history. A year that has gone on to voting goes back to scoring (blocs.cycle)
    with the same reason; after that the scores are no longer re-opened."""
    from .permissions import can_verify

    if not can_verify(actor, bloc_year):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng của tỉnh được mở lại."))
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Cần nêu lý do mở lại (ít nhất 10 ký tự).")})
    if len(reason) > 2000:
        raise ValidationError({"reason": _("Lý do quá dài (tối đa 2000 ký tự).")})
    year_status = cycle.bloc_year_require(
        bloc_year=bloc_year,
        allowed=[BlocYear.Status.SCORING, BlocYear.Status.VOTING],
        work=_("mở lại điểm đã thẩm định"),
    )
    state = ScoringYear.objects.select_for_update().filter(bloc_year=bloc_year).first()
    if state is None or not state.locked:
        raise ValidationError(_("Điểm của năm thi đua này chưa bị khóa."))
    if year_status == BlocYear.Status.VOTING:
        cycle.bloc_year_step_back(bloc_year=bloc_year, reason=reason, actor=actor)
    # The event first: the database lifts a lock only right after a recorded re-opening.
    ScoringYearEvent.objects.create(
        scoring_year=state,
        action=ScoringYearEvent.Action.REOPEN,
        reason=reason,
        actor=actor,
        actor_username=actor_username(actor),
    )
    state.locked_at = state.locked_by = None
    state.locked_by_username = ""
    state.revision = uuid.uuid4().hex
    state.save(update_fields=["locked_at", "locked_by", "locked_by_username", "revision"])
    audit_event_record(
        actor=actor, action="scoring_reopen", target=bloc_year, data={"reason": reason}
    )
    return state


# --- evidence and cross assignments ----------------------------------------------------------


@transaction.atomic
def evidence_add(*, sheet: ScoreSheet, criterion: Criterion, upload: Any, actor: Any) -> Evidence:
    from .permissions import can_upload_evidence

    sheet = (
        ScoreSheet.objects.select_for_update().select_related("bloc_year__bloc").get(pk=sheet.pk)
    )
    if not can_upload_evidence(actor, sheet):
        raise PermissionDenied(_("Chỉ đơn vị được chấm mới tải minh chứng tự chấm."))
    if upload is None:
        raise ValidationError({"file": _("Hãy chọn tệp minh chứng.")})
    ext = PurePath(upload.name).suffix.lower().lstrip(".")
    allowed = settings.SCORING_EVIDENCE_EXTENSIONS
    if ext not in allowed:
        raise ValidationError(
            {
                "file": _("Loại tệp không được nhận. Chỉ nhận: %(ext)s.")
                % {"ext": ", ".join(allowed)}
            }
        )
    limit = settings.SCORING_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": uploads.limit_message(uploads.Limit(limit, upload=True))})
    # By content, not by name: a page or a program renamed to .pdf is not evidence.
    if not filetypes.content_matches_extension(upload, ext):
        raise ValidationError(
            {
                "file": _(
                    "Nội dung tệp không phải là tệp .%(ext)s thật (tệp bị đổi tên?). "
                    "Hãy tải lên tệp gốc."
                )
                % {"ext": ext}
            }
        )
    table = criteria_table_for_bloc_year(bloc_year=sheet.bloc_year)
    if table is None or criterion.table_id != table.pk:
        raise ValidationError({"file": _("Tiêu chí không thuộc bảng chấm điểm của khối.")})
    if sheet.self_submitted_at is not None:
        raise ValidationError({"file": _("Phiếu tự chấm đã nộp nên không thể thêm minh chứng.")})
    cycle.bloc_year_require(
        bloc_year=sheet.bloc_year,
        allowed=[BlocYear.Status.SCORING],
        work=_("tải minh chứng"),
        field="file",
    )
    state = ScoringYear.objects.filter(bloc_year=sheet.bloc_year).first()
    if state is not None and state.locked:
        raise ValidationError({"file": _("Điểm của năm thi đua này đã khóa.")})
    value, _created = ScoreValue.objects.get_or_create(
        sheet=sheet,
        criterion=criterion,
        stage=Stage.SELF,
        # Version 0: no points saved yet, so a grid opened before still saves without conflict.
        defaults={
            "updated_at": timezone.now(),
            "updated_by": actor,
            "updated_by_username": actor_username(actor),
            "version": 0,
        },
    )
    name = PurePath(upload.name).name[:200]
    evidence = Evidence(
        score_value=value,
        original_name=name,
        size=upload.size,
        uploaded_by=actor,
        uploaded_by_username=actor_username(actor),
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit_event_record(
        actor=actor,
        action="evidence_add",
        target=evidence,
        data={"name": name, "size": upload.size},
    )
    return evidence


@transaction.atomic
def cross_assignment_set(
    *, bloc_year: BlocYear, pairs: list[tuple[int, int]], actor: Any
) -> list[CrossAssignment]:
    """Replace the bloc-year's cross-scoring assignments with (scorer, target) unit pairs."""
    cycle.bloc_year_require(
        bloc_year=bloc_year,
        allowed=[*cycle.BEFORE_SCORING, BlocYear.Status.SCORING],
        work=_("phân công chấm chéo"),
    )
    members = set(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))
    for scorer, target in pairs:
        if scorer == target:
            raise ValidationError(_("Đơn vị không được chấm chéo chính mình."))
        if scorer not in members or target not in members:
            raise ValidationError(_("Đơn vị chấm và đơn vị được chấm phải là thành viên của khối."))
    CrossAssignment.objects.filter(bloc_year=bloc_year).delete()
    created = CrossAssignment.objects.bulk_create(
        CrossAssignment(bloc_year=bloc_year, scorer_id=s, target_id=t) for s, t in set(pairs)
    )
    audit_event_record(
        actor=actor, action="cross_assignment_set", target=bloc_year, data={"pairs": pairs}
    )
    return created
