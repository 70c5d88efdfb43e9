"""The year's cycle and its ballots: voting cannot be stepped back once a ballot of the
year-end meeting has opened (its votes cannot be undone); before that it can."""

import pytest
from django.core.exceptions import ValidationError

from blocs import cycle
from blocs.models import BlocYear
from meetings.services import ballots as services

from .conftest import ballot_nomination

pytestmark = pytest.mark.django_db

REASON = "Ban TĐKT cần thẩm định lại điểm của một đơn vị"


def test_voting_steps_back_while_no_ballot_opened(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    cycle.bloc_year_open_voting(bloc_year=by.bloc_year, actor=by.board)
    cycle.bloc_year_step_back(bloc_year=by.bloc_year, reason=REASON, actor=by.secretariat)
    assert cycle.bloc_year_status_fresh(by.bloc_year) == BlocYear.Status.SCORING
    # Opening the ballot takes the year to voting again; from then on there is no way back.
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    assert cycle.bloc_year_status_fresh(by.bloc_year) == BlocYear.Status.VOTING
    with pytest.raises(ValidationError) as exc:
        cycle.bloc_year_step_back(bloc_year=by.bloc_year, reason=REASON, actor=by.secretariat)
    assert "đã mở bỏ phiếu" in exc.value.messages[0]
    assert cycle.bloc_year_status_fresh(by.bloc_year) == BlocYear.Status.VOTING
