from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import LabelledChoicesMixin, SealedAdmin, SealedInline, ServiceAdmin

from .models import (
    AwardProposal,
    AwardRule,
    AwardType,
    ClassificationRecord,
    ItemDecision,
    ProposalEvent,
    ProposalItem,
    ProposalVersion,
)


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


# Proposals are written by their services only (awards.services): the admin reads them.
PROPOSAL_HINT = _(
    "Tờ trình do thư ký khối lập và gửi; Ban Thi đua - Khen thưởng xét trên trang đề nghị "
    "khen thưởng. Phiên bản đã gửi, quyết định và lịch sử không sửa được."
)


class ProposalVersionInline(SealedInline):
    model = ProposalVersion
    fields = ["number", "status", "submitted_at", "submitted_by_username", "sha256"]
    readonly_fields = fields


@admin.register(AwardProposal)
class AwardProposalAdmin(SealedAdmin):
    sealed_hint = PROPOSAL_HINT
    list_display = ["award_type", "bloc_year", "created_at", "created_by_username"]
    list_filter = ["award_type__province", "bloc_year__year"]
    search_fields = ["award_type__name", "bloc_year__bloc__name", "bloc_year__bloc__province__name"]
    list_select_related = ["award_type__province", "bloc_year__bloc__province"]
    readonly_fields = ["bloc_year", "award_type", "created_at", "created_by", "created_by_username"]
    inlines = [ProposalVersionInline]


@admin.register(ProposalVersion)
class ProposalVersionAdmin(SealedAdmin):
    sealed_hint = PROPOSAL_HINT
    list_display = ["proposal", "number", "status", "submitted_at", "sha256"]
    list_filter = ["status"]
    search_fields = ["proposal__award_type__name", "proposal__bloc_year__bloc__name", "sha256"]
    list_select_related = ["proposal__award_type__province", "proposal__bloc_year__bloc__province"]
    readonly_fields = [
        "proposal",
        "number",
        "status",
        "note",
        "created_at",
        "submitted_at",
        "submitted_by",
        "submitted_by_username",
        "snapshot",
        "sha256",
    ]


@admin.register(ProposalItem)
class ProposalItemAdmin(SealedAdmin):
    sealed_hint = PROPOSAL_HINT
    list_display = ["unit", "version", "source", "removed_at", "sha256"]
    list_filter = ["source"]
    search_fields = ["unit__name", "version__proposal__award_type__name"]
    list_select_related = [
        "unit__province",
        "version__proposal__award_type__province",
        "version__proposal__bloc_year__bloc__province",
    ]
    readonly_fields = [
        "version",
        "unit",
        "order",
        "source",
        "carried_from",
        "removed_at",
        "removed_reason",
        "report_file",
        "report_name",
        "report_size",
        "report_sha256",
        "report_form",
        "snapshot",
        "sha256",
    ]


@admin.register(ItemDecision)
class ItemDecisionAdmin(SealedAdmin):
    sealed_hint = PROPOSAL_HINT
    list_display = [
        "item",
        "stage",
        "outcome",
        "reject_reason",
        "decided_at",
        "decided_by_username",
    ]
    list_filter = ["stage", "outcome", "reject_reason"]
    search_fields = ["item__unit__name", "decision_number"]
    list_select_related = [
        "item__unit__province",
        "item__version__proposal__award_type__province",
        "item__version__proposal__bloc_year__bloc__province",
    ]
    readonly_fields = [
        "item",
        "stage",
        "outcome",
        "reject_reason",
        "reason",
        "decision_number",
        "decision_date",
        "signer",
        "carried_from",
        "decided_at",
        "decided_by",
        "decided_by_username",
    ]


@admin.register(ProposalEvent)
class ProposalEventAdmin(SealedAdmin):
    sealed_hint = PROPOSAL_HINT
    list_display = ["at", "proposal", "action", "from_status", "to_status", "actor_username"]
    list_filter = ["action"]
    search_fields = ["actor_username", "proposal__award_type__name", "reason"]
    list_select_related = ["proposal__award_type__province", "proposal__bloc_year__bloc__province"]
    readonly_fields = [
        "proposal",
        "version",
        "item",
        "action",
        "from_status",
        "to_status",
        "reason",
        "at",
        "actor",
        "actor_username",
    ]
