from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "board_name", "authority_name"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "province", "active"]
    list_filter = ["province", "active"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "province", "successor", "active"]
    list_filter = ["province", "active"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["successor"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(BlocYear)
class BlocYearAdmin(admin.ModelAdmin):
    list_display = ["bloc", "year", "status"]
    list_filter = ["status", "bloc__province", "year"]
    search_fields = ["bloc__name"]
    inlines = [MembershipInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "bloc_year", "unit", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__last_name"]
    autocomplete_fields = ["user", "unit"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KhoiUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
