"""URLs of meetings (meetings/urls_meetings.py: meetings, attendance, minutes) and of
ballots (meetings/urls_ballots.py: ballots, voting, tallies)."""

from . import urls_ballots, urls_meetings

app_name = "meetings"

urlpatterns = [*urls_meetings.urlpatterns, *urls_ballots.urlpatterns]
