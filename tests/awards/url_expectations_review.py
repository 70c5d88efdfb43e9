"""URL x role rows of the board's review pages (objects keys start with "review_").
build_objects gets the objects the proposal rows built; the review rows build their own
submitted proposal, in a bloc of their own in the world's province, so that the world's
bloc-year stays where the other apps' rows expect it."""

from awards import services as award_services
from blocs import services as bloc_services

from .conftest import nominate, scores_lock

ROLES = [
    "anonymous",
    "norole",
    "admin",
    "board_here",
    "board_other",
    "secretariat_here",
    "secretariat_other",
    "leader_member",
    "staff_member",
    "leader_nonmember",
    "staff_nonmember",
]
LOGIN, OK, FORBIDDEN, BAD = "login", 200, 403, 400

FORM = {
    "unit_name": "Sở Tư pháp",
    "characteristics": "Cơ quan chuyên môn thuộc UBND tỉnh.",
    "achievements": "Hoàn thành xuất sắc các chỉ tiêu giao ước thi đua.",
    "by_year": [{"year": "2020", "text": "Hoàn thành 100% nhiệm vụ."}],
    "awards_received": [],
}

# The board of the province (and administrators) only: not the secretariat, not the leaders
# of member units, not another province's board.
BOARD_GET = dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN, "admin": OK, "board_here": OK}
# An empty POST by the board is bad input (400, nothing saved); anyone else is refused first.
BOARD_POST = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": BAD,
    "board_here": BAD,
}

UNIT_NAMES = ("Sở Tư pháp", "Thanh tra tỉnh", "Sở Nội vụ")


def review_bloc_year(world, *, name="Khối thi đua Nội chính", units=UNIT_NAMES, year=2020):
    """A bloc of the world's province with its year scored (97, 96, 85) and two published
    nomination ballots (Cờ thi đua của UBND tỉnh for the first unit; Bằng khen của Chủ tịch
    UBND tỉnh for the others): what the secretariat drafts its proposals from."""
    admin, board = world.users["admin"], world.users["board_here"]
    types = award_services.award_types_seed(province=world.province)
    awards = dict(zip(("gov", "flag", "pm", "chair"), types, strict=True))
    bloc = bloc_services.bloc_create(province=world.province, name=name)
    members = [bloc_services.unit_create(province=world.province, name=n) for n in units]
    bloc_year = bloc_services.bloc_year_create(
        bloc=bloc, year=year, members=members, head=members[0], deputy=members[1]
    )
    scores_lock(bloc_year, dict(zip(members, (97, 96, 85), strict=False)), board=board, actor=admin)
    n = len(members)
    nominate(bloc_year, awards["flag"], {members[0]: n}, actor=admin)
    nominate(
        bloc_year,
        awards["chair"],
        dict.fromkeys(members[1:], n),
        actor=admin,
        max_winners=n - 1,
    )
    bloc_year.refresh_from_db()
    return bloc_year, members, awards


def review_submitted(world, **kwargs) -> dict:
    """review_bloc_year, its proposals drafted, every report written, both submitted."""
    admin = world.users["admin"]
    bloc_year, members, awards = review_bloc_year(world, **kwargs)
    proposals = award_services.award_proposals_draft(bloc_year=bloc_year, actor=admin)
    out = {"bloc_year": bloc_year, "members": members, "awards": awards}
    for proposal in proposals:
        version = proposal.versions.get()
        for item in version.items.all():
            award_services.proposal_item_report_form_save(item=item, form=FORM, actor=admin)
        award_services.award_proposal_submit(version=version, actor=admin)
        key = "flag" if proposal.award_type_id == awards["flag"].pk else "chair"
        out[key] = proposal
        out[f"{key}_items"] = list(version.items.select_related("unit").order_by("order"))
    return out


def build_objects(world, objects: dict) -> dict:
    built = review_submitted(world)
    return {"review_item": built["chair_items"][0], "review_proposal": built["chair"]}


def _province(w, o):
    return {"province_id": w.province.pk}


def _item(w, o):
    return {"item_id": o["review_item"].pk}


EXPECTED: dict = {
    "awards:review_inbox": ("get", _province, BOARD_GET),
    "awards:review_province": ("get", _province, BOARD_GET),
    "awards:review_item": ("get", _item, BOARD_GET),
    "awards:review_item_decide": ("post", _item, BOARD_POST),
    "awards:review_item_council": ("post", _item, BOARD_POST),
}
