"""Fixtures of the cycle tests: the world's year taken step by step through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from blocs import cycle
from core.models import AuditEvent
from meetings.models import Meeting
from pledges import services as pledge_services
from scoring import services as scoring_services
from scoring.models import Stage

from ..conftest import PASSWORD
from ..pledges import conftest as pledges_conftest
from ..pledges.conftest import draft_with_targets
from ..scoring.conftest import FULL, TABLE_SPEC, save

leaders = pledges_conftest.leaders  # the fixture: a leader for every member unit


def open_pledge(world, version=None):
    return pledge_services.pledge_open(
        version=version or draft_with_targets(world),
        deadline=timezone.localdate() + dt.timedelta(days=5),
        actor=world.users["secretariat_here"],
    )


def sign_all(world, version, leaders, units=None):
    for unit in units or (world.head, world.deputy, world.member):
        pledge_services.pledge_sign(
            version=version, unit=unit, user=leaders[unit.pk], password=PASSWORD
        )


def make_table(world):
    from scoring.models import Criterion

    table = scoring_services.criteria_table_create(
        province=world.province,
        year=world.bloc_year.year,
        bloc_year=world.bloc_year,
        name="Bảng chấm điểm năm 2020",
        groups=TABLE_SPEC,
    )
    return {c.code: c for c in Criterion.objects.filter(table=table)}


def verify_all(world, crit):
    board = world.users["board_here"]
    for unit in (world.head, world.deputy, world.member):
        save(world.bloc_year, Stage.VERIFIED, board, unit, crit, FULL)
    # The sheets were never submitted: the board confirms verifying without them.
    scoring_services.scoring_verify(
        bloc_year=world.bloc_year,
        actor=board,
        confirmed_unit_ids=[u.pk for u in (world.head, world.deputy, world.member)],
    )


def year_end_meeting(world):
    return Meeting.objects.create(
        bloc_year=world.bloc_year, kind=Meeting.Kind.YEAR_END, held_on=dt.date(2020, 12, 20)
    )


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


@pytest.fixture
def pledging(world, leaders):
    """The world's year in pledging: version 1 open, nobody has signed."""
    version = open_pledge(world)
    world.bloc_year.refresh_from_db()
    return version


@pytest.fixture
def in_progress(world, leaders, pledging):
    sign_all(world, pledging, leaders)
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == cycle.S.IN_PROGRESS
    return pledging


@pytest.fixture
def scoring(world, in_progress):
    crit = make_table(world)
    cycle.bloc_year_open_scoring(bloc_year=world.bloc_year, actor=world.users["secretariat_here"])
    return crit
