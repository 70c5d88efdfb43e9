from django.contrib import admin

from .models import Meeting


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["bloc_year", "kind", "held_on", "host_unit"]
    list_filter = ["kind", "bloc_year__bloc__province"]
    autocomplete_fields = ["host_unit"]
