"""The demo proposals (awards/demo.py) through the services, on the demo meetings."""

import pytest

from awards import demo
from awards.models import AwardProposal, ItemDecision, ProposalVersion
from awards.selectors import item_status
from blocs import demo as blocs_demo
from blocs.models import RoleAssignment

pytestmark = pytest.mark.django_db


def test_demo_proposals_of_the_three_meetings_loaded_twice_change_nothing():
    blocs_demo.demo_load()
    accounts = dict(demo.demo_load())
    assert set(accounts) == {"ban.tdkt.bacninh", "ban.tdkt.001"}
    counts = (AwardProposal.objects.count(), ProposalVersion.objects.count())
    demo.demo_load()
    assert (AwardProposal.objects.count(), ProposalVersion.objects.count()) == counts

    bn = AwardProposal.objects.filter(bloc_year__bloc__province__code="bac-ninh")
    assert bn.count() == 4
    gov = bn.get(award_type__name="Cờ thi đua của Chính phủ")
    item = gov.versions.get(number=1).items.get(unit__name="Sở Công Thương")
    assert item_status(item) == "accepted"
    assert item.snapshot["eligibility"]["reasons"]  # its reasons, frozen
    pm = bn.get(award_type__name="Bằng khen của Thủ tướng Chính phủ")
    assert list(pm.versions.values_list("number", "status")) == [(1, "submitted"), (2, "submitted")]
    returned = ItemDecision.objects.get(outcome="returned")
    assert returned.decided_by_username == "ban.tdkt.bacninh"
    assert RoleAssignment.objects.filter(
        user__username="ban.tdkt.bacninh", role="board", province__code="bac-ninh"
    ).exists()
    assert RoleAssignment.objects.filter(
        user__username="thuky.bacninh", role="secretariat", bloc_year=gov.bloc_year
    ).exists()

    unnamed = ProposalVersion.objects.filter(
        proposal__bloc_year__bloc__province__code="chua-ro-ten"
    )
    assert unnamed.count() == 3 and set(unnamed.values_list("status", flat=True)) == {"submitted"}
    assert not ItemDecision.objects.filter(item__version__in=unnamed).exists()

    dl = ProposalVersion.objects.filter(proposal__bloc_year__bloc__province__code="dak-lak")
    assert set(dl.values_list("status", flat=True)) == {"draft"}
    names = {
        (v.proposal.award_type.name, tuple(sorted(i.unit.name for i in v.items.all())))
        for v in dl.select_related("proposal__award_type").prefetch_related("items__unit")
    }
    assert ("Cờ thi đua của UBND tỉnh", ("Sở Giao thông Vận tải",)) in names
