"""The score grid's read model: the bloc-year of a grid page and everything the page shows,
read from the database on every load (DESIGN.md §7: simplicity beats microseconds).

No cache: a save, an admin edit or an ORM write shows on the next load in every process.
A constant number of queries whatever the number of units and criteria. The view and the
selectors import this module; it imports neither."""

from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership

from . import permissions as perms
from .models import Criterion, ScoreSheet, ScoreValue, ScoringYear, Stage
from .services import criteria_table_for_bloc_year, totals_payload
from .totals import fmt, sheet_totals


class GridCriterion(NamedTuple):
    """A criterion as the grid and scoring.totals need it (no model instance per row)."""

    pk: int
    code: str
    name: str
    kind: str
    max_points: Decimal
    group_code: str
    group_name: str


def grid_bloc_year_get(*, user: Any, bloc_year_id: Any, stage: str) -> BlocYear:
    """The bloc-year of a grid page with its bloc and scoring state (1 query), checked
    with the grid's own rule."""
    try:
        bloc_year = (
            BlocYear.objects.select_related("bloc", "scoring").filter(pk=int(bloc_year_id)).first()
        )
    except (ValueError, TypeError, OverflowError):
        bloc_year = None
    if bloc_year is None:
        raise Http404(_("Không tìm thấy năm thi đua của khối."))
    if not perms.can_view_grid(user, bloc_year, stage):
        raise PermissionDenied(_("Bạn không có quyền mở bảng nhập điểm bước này."))
    return bloc_year


def _state(bloc_year: BlocYear) -> ScoringYear | None:
    try:
        return bloc_year.scoring
    except ScoringYear.DoesNotExist:
        return None


def grid_data(*, user: Any, bloc_year: BlocYear, stage: str) -> dict:
    """The grid of one stage as the page needs it: the table, the lock, and `grid` (the
    data for the page's JavaScript: criteria, and the rows this user may see with their
    edit rights). Queries: the table, its criteria, the members, their sheets, the values."""
    if not perms.can_view_grid(user, bloc_year, stage):
        raise PermissionDenied(_("Bạn không có quyền mở bảng nhập điểm bước này."))
    state = _state(bloc_year)
    locked = bool(state is not None and state.locked_at)
    table = criteria_table_for_bloc_year(bloc_year=bloc_year)
    if table is None:
        return {"table": None, "locked": locked, "any_editable": False, "grid": None}
    criteria = [
        GridCriterion(*row)
        for row in Criterion.objects.filter(table=table)
        .order_by("position", "id")
        .values_list("id", "code", "name", "kind", "max_points", "group__code", "group__name")
    ]
    members = list(
        Membership.objects.filter(bloc_year=bloc_year)
        .order_by("unit__name")
        .values_list("unit_id", "unit__name")
    )
    visible = set(perms.visible_unit_ids_in_grid(user, bloc_year, [u for u, _n in members]))
    sheets = {
        unit_id: (sheet_id, self_at, cross_at)
        for unit_id, sheet_id, self_at, cross_at in ScoreSheet.objects.filter(
            bloc_year=bloc_year, unit_id__in=visible
        ).values_list("unit_id", "id", "self_submitted_at", "cross_submitted_at")
    }
    cells: dict[int, dict[int, tuple]] = {}
    for sheet_id, criterion_id, value, version, has_comment in (
        ScoreValue.objects.filter(
            stage=stage, sheet__bloc_year=bloc_year, sheet__unit_id__in=visible
        )
        .annotate(has_comment=~Q(comment=""))
        .values_list("sheet_id", "criterion_id", "value", "version", "has_comment")
    ):
        cells.setdefault(sheet_id, {})[criterion_id] = (value, version, has_comment)
    # Values are entered only in the year's scoring step (blocs.cycle).
    editor = perms.stage_editor(
        user, bloc_year, stage, locked or bloc_year.status != BlocYear.Status.SCORING
    )
    submitted_index = {Stage.SELF: 1, Stage.CROSS: 2}.get(stage)
    empty = (None, 0, False)
    rows = []
    for unit_id, name in members:
        if unit_id not in visible:
            continue
        sheet = sheets.get(unit_id)
        submitted = bool(sheet and submitted_index and sheet[submitted_index])
        own = cells.get(sheet[0], {}) if sheet else {}
        row_cells = [own.get(c.pk, empty) for c in criteria]
        totals = sheet_totals(
            criteria=criteria,
            values={c.pk: cell[0] for c, cell in zip(criteria, row_cells, strict=True)},
            bonus_cap=table.bonus_cap,
            penalty_cap=table.penalty_cap,
        )
        rows.append(
            {
                "editable": editor(unit_id, submitted),
                "unit": unit_id,
                "name": name,
                "sheet": sheet[0] if sheet else None,
                "submitted": submitted,
                "cells": [[fmt(v), version, 1 if note else 0] for v, version, note in row_cells],
                "totals": totals_payload(totals),
            }
        )
    grid = {
        "locked": locked,
        "stage": stage,
        "bonusCap": str(table.bonus_cap),
        "penaltyCap": str(table.penalty_cap),
        "criteria": [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "max": str(c.max_points),
                "group": c.group_code,
                "groupName": c.group_name,
            }
            for c in criteria
        ],
        "rows": rows,
    }
    return {
        "table": table,
        "locked": locked,
        "any_editable": any(r["editable"] for r in rows),
        "grid": grid,
    }
