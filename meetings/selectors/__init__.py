"""Reads of meetings, minutes and ballots, with the permission check inside."""
