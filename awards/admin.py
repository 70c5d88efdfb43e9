from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import LabelledChoicesMixin, ServiceAdmin

from .models import AwardRule, AwardType, ClassificationRecord


class _AwardLabels(LabelledChoicesMixin):
    """Award types are labelled with their province: their pickers load it (one query)."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model is AwardType:
            field.queryset = queryset.select_related("province")
        return field


@admin.register(AwardType)
class AwardTypeAdmin(_AwardLabels, admin.ModelAdmin):
    list_display = ["name", "province", "level", "kind", "order", "active"]
    list_filter = ["province", "level", "kind", "active"]
    search_fields = ["name", "province__name"]
    list_select_related = ["province"]


@admin.register(AwardRule)
class AwardRuleAdmin(_AwardLabels, ServiceAdmin):
    list_display = [
        "award_type",
        "rule_set",
        "required_classification",
        "max_rank",
        "consecutive_years",
        "ceiling_percent",
        "exclusive_group",
    ]
    list_filter = ["rule_set__is_example", "award_type__province"]
    search_fields = ["award_type__name", "rule_set__name", "award_type__province__name"]
    list_select_related = ["award_type__province", "rule_set"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from .services import RULE_FIELDS, award_rule_set

        rule = award_rule_set(
            rule_set=obj.rule_set,
            award_type=obj.award_type,
            actor=request.user,
            **{name: getattr(obj, name) for name in RULE_FIELDS},
        )
        obj.pk = rule.pk


@admin.register(ClassificationRecord)
class ClassificationRecordAdmin(_AwardLabels, ServiceAdmin):
    list_display = ["unit", "year", "classification", "source", "recorded_by_username"]
    list_filter = ["year", "classification"]
    search_fields = ["unit__name", "unit__province__name", "source"]
    list_select_related = ["unit__province"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["recorded_by", "recorded_by_username", "recorded_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from .services import classification_record_set

        record = classification_record_set(
            unit=obj.unit,
            year=obj.year,
            classification=obj.classification,
            source=obj.source,
            actor=request.user,
        )
        obj.pk = record.pk
