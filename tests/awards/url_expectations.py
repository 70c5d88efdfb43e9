"""Rows of the URL x role test (tests/test_url_roles.py) for the awards app: the
secretariat's proposal pages (url_expectations_proposals.py) and the board's review
(url_expectations_review.py). See tests/pledges/url_expectations.py for the format."""

from . import url_expectations_proposals, url_expectations_review

EXPECTED = {**url_expectations_proposals.EXPECTED, **url_expectations_review.EXPECTED}


def build_objects(world) -> dict:
    objects = url_expectations_proposals.build_objects(world)
    objects.update(url_expectations_review.build_objects(world, objects))
    return objects
