"""URL patterns of the meetings pages; included by meetings/urls.py (namespace "meetings")."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
