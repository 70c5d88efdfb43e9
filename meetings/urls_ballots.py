"""URL patterns of the ballots pages; included by meetings/urls.py (namespace "meetings")."""

from django.urls import path

from .views import ballots as views

urlpatterns: list = [
    path("meetings/<int:meeting_id>/ballots/new/", views.ballot_create, name="ballot_create"),
    path("ballots/<int:ballot_id>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:ballot_id>/edit/", views.ballot_edit, name="ballot_edit"),
    path("ballots/<int:ballot_id>/progress/", views.ballot_progress, name="ballot_progress"),
    path("ballots/<int:ballot_id>/open/", views.ballot_open, name="ballot_open"),
    path("ballots/<int:ballot_id>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:ballot_id>/publish/", views.ballot_publish, name="ballot_publish"),
    path("ballots/<int:ballot_id>/reset/", views.ballot_reset, name="ballot_reset"),
    path(
        "ballots/<int:ballot_id>/second-round/",
        views.ballot_second_round,
        name="ballot_second_round",
    ),
    path(
        "ballots/<int:ballot_id>/paper/issue/", views.ballot_paper_issue, name="ballot_paper_issue"
    ),
    path("ballots/<int:ballot_id>/paper/", views.ballot_paper, name="ballot_paper"),
    path("ballots/<int:ballot_id>/vote/", views.ballot_vote, name="ballot_vote"),
]
