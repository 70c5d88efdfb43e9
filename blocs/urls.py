from django.urls import path

from . import setup_views, views

app_name = "blocs"

urlpatterns = [
    path("provinces/<int:province_id>/", views.province_detail, name="province_detail"),
    path("blocs/<int:bloc_id>/", views.bloc_detail, name="bloc_detail"),
    path("bloc-years/<int:bloc_year_id>/", views.bloc_year_detail, name="bloc_year_detail"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    # The year's cycle (blocs/cycle.py).
    path(
        "bloc-years/<int:bloc_year_id>/cycle/advance/",
        setup_views.bloc_year_advance,
        name="bloc_year_advance",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/cycle/back/",
        setup_views.bloc_year_step_back,
        name="bloc_year_step_back",
    ),
    path("provinces/<int:province_id>/cycle/", setup_views.province_cycle, name="province_cycle"),
    # The year's set-up.
    path("blocs/<int:bloc_id>/years/new/", setup_views.bloc_year_new, name="bloc_year_new"),
    path(
        "bloc-years/<int:bloc_year_id>/members/",
        setup_views.bloc_year_members,
        name="bloc_year_members",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/members/<int:unit_id>/remove/",
        setup_views.bloc_year_member_remove,
        name="bloc_year_member_remove",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/leadership/",
        setup_views.bloc_year_leadership,
        name="bloc_year_leadership",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/leaders/",
        views.bloc_year_leaders,
        name="bloc_year_leaders",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/secretariat/",
        setup_views.bloc_year_secretariat,
        name="bloc_year_secretariat",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/secretariat/<int:assignment_id>/remove/",
        setup_views.bloc_year_secretariat_remove,
        name="bloc_year_secretariat_remove",
    ),
    # The registry of a province.
    path("provinces/<int:province_id>/units/", setup_views.province_units, name="province_units"),
    path(
        "provinces/<int:province_id>/units/succession/",
        setup_views.unit_succession,
        name="unit_succession",
    ),
    path("provinces/<int:province_id>/blocs/new/", setup_views.bloc_new, name="bloc_new"),
    path("provinces/<int:province_id>/users/", setup_views.province_users, name="province_users"),
    path(
        "provinces/<int:province_id>/users/invite/",
        setup_views.user_invite,
        name="user_invite",
    ),
    path(
        "accounts/invite/<uidb64>/<token>/",
        setup_views.invite_accept,
        name="invite_accept",
    ),
]
