"""Pages of the meetings app: meetings.py (meetings, people, agenda, attendance,
invitations), minutes.py (minutes), ballots.py (ballots). URL patterns in urls_meetings.py
and urls_ballots.py."""
