"""URL patterns of the review pages; included by awards/urls.py (namespace "awards")."""

from django.urls import path

from . import views_review as views

urlpatterns: list = [
    path("provinces/<int:province_id>/proposals/", views.review_inbox, name="review_inbox"),
    path("provinces/<int:province_id>/awards/", views.review_province, name="review_province"),
    path("proposals/items/<int:item_id>/review/", views.review_item, name="review_item"),
    path(
        "proposals/items/<int:item_id>/decide/",
        views.review_item_decide,
        name="review_item_decide",
    ),
    path(
        "proposals/items/<int:item_id>/council/",
        views.review_item_council,
        name="review_item_council",
    ),
]
