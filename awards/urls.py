"""URLs of award proposals: the secretariat's pages (awards/urls_proposals.py) and the
board's review (awards/urls_review.py)."""

from . import urls_proposals, urls_review

app_name = "awards"

urlpatterns = [*urls_proposals.urlpatterns, *urls_review.urlpatterns]
