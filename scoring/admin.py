from django.contrib import admin

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


class CriterionGroupInline(admin.TabularInline):
    model = CriterionGroup
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "group", "code", "name", "kind", "max_points", "evidence_required"]


@admin.register(CriteriaTable)
class CriteriaTableAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "year", "bloc_year", "bonus_cap", "penalty_cap"]
    list_filter = ["province", "year"]
    search_fields = ["name"]
    inlines = [CriterionGroupInline, CriterionInline]
    raw_id_fields = ["bloc_year", "copied_from"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(admin.ModelAdmin):
    list_display = ["unit", "bloc_year", "self_submitted_at", "cross_submitted_at"]
    list_filter = ["bloc_year__bloc__province", "bloc_year__year"]
    search_fields = ["unit__name"]
    raw_id_fields = ["bloc_year", "unit"]


@admin.register(ScoreValue)
class ScoreValueAdmin(admin.ModelAdmin):
    """Read-only: values change through the grid so that history and versions stay right."""

    list_display = ["sheet", "criterion", "stage", "value", "version", "updated_by", "updated_at"]
    list_filter = ["stage"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["score_value", "stage", "old_value", "new_value", "changed_by", "changed_at"]
    list_filter = ["stage"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CrossAssignment)
class CrossAssignmentAdmin(admin.ModelAdmin):
    list_display = ["bloc_year", "scorer", "target"]
    raw_id_fields = ["bloc_year", "scorer", "target"]


@admin.register(ScoringYear)
class ScoringYearAdmin(admin.ModelAdmin):
    list_display = ["bloc_year", "locked_at", "locked_by"]
    readonly_fields = ["locked_at", "locked_by"]


@admin.register(ScoringYearEvent)
class ScoringYearEventAdmin(admin.ModelAdmin):
    list_display = ["scoring_year", "action", "actor", "at", "reason"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "score_value", "size", "uploaded_by", "uploaded_at"]
