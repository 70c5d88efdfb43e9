"""Rows of the URL x role test (tests/test_url_roles.py) for the scoring app's URLs.

EXPECTED maps a URL name to (method, kwargs(world, objects) -> dict, {role: expected}
[, reset(objects)]),
with the role names and expected values defined in tests/test_url_roles.py.
build_objects(world) makes the objects those kwargs need; its keys must not collide with
other apps' (prefix them with the app name).

In the world, leader_member leads the head unit, which the bloc assigns to cross-score the
member unit (staff_member's unit)."""

from django.core.files.uploadedfile import SimpleUploadedFile

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

NOBODY = dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN}
MANAGERS = ("admin", "board_here", "secretariat_here")
READERS = (*MANAGERS, "leader_member", "staff_member")


def only(status, *roles) -> dict:
    return NOBODY | dict.fromkeys(roles, status)


EXPECTED: dict = {
    "scoring:table_detail": (
        "get",
        lambda w, o: {"table_id": o["scoring_table"].pk},
        only(OK, *READERS),
    ),
    "scoring:table_export": (
        "get",
        lambda w, o: {"table_id": o["scoring_table"].pk},
        only(OK, *READERS),
    ),
    # No earlier table to copy: the managers get the error message on the bloc-year page.
    "scoring:table_copy": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(REDIRECT, *MANAGERS),
    ),
    "scoring:table_import": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *MANAGERS),
    ),
    "scoring:table_template": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *MANAGERS),
    ),
    "scoring:table_example": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *MANAGERS),
    ),
    "scoring:grid": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "stage": "cross"},
        only(OK, *MANAGERS, "leader_member"),
    ),
    # An empty body is refused as bad data for those who may see the bloc-year at all.
    "scoring:grid_save": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "stage": "cross"},
        only(BAD, *READERS),
    ),
    "scoring:scoreboard": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *READERS),
    ),
    "scoring:scoreboard_xlsx": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *READERS),
    ),
    "scoring:sheets_xlsx": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *MANAGERS),
    ),
    "scoring:assignments": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *MANAGERS),
    ),
    "scoring:progress": ("get", lambda w, o: {"bloc_year_id": w.bloc_year.pk}, only(OK, *MANAGERS)),
    "scoring:copy_to_verified": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(REDIRECT, "admin", "board_here"),
    ),
    # Not every sheet is verified: refused with a message, nothing locked.
    "scoring:verify": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(REDIRECT, "admin", "board_here"),
    ),
    # No reason given: the form comes back with the error next to the field.
    "scoring:reopen": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(BAD, "admin", "board_here"),
    ),
    "scoring:sheet_detail": (
        "get",
        lambda w, o: {"sheet_id": o["scoring_member_sheet"].pk},
        only(OK, *READERS),
    ),
    # Only the leader of the unit submits its self-assessment (incomplete here: a message).
    "scoring:sheet_submit": (
        "post",
        lambda w, o: {"sheet_id": o["scoring_head_sheet"].pk, "stage": "self"},
        only(REDIRECT, "leader_member"),
    ),
    "scoring:sheet_return": (
        "post",
        lambda w, o: {"sheet_id": o["scoring_member_sheet"].pk, "stage": "self"},
        only(REDIRECT, *MANAGERS),
    ),
    "scoring:evidence_upload": (
        "post",
        lambda w, o: {
            "sheet_id": o["scoring_head_sheet"].pk,
            "criterion_id": o["scoring_criterion"].pk,
        },
        only(REDIRECT, "leader_member"),
    ),
    "scoring:evidence_download": (
        "get",
        lambda w, o: {"evidence_id": o["scoring_evidence"].pk},
        only(OK, *MANAGERS, "leader_member"),
    ),
    "scoring:cell_history": (
        "get",
        lambda w, o: {
            "sheet_id": o["scoring_member_sheet"].pk,
            "criterion_id": o["scoring_criterion"].pk,
        },
        only(OK, *READERS),
    ),
}


def build_objects(world) -> dict:
    from blocs.models import BlocYear
    from scoring import services
    from scoring.models import Criterion, ScoreSheet, Stage

    from ..conftest import year_reach
    from .conftest import TABLE_SPEC

    table = services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name="Bảng chấm điểm năm 2020",
        groups=TABLE_SPEC,
        bonus_cap=5,
        penalty_cap=4,
    )
    services.cross_assignment_set(
        bloc_year=world.bloc_year, pairs=[(world.head.pk, world.member.pk)], actor=None
    )
    # The pledge rows built theirs first (pledging); scores are entered in the scoring step.
    year_reach(world.bloc_year, BlocYear.Status.SCORING, actor=world.users["secretariat_here"])
    criterion = Criterion.objects.get(table=table, code="1.1")
    services.scores_save(
        bloc_year=world.bloc_year,
        stage=Stage.SELF,
        cells=[services.CellInput(world.member.pk, criterion.pk, 0, "8,5")],
        actor=world.users["staff_member"],
    )
    head_sheet = ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.head)
    evidence = services.evidence_add(
        sheet=head_sheet,
        criterion=criterion,
        upload=SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4 minh chung"),
        actor=world.users["leader_member"],
    )
    return {
        "scoring_table": table,
        "scoring_criterion": criterion,
        "scoring_head_sheet": head_sheet,
        "scoring_member_sheet": ScoreSheet.objects.get(
            bloc_year=world.bloc_year, unit=world.member
        ),
        "scoring_evidence": evidence,
    }
