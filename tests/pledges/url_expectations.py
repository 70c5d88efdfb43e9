"""Rows of the URL x role test (tests/test_url_roles.py) for the pledges app's URLs.

EXPECTED maps a URL name to (method, kwargs(world, objects) -> dict, {role: expected}
[, reset(objects)]),
with the role names and expected values defined in tests/test_url_roles.py.
build_objects(world) makes the objects those kwargs need; its keys must not collide with
other apps' (prefix them with the app name)."""

EXPECTED: dict = {}


def build_objects(world) -> dict:
    return {}
