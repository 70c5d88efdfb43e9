"""URL x role rows of the meeting and minutes pages (keys of objects start with "meetings_")."""

EXPECTED: dict = {}


def build_objects(world) -> dict:
    return {}
