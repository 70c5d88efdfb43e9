from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path(
        "bloc-years/<int:bloc_year_id>/reports/<slug:kind>/",
        views.report_kind_page,
        name="kind_page",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/reports/<slug:kind>/create/",
        views.report_create,
        name="create",
    ),
    path("reports/<int:report_id>/", views.report_detail, name="detail"),
    path("reports/<int:report_id>/edit/", views.report_edit, name="edit"),
    path("reports/<int:report_id>/preview/", views.report_preview, name="preview"),
    path("reports/<int:report_id>/attach/", views.report_attach, name="attach"),
    path("reports/<int:report_id>/approve/", views.report_approve, name="approve"),
    path("reports/<int:report_id>/new-version/", views.report_new_version, name="new_version"),
    path("reports/<int:report_id>/sign/", views.report_sign, name="sign"),
]

from .urls_jobs import urlpatterns as _jobs_urlpatterns  # noqa: E402

urlpatterns += _jobs_urlpatterns
