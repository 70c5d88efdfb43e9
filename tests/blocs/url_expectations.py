"""Rows of the URL x role test (tests/test_url_roles.py) for the year's cycle, its set-up
and the registry pages of the blocs app.

EXPECTED maps a URL name to (method, kwargs(world, objects) -> dict, {role: expected}
[, reset(objects)]), with the role names and expected values of tests/test_url_roles.py.
When these rows run, the world's bloc-year is in its scoring step (the pledge and scoring
rows took it there)."""

from blocs.models import RoleAssignment

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
LOGIN, OK, REDIRECT, FORBIDDEN = "login", 200, 302, 403

NOBODY = dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN}


def only(status, *roles) -> dict:
    return NOBODY | dict.fromkeys(roles, status)


# Set-up of the world's bloc-year: its secretariat, the board of the province, admins.
SETUP = ("admin", "board_here", "secretariat_here")
# The registry of the province: its board and administrators.
REGISTRY = ("admin", "board_here")


def _by(w, o):
    return {"bloc_year_id": w.bloc_year.pk}


def _province(w, o):
    return {"province_id": w.province.pk}


def _restore_secretariat(o):
    ra = o["blocs_extra_secretariat"]
    RoleAssignment.objects.get_or_create(
        pk=ra.pk, defaults={"user": ra.user, "role": ra.role, "bloc_year": ra.bloc_year}
    )


EXPECTED: dict = {
    # Scoring → voting is blocked (scores not verified): a message on the bloc-year page.
    "blocs:bloc_year_advance": ("post", _by, only(REDIRECT, *SETUP)),
    # Back from scoring to in progress: the step's role is the secretariat's.
    "blocs:bloc_year_step_back": ("get", _by, only(OK, "admin", "secretariat_here")),
    "blocs:province_cycle": ("get", _province, only(OK, *REGISTRY)),
    "blocs:bloc_year_new": ("get", lambda w, o: {"bloc_id": w.bloc.pk}, only(OK, *SETUP)),
    "blocs:bloc_year_members": ("get", _by, only(OK, *SETUP)),
    # Past setup: refused with a message, nothing removed.
    "blocs:bloc_year_member_remove": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "unit_id": w.member.pk},
        only(REDIRECT, *SETUP),
    ),
    "blocs:bloc_year_leadership": ("get", _by, only(OK, *SETUP)),
    # The units' leaders (name, title) of the year: any status, the same managers.
    "blocs:bloc_year_leaders": ("get", _by, only(OK, *SETUP)),
    "blocs:bloc_year_secretariat": ("get", _by, only(OK, *SETUP)),
    "blocs:bloc_year_secretariat_remove": (
        "post",
        lambda w, o: {
            "bloc_year_id": w.bloc_year.pk,
            "assignment_id": o["blocs_extra_secretariat"].pk,
        },
        only(REDIRECT, *SETUP),
        _restore_secretariat,
    ),
    "blocs:province_units": ("get", _province, only(OK, *REGISTRY)),
    "blocs:unit_succession": ("get", _province, only(OK, *REGISTRY)),
    "blocs:bloc_new": ("get", _province, only(OK, *REGISTRY)),
    "blocs:province_users": ("get", _province, only(OK, *REGISTRY)),
    "blocs:user_invite": ("get", _province, only(OK, *REGISTRY)),
    # Public: a bad link says so.
    "blocs:invite_accept": (
        "get",
        lambda w, o: {"uidb64": "MQ", "token": "sai-ma"},
        dict.fromkeys(ROLES, OK),
    ),
}


def build_objects(world) -> dict:
    from blocs import services

    from ..conftest import make_user

    user = make_user("thuky.phu")
    extra = services.role_assign(
        user=user, role=RoleAssignment.Role.SECRETARIAT, bloc_year=world.bloc_year
    )
    return {"blocs_extra_secretariat": extra}
