"""URL patterns of the proposals pages; included by awards/urls.py (namespace "awards")."""

from django.urls import path

from . import views_export
from . import views_proposals as views

urlpatterns: list = [
    path("bloc-years/<int:bloc_year_id>/proposals/", views.proposal_list, name="proposal_list"),
    path(
        "bloc-years/<int:bloc_year_id>/proposals/draft/",
        views.proposals_draft,
        name="proposals_draft",
    ),
    path("proposals/<int:proposal_id>/", views.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<int:proposal_id>/versions/<int:number>/",
        views.proposal_version,
        name="proposal_version",
    ),
    path(
        "proposals/<int:proposal_id>/versions/new/",
        views.proposal_version_new,
        name="proposal_version_new",
    ),
    path("proposals/<int:proposal_id>/submit/", views.proposal_submit, name="proposal_submit"),
    path(
        "proposals/<int:proposal_id>/items/add/", views.proposal_item_add, name="proposal_item_add"
    ),
    path(
        "proposals/<int:proposal_id>/items/<int:item_id>/remove/",
        views.proposal_item_remove,
        name="proposal_item_remove",
    ),
    path(
        "proposals/<int:proposal_id>/items/<int:item_id>/report/",
        views.proposal_item_report,
        name="proposal_item_report",
    ),
    path(
        "proposals/<int:proposal_id>/items/<int:item_id>/report/form/",
        views.proposal_item_report_form,
        name="proposal_item_report_form",
    ),
    path(
        "proposals/<int:proposal_id>/items/<int:item_id>/report/file/",
        views.proposal_item_report_file,
        name="proposal_item_report_file",
    ),
    path(
        "provinces/<int:province_id>/proposals/export.xlsx",
        views_export.proposals_export,
        name="proposals_export",
    ),
]
