"""The load test's lost-update check (manage.py loadtest_check) passes on saves that are in
the database and fails when an accepted save is missing or overwritten by an older value."""

import json

import pytest
from django.core.management import CommandError, call_command

from scoring.models import ScoreValue, Stage

from .conftest import save

pytestmark = pytest.mark.django_db


def _record(tmp_path, saves):
    path = tmp_path / "saves.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in saves))
    return str(path)


def _accepted(unit, criterion, result):
    cell = result.saved[f"{unit.pk}:{criterion.pk}"]
    return {"unit": unit.pk, "criterion": criterion.pk, **cell}


def test_accepted_saves_in_the_database_pass(world, table, crit, tmp_path, capsys):
    admin = world.users["admin"]
    first = save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "3"})
    second = save(
        world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "4,5"}, {"1.1": 1}
    )
    saves = [_accepted(world.member, crit["1.1"], r) for r in (first, second)]
    call_command("loadtest_check", "--bloc-year", str(world.bloc_year.pk), _record(tmp_path, saves))
    assert "missing 0, overwritten by an older value 0" in capsys.readouterr().out


def test_an_older_value_over_an_accepted_save_fails(world, table, crit, tmp_path):
    admin = world.users["admin"]
    first = save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "3"})
    second = save(
        world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "4,5"}, {"1.1": 1}
    )
    saves = [_accepted(world.member, crit["1.1"], r) for r in (first, second)]
    ScoreValue.objects.filter(criterion=crit["1.1"]).update(version=1, value="3")  # rolled back
    with pytest.raises(CommandError):
        call_command(
            "loadtest_check", "--bloc-year", str(world.bloc_year.pk), _record(tmp_path, saves)
        )


def test_an_accepted_save_missing_from_the_history_fails(world, table, crit, tmp_path):
    admin = world.users["admin"]
    first = save(world.bloc_year, Stage.CROSS, admin, world.member, crit, {"1.1": "3"})
    claimed = {**_accepted(world.member, crit["1.1"], first), "version": 1, "value": "9"}
    with pytest.raises(CommandError):
        call_command(
            "loadtest_check", "--bloc-year", str(world.bloc_year.pk), _record(tmp_path, [claimed])
        )
