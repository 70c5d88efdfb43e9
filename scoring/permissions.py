"""Who may do what in scoring. Built on core.permissions.user_scopes; deny by default.

- self stage (tự chấm): staff and leader of the unit edit their own sheet until the leader
  submits it; only the leader submits;
- cross stage (chấm chéo): the bloc-year's secretariat, administrators, and units assigned
  to cross-score a unit; never anyone of the scored unit itself; closing it (submitting)
  is for the secretariat, administrators and the leaders of an assigned unit only;
- verified stage (thẩm định): the board of the province and administrators; verifying
  locks the bloc-year; re-opening needs a reason;
- read: the bloc-year's managers (secretariat, board, admin) read every sheet; a unit's
  people read their own sheet and the sheets they cross-score; the scoreboard is for
  everyone who sees the bloc."""

from collections.abc import Callable
from typing import Any

from blocs.models import BlocYear
from core.permissions import can_manage_bloc_year, can_view_bloc, user_scopes

from .models import CrossAssignment, ScoreSheet, Stage


def cross_target_unit_ids(user: Any, bloc_year: BlocYear) -> frozenset[int]:
    """Units this user's own units are assigned to cross-score in the bloc-year (1 query,
    cached on the user per bloc-year)."""
    s = user_scopes(user)
    if not s.unit_ids:
        return frozenset()
    cache = user.__dict__.setdefault("_kt_cross_targets", {})
    if bloc_year.pk not in cache:
        cache[bloc_year.pk] = (
            frozenset(
                CrossAssignment.objects.filter(
                    bloc_year=bloc_year, scorer_id__in=s.unit_ids
                ).values_list("target_id", flat=True)
            )
            - s.unit_ids
        )
    return cache[bloc_year.pk]


def can_view_scoreboard(user: Any, bloc_year: BlocYear) -> bool:
    return can_view_bloc(user, bloc_year.bloc)


def can_manage_scoring(user: Any, bloc_year: BlocYear) -> bool:
    """Set up the table, see every sheet, the progress view and the exports."""
    return can_manage_bloc_year(user, bloc_year)


def can_verify(user: Any, bloc_year: BlocYear) -> bool:
    s = user_scopes(user)
    return s.is_admin or bloc_year.bloc.province_id in s.board_province_ids


def can_view_sheet(user: Any, sheet: ScoreSheet) -> bool:
    s = user_scopes(user)
    return (
        can_manage_bloc_year(user, sheet.bloc_year)
        or sheet.unit_id in s.unit_ids
        or sheet.unit_id in cross_target_unit_ids(user, sheet.bloc_year)
    )


def can_view_grid(user: Any, bloc_year: BlocYear, stage: str) -> bool:
    if can_manage_bloc_year(user, bloc_year):
        return True
    return stage == Stage.CROSS and bool(cross_target_unit_ids(user, bloc_year))


def visible_unit_ids_in_grid(user: Any, bloc_year: BlocYear, unit_ids: list[int]) -> list[int]:
    if can_manage_bloc_year(user, bloc_year):
        return unit_ids
    targets = cross_target_unit_ids(user, bloc_year)
    return [u for u in unit_ids if u in targets]


def stage_editor(
    user: Any, bloc_year: BlocYear, stage: str, locked: bool
) -> Callable[[int, bool], bool]:
    """`editable(unit_id, submitted)` for one user, bloc-year and stage: the rights are read
    once (the grid asks for every row)."""
    if locked:
        return lambda unit_id, submitted: False
    s = user_scopes(user)
    own = s.unit_ids
    if stage == Stage.SELF:
        return lambda unit_id, submitted: not submitted and (unit_id in own or s.is_admin)
    if stage == Stage.CROSS:
        everyone = s.is_admin or bloc_year.pk in s.secretariat_bloc_year_ids
        targets = frozenset() if everyone else cross_target_unit_ids(user, bloc_year)
        # Nobody cross-scores their own unit, whatever else they are.
        return lambda unit_id, submitted: (
            not submitted and unit_id not in own and (everyone or unit_id in targets)
        )
    if stage == Stage.VERIFIED:
        verifier = can_verify(user, bloc_year)
        return lambda unit_id, submitted: verifier and unit_id not in own
    return lambda unit_id, submitted: False


def can_edit_stage(
    user: Any, bloc_year: BlocYear, unit_id: int, stage: str, submitted: bool, locked: bool
) -> bool:
    """May `user` change values of `unit_id`'s sheet at `stage`?"""
    return stage_editor(user, bloc_year, stage, locked)(unit_id, submitted)


def can_submit_stage(user: Any, sheet: ScoreSheet, stage: str) -> bool:
    """Self stage: a leader of the unit. Cross stage (closing it): the bloc-year's
    secretariat, an administrator, or a leader of a unit the bloc assigns to cross-score
    this unit; never staff (they prepare, the leader signs for the unit), never someone of
    the scored unit itself."""
    s = user_scopes(user)
    if stage == Stage.SELF:
        return sheet.unit_id in s.leader_unit_ids
    if stage == Stage.CROSS:
        if sheet.unit_id in s.unit_ids:
            return False
        if s.is_admin or sheet.bloc_year_id in s.secretariat_bloc_year_ids:
            return True
        return (
            bool(s.leader_unit_ids)
            and CrossAssignment.objects.filter(
                bloc_year_id=sheet.bloc_year_id,
                target_id=sheet.unit_id,
                scorer_id__in=s.leader_unit_ids,
            ).exists()
        )
    return False


def can_upload_evidence(user: Any, sheet: ScoreSheet) -> bool:
    s = user_scopes(user)
    return sheet.unit_id in s.unit_ids


def can_request_scoreboard_pdf(user: Any, bloc_year: BlocYear) -> bool:
    return can_manage_bloc_year(user, bloc_year)
