"""URL patterns of the meetings pages; included by meetings/urls.py (namespace "meetings")."""

from django.urls import path

from .views import meetings as views
from .views import minutes as minutes_views

urlpatterns: list = [
    path("bloc-years/<int:bloc_year_id>/meetings/new/", views.meeting_create, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:meeting_id>/people/", views.meeting_people, name="meeting_people"),
    path("meetings/<int:meeting_id>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path(
        "meetings/<int:meeting_id>/attendance/",
        views.meeting_attendance,
        name="meeting_attendance",
    ),
    path("meetings/<int:meeting_id>/invite/", views.meeting_invite, name="meeting_invite"),
    # Minutes (biên bản hội nghị): the page of the current version, then one POST each.
    path("meetings/<int:meeting_id>/minutes/", minutes_views.minutes_detail, name="minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/draft/",
        minutes_views.minutes_draft,
        name="minutes_draft",
    ),
    path(
        "minutes/<int:minutes_id>/text/",
        minutes_views.minutes_text_save,
        name="minutes_text_save",
    ),
    path(
        "minutes/<int:minutes_id>/sections/<int:section_id>/",
        minutes_views.minutes_section_save,
        name="minutes_section_save",
    ),
    path(
        "minutes/<int:minutes_id>/amendments/open/",
        minutes_views.minutes_amendments_open,
        name="minutes_amendments_open",
    ),
    path(
        "minutes/<int:minutes_id>/amendments/close/",
        minutes_views.minutes_amendments_close,
        name="minutes_amendments_close",
    ),
    path(
        "minutes/<int:minutes_id>/amendments/",
        minutes_views.minutes_amendment_propose,
        name="minutes_amendment_propose",
    ),
    path(
        "minutes/<int:minutes_id>/amendments/<int:amendment_id>/resolve/",
        minutes_views.minutes_amendment_resolve,
        name="minutes_amendment_resolve",
    ),
    path(
        "minutes/<int:minutes_id>/approve/",
        minutes_views.minutes_approve,
        name="minutes_approve",
    ),
    path(
        "minutes/<int:minutes_id>/new-version/",
        minutes_views.minutes_new_version,
        name="minutes_new_version",
    ),
]
