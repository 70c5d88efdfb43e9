from django.urls import path

from . import views

app_name = "blocs"

urlpatterns = [
    path("provinces/<int:province_id>/", views.province_detail, name="province_detail"),
    path("blocs/<int:bloc_id>/", views.bloc_detail, name="bloc_detail"),
    path("bloc-years/<int:bloc_year_id>/", views.bloc_year_detail, name="bloc_year_detail"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
]
