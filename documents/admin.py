"""Document jobs are read-only for everyone: the worker writes them, and a job's stored
SHA-256 is what the verification page compares an uploaded PDF with."""

from django.contrib import admin

from core.admin import SealedAdmin, SealedInline

from .models import DocumentJob, DocumentJobEvent


class DocumentJobEventInline(SealedInline):
    model = DocumentJobEvent
    fields = ["at", "status", "message"]
    readonly_fields = fields


@admin.register(DocumentJob)
class DocumentJobAdmin(SealedAdmin):
    list_display = ["id", "kind", "bloc_year", "status", "requested_by", "created_at"]
    list_select_related = ["bloc_year__bloc__province", "requested_by"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in DocumentJob._meta.fields]
    inlines = [DocumentJobEventInline]
