"""URLs of the dossier and the province batch, added to reports/urls.py (app "reports")."""

from django.urls import path

from . import views_jobs as views

urlpatterns = [
    path("bloc-years/<int:bloc_year_id>/dossier/", views.dossier_request, name="dossier_request"),
    path("dossiers/<int:job_id>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:job_id>/progress/", views.dossier_progress_part, name="dossier_progress"),
    path("dossiers/<int:job_id>/retry/", views.dossier_retry, name="dossier_retry"),
    path("provinces/<int:province_id>/report-batches/", views.batch_new, name="batch_new"),
    path("report-batches/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("report-batches/<int:batch_id>/progress/", views.batch_progress, name="batch_progress"),
    path("report-batches/<int:batch_id>/retry/", views.batch_retry, name="batch_retry"),
    path("report-batches/<int:batch_id>/download/", views.batch_download, name="batch_download"),
]
