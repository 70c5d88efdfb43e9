"""Secrecy of the ballot (DESIGN.md §8): after an online ballot with several voters
closes, no row of any table, and no order of rows, links a unit or a user to a choice;
the vote rows carry nothing but their ballot, a receipt and the choices; the staging box
is empty; who voted and what was voted were committed in different transactions; no log
record, audit event or ballot event carries a choice."""

import json
import logging
import re
import secrets

import pytest
from django.apps import apps
from django.db import connection

from core.models import AuditEvent
from meetings.models import Ballot, BallotEvent, BallotParticipation, StagedVote, Vote
from meetings.services import ballots as services

from ..conftest import needs_postgres
from .conftest import ballot_cast, ballot_nomination

# A choice keyed to a candidate id, as JSON stores it: "17": "yes".
CHOICE = re.compile(r'"(\d+)"\s*:\s*"(yes|no|blank)"')


def _patterns(by):
    """Every unit's answers differ: unit i says yes to candidate i % 3, no to the others."""
    a, b, c = by.units[:3]
    return [
        {a.pk: "yes", b.pk: "no", c.pk: "no"},
        {a.pk: "no", b.pk: "yes", c.pk: "no"},
        {a.pk: "no", b.pk: "no", c.pk: "yes"},
        {a.pk: "blank", b.pk: "no", c.pk: "no"},
        {a.pk: "no", b.pk: "blank", c.pk: "yes"},
        {a.pk: "yes", b.pk: "blank", c.pk: "blank"},
        {a.pk: "blank", b.pk: "yes", c.pk: "no"},
        {a.pk: "no", b.pk: "no", c.pk: "blank"},
        {a.pk: "blank", b.pk: "blank", c.pk: "blank"},
    ]


def _run_ballot(by, *, close=True):
    ballot = ballot_nomination(by, max_winners=3)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    receipts = []
    for unit, pattern in zip(by.units, _patterns(by), strict=True):
        receipts.append(ballot_cast(by, ballot, unit, pattern))
    if close:
        services.ballot_close(ballot=ballot, actor=by.secretariat)
    return ballot, receipts


def _public_tables() -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
        return sorted(r[0] for r in cur.fetchall())


def _columns(table: str) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s ORDER BY column_name",
            [table],
        )
        return [r[0] for r in cur.fetchall()]


