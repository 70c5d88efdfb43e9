"""Admin building blocks shared by the apps, the audit trail, and user accounts.

Two rules hold for everyone, superusers included (DESIGN.md §7 "Trust"):
- sealed facts are shown, never added, changed or deleted here (SealedAdmin);
- registry writes go through the same services as the product (ServiceAdmin), so they are
  validated once and audited; a service's ValidationError is shown on the form."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blocs import services as blocs_services
from blocs.models import RoleAssignment

from . import services
from .models import AuditEvent
from .names import person_name


class SealedAdmin(admin.ModelAdmin):
    """Read-only: the rows are facts the product sealed (signatures, locks, history). An
    attempt to add, change or delete one anyway (a crafted URL or POST) is answered 403 with
    the reason in Vietnamese."""

    sealed_hint = ""

    def sealed_refusal(self) -> PermissionDenied:
        message = _(
            "“%(name)s” là dữ kiện đã niêm phong: không ai thêm, sửa hay xóa được, kể cả "
            "quản trị hệ thống."
        ) % {"name": self.opts.verbose_name}
        return PermissionDenied(f"{message} {self.sealed_hint}".strip())

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if object_id is None or request.method == "POST":
            raise self.sealed_refusal()
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        raise self.sealed_refusal()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SealedInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance stand for the row a service saved (the admin then
    logs and redirects with it)."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db


def _add_service_error(form: Any, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        messages_ = ValidationError(errors).messages
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, messages_)


# What the choice labels (the models' __str__) read: look-alike units and blocs of different
# provinces are told apart by the province, bloc-years also by the year. One query per picker.
LABEL_RELATED = {
    "blocs.unit": ["province"],
    "blocs.bloc": ["province"],
    "blocs.blocyear": ["bloc__province"],
    "meetings.meeting": ["bloc_year__bloc__province"],
}


class LabelledChoicesMixin:
    """Foreign-key pickers (selects and autocompletes) load what their labels name."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = getattr(field, "queryset", None)
        related = queryset is not None and LABEL_RELATED.get(queryset.model._meta.label_lower)
        if related:
            field.queryset = queryset.select_related(*related)
        return field


class ServiceAdmin(LabelledChoicesMixin, admin.ModelAdmin):
    """save_model / save_related / delete_model call the services; bulk delete, which would
    bypass them, is not offered. A ValidationError from a service rolls the whole request
    back (the admin runs it in one transaction) and the form is shown again with the
    service's message, next to its field when the form has it."""

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form_class

        class WithServiceError(form_class):
            def clean(self) -> dict:
                cleaned = super().clean()
                _add_service_error(self, error)
                return cleaned

        WithServiceError.__name__ = form_class.__name__
        return WithServiceError

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            if request.method != "POST" or getattr(request, "_service_error", None):
                raise
            # Nothing was saved (rolled back); validate the same data again, now with the
            # service's verdict, so that the admin renders the form with its errors.
            request._service_error = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    @staticmethod
    def done_with_formsets(formsets: list) -> None:
        """The services saved the inline rows; tell the admin's change message so."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(AuditEvent)
class AuditEventAdmin(SealedAdmin):
    list_display = ["at", "actor_username", "action", "target_type", "target_id"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_username", "action", "target_id"]
    readonly_fields = [
        "at",
        "actor",
        "actor_username",
        "action",
        "target_type",
        "target_id",
        "data",
    ]


# --- user accounts ---------------------------------------------------------------------------


class RoleAssignmentInline(LabelledChoicesMixin, admin.TabularInline):
    """Roles are granted and revoked through blocs.services (audited); a granted role is not
    edited in place: revoke it and grant the new one."""

    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["unit"]
    fields = ["role", "province", "bloc_year", "unit", "created_at"]
    readonly_fields = ["created_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KhoiUserAdmin(ServiceAdmin, UserAdmin):
    """A user with history is deactivated, never deleted: deleting would remove or blank the
    record of who did what (the foreign keys are PROTECT anyway)."""

    inlines = [RoleAssignmentInline]
    actions = ["deactivate_selected"]
    # Vietnamese order: Họ (last_name) before Tên (first_name); the list shows the full name.
    fieldsets = (
        UserAdmin.fieldsets[0],
        (UserAdmin.fieldsets[1][0], {"fields": ("last_name", "first_name", "email")}),
        *UserAdmin.fieldsets[2:],
    )
    list_display = ["username", "full_name", "email", "is_staff", "is_active"]

    @admin.display(description=gettext_lazy("Họ và tên"))
    def full_name(self, obj: Any) -> str:
        return person_name(obj)

    @admin.action(description=gettext_lazy("Khóa các tài khoản đã chọn (giữ nguyên lịch sử)"))
    def deactivate_selected(self, request: HttpRequest, queryset) -> None:
        done = 0
        for user in queryset:
            try:
                services.user_deactivate(user=user, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("Đã khóa %(n)s tài khoản; lịch sử của các tài khoản được giữ nguyên.")
                % {"n": done},
                messages.SUCCESS,
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        user = self.get_object(request, object_id)
        if user is not None and services.user_has_history(user=user):
            hint = _("Dùng thao tác “%(action)s” ở danh sách người dùng.") % {
                "action": self.deactivate_selected.short_description
            }
            self.message_user(
                request, f"{services.user_history_message(user)} {hint}", messages.ERROR
            )
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[user.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.user_delete(user=obj, actor=request.user)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        for row in formset.forms:
            data = getattr(row, "cleaned_data", None)
            if not data:
                continue
            if data.get("DELETE"):
                if row.instance.pk is not None:
                    blocs_services.role_revoke(assignment=row.instance, actor=request.user)
            elif row.instance.pk is None:
                blocs_services.role_assign(
                    user=form.instance,
                    role=data["role"],
                    province=data.get("province"),
                    bloc_year=data.get("bloc_year"),
                    unit=data.get("unit"),
                    actor=request.user,
                )
        self.done_with_formsets([formset])
