"""Scoring in the admin. Scores, submissions, evidence, history, cross assignments and the
lock change only through the product's pages and services (with their checks, reasons and
trail); here they are read-only for everyone, superusers included. A locked year is
re-opened by the province's board on its scoreboard page, with a reason."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin import SealedAdmin, SealedInline

from .models import (
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
)
from .services import table_has_scores


class CriterionGroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "group", "code", "name", "kind", "max_points", "evidence_required"]


@admin.register(CriteriaTable)
class CriteriaTableAdmin(admin.ModelAdmin):
    """A table may be corrected here until the first score is saved; after that its maxima
    are part of what the scores mean."""

    list_display = ["name", "province", "year", "bloc_year", "bonus_cap", "penalty_cap"]
    list_filter = ["province", "year"]
    search_fields = ["name", "province__name"]
    list_select_related = ["province", "bloc_year__bloc__province"]
    inlines = [CriterionGroupInline, CriterionInline]
    raw_id_fields = ["bloc_year", "copied_from"]
    readonly_fields = ["created_by_username", "created_at"]

    def _open(self, obj: CriteriaTable | None) -> bool:
        return obj is None or not table_has_scores(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it would not check each table for scores
        return actions


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SealedAdmin):
    list_display = [
        "unit",
        "bloc_year",
        "self_submitted_at",
        "self_submitted_by_username",
        "cross_submitted_at",
        "cross_submitted_by_username",
    ]
    list_filter = ["bloc_year__bloc__province", "bloc_year__year"]
    # Labels and searches name the province: every province has a "Sở Công Thương".
    search_fields = ["unit__name", "unit__province__name", "bloc_year__bloc__name"]
    list_select_related = ["unit__province", "bloc_year__bloc__province"]


@admin.register(ScoreValue)
class ScoreValueAdmin(SealedAdmin):
    list_display = [
        "sheet",
        "criterion",
        "stage",
        "value",
        "version",
        "updated_by_username",
        "updated_at",
    ]
    list_filter = ["stage"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(SealedAdmin):
    list_display = [
        "score_value",
        "stage",
        "old_value",
        "new_value",
        "changed_by_username",
        "changed_at",
    ]
    list_filter = ["stage"]


@admin.register(CrossAssignment)
class CrossAssignmentAdmin(SealedAdmin):
    """Set on the bloc-year's assignments page (audited), never here."""

    list_display = ["bloc_year", "scorer", "target"]
    list_select_related = ["bloc_year__bloc__province", "scorer__province", "target__province"]


class ScoringYearEventInline(SealedInline):
    model = ScoringYearEvent
    fields = ["action", "reason", "actor_username", "at"]
    readonly_fields = fields


@admin.register(ScoringYear)
class ScoringYearAdmin(SealedAdmin):
    sealed_hint = gettext_lazy(
        "Điểm đã khóa chỉ được mở lại bởi Ban Thi đua - Khen thưởng của tỉnh, trên trang "
        "tổng hợp điểm, với lý do được ghi nhận."
    )
    list_display = ["bloc_year", "locked_at", "locked_by_username"]
    list_select_related = ["bloc_year__bloc__province"]
    fields = ["bloc_year", "locked_at", "locked_by", "locked_by_username", "reopen"]
    readonly_fields = fields
    inlines = [ScoringYearEventInline]

    @admin.display(description=gettext_lazy("mở lại điểm đã khóa"))
    def reopen(self, obj: ScoringYear) -> str:
        if not obj.locked:
            return _("Chưa khóa.")
        return format_html(
            '{} <a href="{}">{}</a>',
            _(
                "Chỉ Ban Thi đua - Khen thưởng của tỉnh mở lại, với lý do được ghi nhận, "
                "trên trang tổng hợp điểm:"
            ),
            reverse("scoring:scoreboard", args=[obj.bloc_year_id]),
            _("mở trang tổng hợp điểm"),
        )


@admin.register(ScoringYearEvent)
class ScoringYearEventAdmin(SealedAdmin):
    list_display = ["scoring_year", "action", "actor_username", "at", "reason"]


@admin.register(Evidence)
class EvidenceAdmin(SealedAdmin):
    """Evidence of a score: added on the sheet, kept as it was submitted and verified."""

    list_display = ["original_name", "score_value", "size", "uploaded_by_username", "uploaded_at"]
