"""Admin of meetings, minutes and ballots.

A meeting may be corrected here until its attendance is frozen (a ballot opened); from
then on it is read-only like everything else below. Minutes and ballots change only through
their services (and the database refuses changes to sealed minutes and to ballots past
`created`), so their pages are read-only for everyone, superusers included.

StagedVote and Vote are deliberately NOT registered, and no page here shows a choice: the
ballot page shows the totals and who took part, never what a unit chose (DESIGN.md §8)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import LabelledChoicesMixin, SealedAdmin, SealedInline

from .models import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotCandidate,
    BallotEvent,
    BallotParticipation,
    Meeting,
    MeetingPerson,
    Minutes,
    MinutesAmendment,
    MinutesSection,
)


def _frozen(obj: Any) -> bool:
    meeting = obj if isinstance(obj, Meeting) else getattr(obj, "meeting", None)
    return meeting is not None and meeting.attendance_frozen_at is not None


class _UntilFrozenInline(LabelledChoicesMixin, admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class MeetingPersonInline(_UntilFrozenInline):
    model = MeetingPerson
    fields = ["role", "order", "name", "title", "unit", "user", "note"]
    autocomplete_fields = ["unit", "user"]


class AgendaItemInline(_UntilFrozenInline):
    model = AgendaItem


class AttendanceInline(_UntilFrozenInline):
    model = Attendance
    fields = [
        "unit",
        "status",
        "representative_name",
        "representative_title",
        "representative_user",
        "recorded_by_username",
    ]
    readonly_fields = ["recorded_by_username"]
    autocomplete_fields = ["unit", "representative_user"]


@admin.register(Meeting)
class MeetingAdmin(LabelledChoicesMixin, admin.ModelAdmin):
    list_display = ["bloc_year", "kind", "held_on", "host_unit", "attendance_frozen_at"]
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
    readonly_fields = [
        "attendance_frozen_at",
        "invitations_sent_at",
        "reminder_sent_at",
        "created_by_username",
        "created_at",
    ]
    exclude = ["created_by"]
    inlines = [MeetingPersonInline, AgendaItemInline, AttendanceInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _frozen(obj) and super().has_delete_permission(request, obj)


# --- minutes: through the services only ------------------------------------------------------


class MinutesSectionInline(SealedInline):
    model = MinutesSection
    fields = ["order", "title", "text"]


class MinutesAmendmentInline(SealedInline):
    model = MinutesAmendment
    fields = ["unit", "author_username", "text", "created_at", "resolution", "resolution_note"]
    readonly_fields = fields  # non-editable fields cannot be form fields, even read-only


@admin.register(Minutes)
class MinutesAdmin(SealedAdmin):
    sealed_hint = "Biên bản chỉ được soạn, góp ý, thông qua trên trang hội nghị."
    list_display = ["meeting", "version", "status", "sealed_at", "sha256"]
    list_filter = ["status"]
    list_select_related = ["meeting__bloc_year__bloc__province"]
    search_fields = ["meeting__bloc_year__bloc__name", "meeting__bloc_year__bloc__province__name"]
    exclude = ["content"]
    inlines = [MinutesSectionInline, MinutesAmendmentInline]


# --- ballots: read-only; no vote and no staged vote is ever shown ------------------------------


class BallotCandidateInline(SealedInline):
    model = BallotCandidate
    fields = [
        "position",
        "order",
        "unit",
        "yes_count",
        "no_count",
        "blank_count",
        "passed",
        "elected",
    ]


class BallotParticipationInline(SealedInline):
    model = BallotParticipation
    fields = ["unit", "voted_method"]


class BallotEventInline(SealedInline):
    model = BallotEvent
    fields = ["at", "action", "actor_username", "note"]
    readonly_fields = fields  # non-editable fields cannot be form fields, even read-only


@admin.register(Ballot)
class BallotAdmin(SealedAdmin):
    sealed_hint = "Cuộc bỏ phiếu chỉ được thiết lập, mở, kết thúc, công bố trên trang hội nghị."
    list_display = ["title", "meeting", "kind", "method", "status", "round", "closed_at"]
    list_filter = ["status", "kind", "method"]
    list_select_related = ["meeting__bloc_year__bloc__province"]
    search_fields = [
        "title",
        "meeting__bloc_year__bloc__name",
        "meeting__bloc_year__bloc__province__name",
    ]
    inlines = [BallotCandidateInline, BallotParticipationInline, BallotEventInline]
