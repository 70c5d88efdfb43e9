"""Read-only admin: pledges change only through the services (and the database refuses
changes to frozen versions anyway)."""

from django.contrib import admin

from .models import Commitment, Pledge, PledgeVersion, Reminder, Signature, UnitTarget


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["bloc_year", "created_at", "created_by"]
    list_select_related = ["bloc_year__bloc", "created_by"]


@admin.register(PledgeVersion)
class PledgeVersionAdmin(ReadOnlyAdmin):
    list_display = ["pledge", "number", "status", "deadline", "verification_code", "created_at"]
    list_filter = ["status"]
    list_select_related = ["pledge__bloc_year__bloc"]
    inlines = [CommitmentInline]


@admin.register(UnitTarget)
class UnitTargetAdmin(ReadOnlyAdmin):
    list_display = ["version", "unit", "position", "description", "target_value", "unit_of_measure"]
    list_select_related = ["version__pledge__bloc_year__bloc", "unit"]


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = [
        "version",
        "unit_name",
        "signer_name",
        "signed_at",
        "ip_address",
        "content_hash",
    ]
    list_select_related = ["version__pledge__bloc_year__bloc"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["version", "unit", "email", "sent_on", "sent_at"]
    list_select_related = ["version__pledge__bloc_year__bloc", "unit"]
