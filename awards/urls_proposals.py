"""URL patterns of the proposals pages; included by awards/urls.py (namespace "awards")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
