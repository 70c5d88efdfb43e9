from django.urls import path

from . import views

app_name = "pledges"

urlpatterns = [
    path("bloc-years/<int:bloc_year_id>/pledge/", views.pledge_detail, name="detail"),
    path("bloc-years/<int:bloc_year_id>/pledge/edit/", views.pledge_edit, name="edit"),
    path("bloc-years/<int:bloc_year_id>/pledge/open/", views.pledge_open, name="open"),
    path("bloc-years/<int:bloc_year_id>/pledge/amend/", views.pledge_amend, name="amend"),
    path("bloc-years/<int:bloc_year_id>/pledge/progress/", views.pledge_progress, name="progress"),
    path("bloc-years/<int:bloc_year_id>/pledge/remind/", views.pledge_remind, name="remind"),
    path(
        "bloc-years/<int:bloc_year_id>/pledge/units/<int:unit_id>/targets/",
        views.unit_targets,
        name="targets",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/pledge/units/<int:unit_id>/sign/",
        views.pledge_sign,
        name="sign",
    ),
    path("pledge-versions/<int:version_id>/", views.version_detail, name="version_detail"),
    path("pledge-versions/<int:version_id>/pdf/", views.pdf_request, name="pdf_request"),
    path("verify/", views.verify, name="verify"),
]
