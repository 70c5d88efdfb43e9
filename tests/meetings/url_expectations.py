"""Rows of the URL x role test (tests/test_url_roles.py) for the meetings app: the
meeting and minutes rows (url_expectations_meetings.py) and the ballot rows
(url_expectations_ballots.py). See tests/pledges/url_expectations.py for the format."""

from . import url_expectations_ballots, url_expectations_meetings

EXPECTED = {**url_expectations_meetings.EXPECTED, **url_expectations_ballots.EXPECTED}


def build_objects(world) -> dict:
    objects = url_expectations_meetings.build_objects(world)
    objects.update(url_expectations_ballots.build_objects(world, objects))
    return objects
