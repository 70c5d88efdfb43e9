from django.contrib import admin

from .models import RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "province", "year", "is_example", "pledge_signing_after_deadline"]
    list_filter = ["province", "is_example"]
