"""URL x role rows of the ballot pages (keys of objects start with "ballots_").
build_objects gets the objects the meeting rows built (e.g. the meeting)."""

EXPECTED: dict = {}


def build_objects(world, objects: dict) -> dict:
    return {}
