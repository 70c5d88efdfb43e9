"""Read-only admin, for superusers too: pledges change only through the services (and the
database refuses changes to frozen versions and signatures anyway)."""

from django.contrib import admin

from core.admin import SealedAdmin, SealedInline

from .models import Commitment, Pledge, PledgeVersion, Reminder, Signature, UnitTarget


class CommitmentInline(SealedInline):
    model = Commitment


@admin.register(Pledge)
class PledgeAdmin(SealedAdmin):
    list_display = ["bloc_year", "created_at", "created_by_username"]
    list_select_related = ["bloc_year__bloc__province"]


@admin.register(PledgeVersion)
class PledgeVersionAdmin(SealedAdmin):
    list_display = [
        "pledge",
        "number",
        "status",
        "deadline",
        "verification_code",
        "created_at",
        "opened_by_username",
    ]
    list_filter = ["status"]
    list_select_related = ["pledge__bloc_year__bloc__province"]
    inlines = [CommitmentInline]


@admin.register(UnitTarget)
class UnitTargetAdmin(SealedAdmin):
    list_display = ["version", "unit", "position", "description", "target_value", "unit_of_measure"]
    list_select_related = ["version__pledge__bloc_year__bloc__province", "unit__province"]


@admin.register(Signature)
class SignatureAdmin(SealedAdmin):
    list_display = [
        "version",
        "unit_name",
        "signer_name",
        "signer_username",
        "signed_at",
        "ip_address",
        "content_hash",
    ]
    list_select_related = ["version__pledge__bloc_year__bloc__province"]


@admin.register(Reminder)
class ReminderAdmin(SealedAdmin):
    list_display = ["version", "unit", "email", "sent_on", "sent_at"]
    list_select_related = ["version__pledge__bloc_year__bloc__province", "unit__province"]
