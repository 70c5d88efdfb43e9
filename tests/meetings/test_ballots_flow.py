"""Ballot services: the whole journey and each state change allowed and refused."""

import pytest

from meetings.models import Ballot, BallotEvent, BallotParticipation, StagedVote, Vote
from meetings.selectors import ballots as selectors
from meetings.services import ballots as services

from .conftest import ballot_cast, ballot_nomination

pytestmark = pytest.mark.django_db


def _msg(exc) -> str:
    return " ".join(exc.value.messages)


def test_online_nomination_journey(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, max_winners=1)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    assert ballot.status == Ballot.Status.OPEN
    assert (ballot.members_count, ballot.present_count) == (9, 9)
    assert BallotParticipation.objects.filter(ballot=ballot).count() == 9
    a, b, c = by.units[:3]
    for i, unit in enumerate(by.units):
        ballot_cast(by, ballot, unit, {a.pk: "yes"} if i < 6 else {b.pk: "yes", a.pk: "no"})
    assert StagedVote.objects.filter(ballot=ballot).count() == 9
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    assert StagedVote.objects.count() == 0
    assert Vote.objects.filter(ballot=ballot).count() == 9
    result = selectors.ballot_result(ballot=ballot)
    rows = {r.unit.pk: r for r in result.rows}
    assert (rows[a.pk].yes, rows[a.pk].no, rows[a.pk].blank) == (6, 3, 0)
    assert rows[a.pk].passed and rows[a.pk].elected
    assert not rows[b.pk].passed
    assert rows[a.pk].percent_label == "66,7%"
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    assert selectors.ballot_recount_matches(ballot=ballot)
    assert [e.action for e in BallotEvent.objects.filter(ballot=ballot)] == [
        "create",
        "open",
        "close",
        "publish",
    ]
