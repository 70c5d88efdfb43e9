"""URL x role rows of the secretariat's proposal pages (objects keys start with "awards_")."""

EXPECTED: dict = {}


def build_objects(world) -> dict:
    return {}
