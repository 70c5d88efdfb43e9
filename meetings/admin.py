from django.contrib import admin

from core.admin import LabelledChoicesMixin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(LabelledChoicesMixin, admin.ModelAdmin):
    list_display = ["bloc_year", "kind", "held_on", "host_unit"]
    list_filter = ["kind", "bloc_year__bloc__province"]
    search_fields = [
        "bloc_year__bloc__name",
        "bloc_year__bloc__province__name",
        "=bloc_year__year",
        "host_unit__name",
        "place",
    ]
    list_select_related = ["bloc_year__bloc__province", "host_unit__province"]
    autocomplete_fields = ["host_unit"]
