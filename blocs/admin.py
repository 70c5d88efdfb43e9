"""The registry in the admin: every write goes through blocs.services, like the product's,
so it is validated once and audited; the service's message is shown on the form."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core.admin import LabelledChoicesMixin, ServiceAdmin, adopt
from core.text import vn_slugify

from . import services
from .models import Bloc, BlocYear, Membership, Province, RoleAssignment, Unit


class ProvinceForm(forms.ModelForm):
    """The code is made from the name when left empty, with the Vietnamese letters
    transliterated (the admin's own prepopulating script drops them: "tnh-th-nghim")."""

    class Meta:
        model = Province
        fields = ["name", "code", "board_name", "authority_name"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Free text, turned into the code in clean_code (the slug validator would refuse
        # "Đắk Lắk" before it could be transliterated).
        self.fields["code"] = forms.CharField(
            label=self.fields["code"].label,
            max_length=100,
            required=False,
            help_text=_("Để trống để tạo từ tên tỉnh, ví dụ “Tỉnh Thử Nghiệm” → tinh-thu-nghiem."),
        )

    def clean_code(self) -> str:
        typed = self.cleaned_data.get("code") or ""
        code = vn_slugify(typed or self.cleaned_data.get("name") or "", max_length=40)
        if not code:
            raise ValidationError(_("Hãy ghi mã gồm chữ không dấu, chữ số và dấu gạch ngang."))
        return code


@admin.register(Province)
class ProvinceAdmin(ServiceAdmin):
    form = ProvinceForm
    list_display = ["name", "code", "board_name", "authority_name"]
    search_fields = ["name", "code"]

    def save_model(self, request: HttpRequest, obj: Province, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {k: data[k] for k in ["name", "code", "board_name", "authority_name"]}
        if change:
            services.province_update(province=obj, actor=request.user, **values)
        else:
            adopt(obj, services.province_create(actor=request.user, **values))

    def delete_model(self, request: HttpRequest, obj: Province) -> None:
        services.province_delete(province=obj, actor=request.user)


@admin.register(Bloc)
class BlocAdmin(ServiceAdmin):
    list_display = ["name", "number", "province", "active"]
    list_filter = ["province", "active"]
    search_fields = ["name", "province__name"]

    def save_model(self, request: HttpRequest, obj: Bloc, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {k: data[k] for k in ["province", "name", "number", "active"]}
        if change:
            services.bloc_update(bloc=obj, actor=request.user, **values)
        else:
            adopt(obj, services.bloc_create(actor=request.user, **values))

    def delete_model(self, request: HttpRequest, obj: Bloc) -> None:
        services.bloc_delete(bloc=obj, actor=request.user)


@admin.register(Unit)
class UnitAdmin(ServiceAdmin):
    list_display = ["name", "short_name", "province", "successor", "active"]
    list_filter = ["province", "active"]
    # The autocomplete pickers of units search here too: "công thương quảng bình" finds it.
    search_fields = ["name", "short_name", "province__name"]
    autocomplete_fields = ["successor"]

    def get_queryset(self, request: HttpRequest):
        # Labels name the province (list, autocomplete results): one query, not one per row.
        return super().get_queryset(request).select_related("province", "successor__province")

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> list[str]:
        # A recorded succession is history: it is never rewritten.
        if obj is not None and obj.successor_id is not None:
            return ["successor", "succeeded_on"]
        return []

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        data = form.cleaned_data
        values = {k: data[k] for k in ["province", "name", "short_name", "active"]}
        successor, on = data.get("successor"), data.get("succeeded_on")
        if "successor" not in data:  # read-only: already succeeded
            successor = on = None
        elif successor is None and on is not None:
            raise ValidationError(
                {"succeeded_on": _("Chỉ nhập ngày kế thừa khi chọn đơn vị kế thừa.")}
            )
        elif successor is not None and on is None:
            raise ValidationError({"succeeded_on": _("Hãy nhập ngày kế thừa.")})
        if change:
            unit = services.unit_update(unit=obj, actor=request.user, **values)
        else:
            unit = services.unit_create(actor=request.user, **values)
            adopt(obj, unit)
        if successor is not None:
            services.unit_succeed(unit=unit, successor=successor, on=on, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: Unit) -> None:
        services.unit_delete(unit=obj, actor=request.user)


class MembershipFormSet(BaseInlineFormSet):
    """Turns the rows into what the services take (members, one head, one deputy); the
    services check the rest (same province, active units, ...)."""

    def clean(self) -> None:
        super().clean()
        rows = self.rows()
        for role, label in [
            (Membership.Role.HEAD, _("Trưởng khối")),
            (Membership.Role.DEPUTY, _("Phó khối")),
        ]:
            if sum(1 for r in rows if r.get("role") == role) > 1:
                raise ValidationError(_("Mỗi năm chỉ có một đơn vị %(role)s.") % {"role": label})
        units = [r["unit"].pk for r in rows if r.get("unit")]
        if len(units) != len(set(units)):
            raise ValidationError(_("Một đơn vị chỉ được thêm một lần trong năm."))

    def rows(self) -> list[dict]:
        return [
            f.cleaned_data
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE", False)
        ]


class MembershipInline(LabelledChoicesMixin, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(BlocYear)
class BlocYearAdmin(ServiceAdmin):
    list_display = ["bloc", "year", "status"]
    list_filter = ["status", "bloc__province", "year"]
    search_fields = ["bloc__name", "bloc__province__name", "=year"]
    list_select_related = ["bloc__province"]
    # The year's state machine is driven by the services of blocs/cycle.py only.
    readonly_fields = ["status"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request: HttpRequest, obj: BlocYear | None = None) -> list[str]:
        return ["status", "bloc", "year"] if obj is not None else ["status"]

    def save_model(self, request: HttpRequest, obj: BlocYear, form: Any, change: bool) -> None:
        """Saved with its members in save_related: the service needs both at once."""

    def save_related(self, request: HttpRequest, form: Any, formsets: list, change: bool) -> None:
        memberships = next(f for f in formsets if isinstance(f, MembershipFormSet))
        rows = memberships.rows()

        def unit_with(role: str) -> Unit | None:
            return next((r["unit"] for r in rows if r.get("role") == role), None)

        values = {
            "members": [r["unit"] for r in rows],
            "head": unit_with(Membership.Role.HEAD),
            "deputy": unit_with(Membership.Role.DEPUTY),
            "actor": request.user,
        }
        if change:
            services.bloc_year_update(bloc_year=form.instance, **values)
        else:
            bloc_year = services.bloc_year_create(
                bloc=form.cleaned_data["bloc"], year=form.cleaned_data["year"], **values
            )
            adopt(form.instance, bloc_year)
        self.done_with_formsets(formsets)

    def delete_model(self, request: HttpRequest, obj: BlocYear) -> None:
        services.bloc_year_delete(bloc_year=obj, actor=request.user)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ServiceAdmin):
    """Granted and revoked through the services; a granted role is not edited in place."""

    list_display = ["user", "role", "province", "bloc_year", "unit", "created_at"]
    list_filter = ["role"]
    search_fields = [
        "user__username",
        "user__last_name",
        "user__first_name",
        "province__name",
        "bloc_year__bloc__name",
        "bloc_year__bloc__province__name",
        "unit__name",
        "unit__province__name",
    ]
    list_select_related = ["user", "province", "bloc_year__bloc__province", "unit__province"]
    autocomplete_fields = ["user", "unit"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RoleAssignment, form: Any, change: bool):
        data = form.cleaned_data
        assignment = services.role_assign(
            user=data["user"],
            role=data["role"],
            province=data.get("province"),
            bloc_year=data.get("bloc_year"),
            unit=data.get("unit"),
            actor=request.user,
        )
        adopt(obj, assignment)

    def delete_model(self, request: HttpRequest, obj: RoleAssignment) -> None:
        services.role_revoke(assignment=obj, actor=request.user)