def _rows_as_text(table: str) -> list[str]:
    # The table names come from information_schema, not from any input.
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT row_to_json(t)::text FROM {quoted} t")  # noqa: S608
        return [r[0] for r in cur.fetchall()]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_no_table_links_a_unit_or_user_to_a_choice(ballot_year, caplog, monkeypatch):
    by = ballot_year
    caplog.set_level(logging.DEBUG)
    committed = {"n": 0}
    statements: list[tuple[int, bool, str]] = []
    real_commit = connection.commit

    def counting_commit():
        real_commit()
        committed["n"] += 1

    def watch(execute, sql, params, many, context):
        statements.append((committed["n"], connection.in_atomic_block, sql))
        return execute(sql, params, many, context)

    monkeypatch.setattr(connection, "commit", counting_commit)
    with connection.execute_wrapper(watch):
        ballot, receipts = _run_ballot(by)
    candidate_ids = {str(c.pk) for c in ballot.candidates.all()}

    # 1. The vote rows hold only their ballot, a receipt and the choices; so does staging.
    assert _columns("meetings_vote") == ["ballot_id", "choices", "id", "receipt"]
    assert _columns("meetings_stagedvote") == ["ballot_id", "choices", "id", "receipt"]
    assert {f.name for f in Vote._meta.get_fields() if f.concrete} == {
        "id",
        "ballot",
        "receipt",
        "choices",
    }
    # 2. The staging box is empty; every vote is counted once.
    assert StagedVote.objects.count() == 0
    assert Vote.objects.filter(ballot=ballot).count() == 9
    assert sorted(Vote.objects.values_list("receipt", flat=True)) == sorted(receipts)

    # 3. No row of any table but the vote table holds a choice keyed to a candidate: the
    # raw rows of every table of the schema (those without a model too), and every model's
    # rows through the ORM.
    tables = _public_tables()
    assert "meetings_vote" in tables and "meetings_ballotparticipation" in tables
    # The detector finds the choices where they are meant to be (else it proves nothing).
    assert all(CHOICE.search(text) for text in _rows_as_text("meetings_vote"))
    for table in tables:
        if table == "meetings_vote":
            continue
        for text in _rows_as_text(table):
            found = [m for m in CHOICE.findall(text) if m[0] in candidate_ids]
            assert not found, (table, text)
    for model in apps.get_models(include_auto_created=True):
        if model is Vote or not model._meta.managed:
            continue
        for row in model.objects.all().values():
            text = json.dumps(row, default=str)
            assert not [m for m in CHOICE.findall(text) if m[0] in candidate_ids], (model, row)
    # The participation rows say who voted, and how, and nothing else.
    assert set(_columns("meetings_ballotparticipation")) == {
        "id",
        "ballot_id",
        "unit_id",
        "voted_method",
    }

    # 4. No audit event, ballot event or log record carries a choice or a receipt.
    for text in [
        *(json.dumps(e.data) + e.action for e in AuditEvent.objects.all()),
        *(e.action + e.note for e in BallotEvent.objects.all()),
        *(r.getMessage() for r in caplog.records),
    ]:
        assert not CHOICE.search(text), text
        assert not any(r in text for r in receipts), text

    # 5. Participation and vote were committed in different transactions: each voter's
    # participation UPDATE, then a COMMIT, then the staging INSERT.
    updates = [
        (n, atomic)
        for n, atomic, sql in statements
        if sql.startswith("UPDATE") and "meetings_ballotparticipation" in sql
    ]
    inserts = [
        (n, atomic)
        for n, atomic, sql in statements
        if sql.startswith("INSERT") and '"meetings_stagedvote"' in sql
    ]
    assert len(updates) == len(inserts) == 9
    for (n_update, a1), (n_insert, a2) in zip(updates, inserts, strict=True):
        assert a1 and a2  # each inside its own transaction
        assert n_insert > n_update  # the participation was committed before the vote

    # 6. Neither the ids nor the physical order of the vote rows follow the order of voting.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT receipt FROM meetings_vote WHERE ballot_id = %s ORDER BY ctid", [ballot.pk]
        )
        physical = [r[0] for r in cur.fetchall()]
    by_id = list(
        Vote.objects.filter(ballot=ballot).order_by("id").values_list("receipt", flat=True)
    )
    assert sorted(physical) == sorted(receipts)
    # All vote rows were written by the one closing transaction: their xmin says nothing
    # of when each was cast.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(DISTINCT xmin::text) FROM meetings_vote WHERE ballot_id = %s",
            [ballot.pk],
        )
        assert cur.fetchone()[0] == 1
    # 9 voters: a shuffle leaves the cast order with probability 1/9! (0,0003%).
    assert physical != receipts
    assert by_id != receipts


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_close_writes_the_votes_in_the_shuffled_order(ballot_year, monkeypatch):
    """The insertion path shuffles: a shuffle that reverses gives the vote rows in the
    reverse order of voting, physically (ctid)."""
    calls = []

    def reverse(self, x):
        calls.append(len(x))
        x.reverse()

    monkeypatch.setattr(secrets.SystemRandom, "shuffle", reverse)
    ballot, receipts = _run_ballot(ballot_year)
    assert calls == [9]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT receipt FROM meetings_vote WHERE ballot_id = %s ORDER BY ctid", [ballot.pk]
        )
        physical = [r[0] for r in cur.fetchall()]
    assert physical == receipts[::-1]


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_the_vote_rows_cannot_be_changed_or_removed(ballot_year):
    from django.db import DatabaseError, transaction

    ballot, _receipts = _run_ballot(ballot_year)
    vote = Vote.objects.filter(ballot=ballot).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.filter(pk=vote.pk).update(choices={})
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.filter(pk=vote.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        BallotEvent.objects.filter(ballot=ballot).update(note="x")
    # No vote enters a closed ballot, staged or counted.
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.create(ballot=ballot, receipt="AAAAA-AAAAA", choices={})
    with pytest.raises(DatabaseError), transaction.atomic():
        StagedVote.objects.create(ballot=ballot, receipt="AAAAA-AAAAA", choices={})


@pytest.mark.django_db
def test_voting_inside_a_transaction_is_refused(ballot_year):
    """A caller's transaction would merge who and what: refused before anything is written."""
    from django.db import transaction

    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    with pytest.raises(RuntimeError), transaction.atomic():
        ballot_cast(by, ballot, by.units[0], {})
    assert not BallotParticipation.objects.filter(ballot=ballot).exclude(voted_method="").exists()
    assert ballot.status == Ballot.Status.OPEN


def test_error_reports_do_not_carry_the_choices():
    from django.views.debug import SafeExceptionReporterFilter

    assert services.ballot_vote_cast.sensitive_variables == ("choices", "cleaned", "own")
    assert SafeExceptionReporterFilter.cleansed_substitute == "********************"
