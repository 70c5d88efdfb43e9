"""Writes of meetings, minutes and ballots: meetings.py, minutes.py, ballots.py."""
