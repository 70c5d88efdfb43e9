"""URL x role rows of the secretariat's proposal pages (objects keys start with "awards_").
See tests/pledges/url_expectations.py for the format.

build_objects seeds the award types, takes the world's year (at its voting step after the
ballot rows) to a draft proposal through the real services, from the ballot rows' published
nomination ballot, then puts the year back at its scoring step for the other apps' rows (as
tests/meetings/url_expectations_ballots.py does). A POST without its fields is refused with
400 for those allowed (nothing changes, so no reset is needed) and 403 for the others."""

from awards import services
from awards.models import AwardProposal
from blocs.models import BlocYear

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
LOGIN, OK, BAD, FORBIDDEN = "login", 200, 400, 403

# The bloc-year's list: everyone who reads the bloc-year.
LIST_READERS = {
    "anonymous": LOGIN,
    "norole": FORBIDDEN,
    "admin": OK,
    "board_here": OK,
    "board_other": FORBIDDEN,
    "secretariat_here": OK,
    "secretariat_other": FORBIDDEN,
    "leader_member": OK,
    "staff_member": OK,
    "leader_nonmember": FORBIDDEN,
    "staff_nonmember": FORBIDDEN,
}
# A proposal: the bloc-year's secretariat, the province's board, administrators, and the
# leaders of its units (their own unit's items only): leader_member leads the head, the
# first item of the proposal below. A unit's staff (staff_member) does not read it.
PROPOSAL_READERS = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": OK,
    "board_here": OK,
    "secretariat_here": OK,
    "leader_member": OK,
}
DRAFTERS_GET = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": OK,
    "secretariat_here": OK,
}
# The province's proposals as Excel: its board and administrators.
EXPORTERS = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": OK,
    "board_here": OK,
}
# An empty POST from a drafter is bad input (400); the others are refused first.
DRAFTERS_POST = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": BAD,
    "secretariat_here": BAD,
}


def _by(w, o):
    return {"bloc_year_id": w.bloc_year.pk}


def _p(w, o):
    return {"proposal_id": o["awards_proposal"].pk}


def _item(w, o):
    return {"proposal_id": o["awards_proposal"].pk, "item_id": o["awards_item"].pk}


EXPECTED: dict = {
    "awards:proposal_list": ("get", _by, LIST_READERS),
    # The world's year is at its scoring step for these rows: drafting is refused (400).
    "awards:proposals_draft": ("post", _by, DRAFTERS_POST),
    "awards:proposal_detail": ("get", _p, PROPOSAL_READERS),
    "awards:proposal_version": (
        "get",
        lambda w, o: {"proposal_id": o["awards_proposal"].pk, "number": 1},
        PROPOSAL_READERS,
    ),
    # The version is draft: nothing returned, no new version (400).
    "awards:proposal_version_new": ("post", _p, DRAFTERS_POST),
    "awards:proposal_submit": ("get", _p, DRAFTERS_GET),
    "awards:proposal_item_add": ("post", _p, DRAFTERS_POST),
    "awards:proposal_item_remove": ("post", _item, DRAFTERS_POST),
    "awards:proposal_item_report": ("get", _item, DRAFTERS_GET),
    "awards:proposal_item_report_form": ("post", _item, DRAFTERS_POST),
    # The item's report as a file is there for the proposal's readers.
    "awards:proposal_item_report_file": ("get", _item, PROPOSAL_READERS),
    "awards:proposals_export": ("get", lambda w, o: {"province_id": w.province.pk}, EXPORTERS),
}


def build_objects(world) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    secretariat = world.users["secretariat_here"]
    services.award_types_seed(province=world.province)
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=BlocYear.Status.VOTING)
    world.bloc_year.refresh_from_db()
    proposals = services.award_proposals_draft(bloc_year=world.bloc_year, actor=secretariat)
    proposal = AwardProposal.objects.get(pk=proposals[0].pk)
    version = proposal.versions.get(number=1)
    item = version.items.order_by("order").first()
    assert item.unit_id == world.head.pk  # leader_member reads it (PROPOSAL_READERS)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    services.proposal_item_report_upload(
        item=item,
        upload=SimpleUploadedFile("bao-cao.pdf", pdf, content_type="application/pdf"),
        actor=secretariat,
    )
    BlocYear.objects.filter(pk=world.bloc_year.pk).update(status=BlocYear.Status.SCORING)
    world.bloc_year.refresh_from_db()
    return {
        "awards_proposal": proposal,
        "awards_version": version,
        "awards_item": item,
    }
