from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

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


class MembershipFormSet(BaseInlineFormSet):
    """One head and one deputy per year, checked across the rows being saved together (the
    database constraint alone would answer with an error page)."""

    def clean(self) -> None:
        super().clean()
        rows = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        for role, label in [
            (Membership.Role.HEAD, _("Trưởng khối")),
            (Membership.Role.DEPUTY, _("Phó khối")),
        ]:
            if sum(1 for r in rows if r.get("role") == role) > 1:
                raise ValidationError(_("Mỗi năm chỉ có một đơn vị %(role)s.") % {"role": label})
        units = [r["unit"].pk for r in rows if r.get("unit")]
        if len(units) != len(set(units)):
            raise ValidationError(_("Một đơn vị chỉ được thêm một lần trong năm."))
        bloc = getattr(self.instance, "bloc", None) if self.instance.bloc_id else None
        if bloc is not None and any(
            r["unit"].province_id != bloc.province_id for r in rows if r.get("unit")
        ):
            raise ValidationError(_("Đơn vị thành viên phải thuộc cùng tỉnh với khối."))


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(BlocYear)
class BlocYearAdmin(admin.ModelAdmin):
    list_display = ["bloc", "year", "status"]
    list_filter = ["status", "bloc__province", "year"]
    search_fields = ["bloc__name"]
    # The year's state machine is driven by the services of blocs/cycle.py only.
    readonly_fields = ["status"]
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
