"""Rows of the URL x role test (tests/test_url_roles.py) for the reports app. See
tests/pledges/url_expectations.py for the format.

Objects: the world's year-end report as a draft (not on any agenda, no narrative: approving
it, or making a new version of it, is refused with 400), and its mid-year report approved at
a mid-year meeting (its signing page is what the readers open)."""

import datetime as dt

from meetings.models import Meeting
from meetings.services import meetings as meeting_services
from reports import services

from . import url_expectations_dossier as _dossier

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
LOGIN, OK, REDIRECT, BAD, FORBIDDEN = "login", 200, 302, 400, 403

READERS = {
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


def writers(status):
    """The bloc-year's secretariat and administrators; the board reads only."""
    return dict.fromkeys(ROLES, FORBIDDEN) | {
        "anonymous": LOGIN,
        "admin": status,
        "secretariat_here": status,
    }


EXPECTED = {
    "reports:kind_page": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "kind": "year_end"},
        READERS | {r: REDIRECT for r, v in READERS.items() if v == OK},
    ),
    "reports:create": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "kind": "year_end"},
        writers(REDIRECT),  # the draft exists: to its edit page
    ),
    "reports:detail": ("get", lambda w, o: {"report_id": o["reports_draft"].pk}, READERS),
    "reports:edit": ("get", lambda w, o: {"report_id": o["reports_draft"].pk}, writers(OK)),
    "reports:preview": ("post", lambda w, o: {"report_id": o["reports_draft"].pk}, writers(OK)),
    "reports:attach": ("post", lambda w, o: {"report_id": o["reports_draft"].pk}, writers(BAD)),
    "reports:approve": ("post", lambda w, o: {"report_id": o["reports_draft"].pk}, writers(BAD)),
    "reports:new_version": (
        "post",
        lambda w, o: {"report_id": o["reports_draft"].pk},
        writers(BAD),
    ),
    "reports:sign": ("get", lambda w, o: {"report_id": o["reports_approved"].pk}, READERS),
}


def build_objects(world) -> dict:
    secretariat = world.users["secretariat_here"]
    draft = services.report_create(bloc_year=world.bloc_year, kind="year_end", actor=secretariat)
    mid = services.report_create(bloc_year=world.bloc_year, kind="mid_year", actor=secretariat)
    services.report_narrative_update(
        report=mid,
        actor=secretariat,
        results_text="Kết quả 6 tháng đầu năm.",
        shortcomings_text="Một số đơn vị gửi báo cáo chậm.",
        tasks_text="Nhiệm vụ 6 tháng cuối năm.",
    )
    meeting = meeting_services.meeting_create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.MID_YEAR,
        held_on=dt.date(2020, 7, 10),
        actor=secretariat,
    )
    services.report_attach(report=mid, meeting=meeting, actor=secretariat)
    approved = services.report_approve(report=mid, actor=secretariat)
    objects = {"reports_draft": draft, "reports_approved": approved}
    objects.update(_dossier.build_objects(world))
    return objects


# The dossier and province batch rows (dossier-batch's file).
assert not set(EXPECTED) & set(_dossier.EXPECTED), "duplicate URL rows"
EXPECTED.update(_dossier.EXPECTED)
