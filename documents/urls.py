from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "bloc-years/<int:bloc_year_id>/documents/<slug:kind>/",
        views.document_request,
        name="request",
    ),
    path("documents/<int:job_id>/", views.document_detail, name="detail"),
    path("documents/<int:job_id>/status/", views.document_status, name="status"),
    path("documents/<int:job_id>/download/", views.document_download, name="download"),
    path("documents/<int:job_id>/retry/", views.document_retry, name="retry"),
]
