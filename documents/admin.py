from django.contrib import admin

from .models import DocumentJob, DocumentJobEvent


class DocumentJobEventInline(admin.TabularInline):
    model = DocumentJobEvent
    extra = 0
    readonly_fields = ["at", "status", "message"]
    can_delete = False


@admin.register(DocumentJob)
class DocumentJobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "bloc_year", "status", "requested_by", "created_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in DocumentJob._meta.fields]
    inlines = [DocumentJobEventInline]

    def has_add_permission(self, request) -> bool:
        return False
