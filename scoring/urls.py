from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("scoring/tables/<int:table_id>/", views.table_detail, name="table_detail"),
    path("scoring/tables/<int:table_id>/xlsx/", views.table_export, name="table_export"),
    path("bloc-years/<int:bloc_year_id>/scoring/table/copy/", views.table_copy, name="table_copy"),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/table/import/",
        views.table_import,
        name="table_import",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/table/template.xlsx",
        views.table_template,
        name="table_template",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/table/example.xlsx",
        views.table_example,
        name="table_example",
    ),
    path("bloc-years/<int:bloc_year_id>/scoring/grid/<str:stage>/", views.grid, name="grid"),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/grid/<str:stage>/save/",
        views.grid_save,
        name="grid_save",
    ),
    path("bloc-years/<int:bloc_year_id>/scoring/", views.scoreboard, name="scoreboard"),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/scoreboard.xlsx",
        views.scoreboard_xlsx,
        name="scoreboard_xlsx",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/sheets.xlsx",
        views.sheets_xlsx,
        name="sheets_xlsx",
    ),
    path("bloc-years/<int:bloc_year_id>/scoring/progress/", views.progress, name="progress"),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/copy-to-verified/",
        views.copy_to_verified,
        name="copy_to_verified",
    ),
    path(
        "bloc-years/<int:bloc_year_id>/scoring/assignments/",
        views.assignments,
        name="assignments",
    ),
    path("bloc-years/<int:bloc_year_id>/scoring/verify/", views.verify, name="verify"),
    path("bloc-years/<int:bloc_year_id>/scoring/reopen/", views.reopen, name="reopen"),
    path("scoring/sheets/<int:sheet_id>/", views.sheet_detail, name="sheet_detail"),
    path(
        "scoring/sheets/<int:sheet_id>/submit/<str:stage>/",
        views.sheet_submit,
        name="sheet_submit",
    ),
    path(
        "scoring/sheets/<int:sheet_id>/return/<str:stage>/",
        views.sheet_return,
        name="sheet_return",
    ),
    path(
        "scoring/sheets/<int:sheet_id>/criteria/<int:criterion_id>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "scoring/sheets/<int:sheet_id>/criteria/<int:criterion_id>/history/",
        views.cell_history,
        name="cell_history",
    ),
    path("scoring/evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
]
