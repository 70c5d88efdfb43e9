"""URL x role rows of the board's review pages (objects keys start with "review_").
build_objects gets the objects the proposal rows built."""

EXPECTED: dict = {}


def build_objects(world, objects: dict) -> dict:
    return {}
