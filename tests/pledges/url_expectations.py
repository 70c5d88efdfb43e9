"""Rows of the URL x role test (tests/test_url_roles.py) for the pledges app's URLs.

EXPECTED maps a URL name to (method, kwargs(world, objects) -> dict, {role: expected}
[, reset(objects)]),
with the role names and expected values defined in tests/test_url_roles.py.
build_objects(world) makes the objects those kwargs need; its keys must not collide with
other apps' (prefix them with the app name)."""

import datetime as dt

from django.utils import timezone

from pledges import services
from pledges.models import Reminder

from .conftest import draft_with_targets

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

# Who reads the world's bloc-year, hence its pledge: the board of the province reads it.
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
# Running the pledge: the bloc-year's own secretariat (and administrators), not the board.
MANAGERS_GET = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": OK,
    "secretariat_here": OK,
}
MANAGERS_POST = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": REDIRECT,
    "secretariat_here": REDIRECT,
}
# Every reader may have the PDF made.
READERS_POST = {r: (REDIRECT if v == OK else v) for r, v in READERS.items()}


def _by(w, o):
    return {"bloc_year_id": w.bloc_year.pk}


EXPECTED: dict = {
    "pledges:detail": ("get", _by, READERS),
    "pledges:progress": ("get", _by, READERS),
    "pledges:edit": ("get", _by, MANAGERS_GET),
    "pledges:open": ("get", _by, MANAGERS_GET),
    "pledges:amend": ("get", _by, MANAGERS_GET),
    "pledges:remind": (
        "post",
        _by,
        MANAGERS_POST,
        lambda o: Reminder.objects.all().delete(),
    ),
    # Staff of a unit register only its targets (world.member: staff_member's unit).
    "pledges:targets": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "unit_id": w.member.pk},
        dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN, "staff_member": OK},
    ),
    # Leaders sign only for their unit (world.head: leader_member's unit).
    "pledges:sign": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk, "unit_id": w.head.pk},
        dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN, "leader_member": OK},
    ),
    "pledges:version_detail": (
        "get",
        lambda w, o: {"version_id": o["pledges_version"].pk},
        READERS,
    ),
    "pledges:pdf_request": (
        "post",
        lambda w, o: {"version_id": o["pledges_version"].pk},
        READERS_POST,
    ),
    # Public: anyone holding the PDF checks it.
    "pledges:verify": ("get", lambda w, o: {}, dict.fromkeys(ROLES, OK)),
}


def build_objects(world) -> dict:
    version = services.pledge_open(
        version=draft_with_targets(world),
        deadline=timezone.localdate() + dt.timedelta(days=10),
        actor=world.users["secretariat_here"],
    )
    return {"pledges_version": version}
