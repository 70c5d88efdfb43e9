"""The secretariat's proposal pages (awards/views_proposals.py): the bloc-year's list, the
proposal page (eligibility explained, reports, versions, history, snapshot), and every
form's bad input (400, the Vietnamese error next to the field, nothing saved)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.models import AwardProposal, ProposalEvent, ProposalItem, ProposalVersion
from blocs import services as bloc_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "unit_name": "Ban Quản lý Khu kinh tế",
    "characteristics": "Cơ quan chuyên môn thuộc UBND tỉnh, 45 công chức.",
    "achievements": "Hoàn thành vượt mức các chỉ tiêu giao ước thi đua năm 2020.",
    "by_year": [{"year": "2020", "text": "Thu hút 12 dự án đầu tư."}],
    "awards_received": [{"year": 2019, "form": "Bằng khen", "decision": "QĐ 12/QĐ-UBND"}],
}


def _sec(world):
    return world.users["secretariat_here"]


def _client(client, user):
    client.force_login(user)
    return client


def _drafts(world) -> dict:
    return {
        p.award_type.name: p
        for p in services.award_proposals_draft(bloc_year=world.bloc_year, actor=_sec(world))
    }


@pytest.fixture
def drafted(voted):
    world = voted
    world.proposals = _drafts(world)
    world.flag = world.proposals[services.PROVINCE_FLAG]
    world.chair = world.proposals[services.CHAIR_CERTIFICATE]
    return world


def _version(proposal) -> ProposalVersion:
    return proposal.versions.order_by("-number").first()


def _item(proposal, unit) -> ProposalItem:
    return _version(proposal).items.get(unit=unit)


def _with_reports(world, proposal):
    for item in _version(proposal).items.filter(removed_at__isnull=True):
        services.proposal_item_report_form_save(
            item=item, form={**FORM, "unit_name": item.unit.name}, actor=_sec(world)
        )


# --- the list -----------------------------------------------------------------------------


def test_list_offers_the_draft_button_after_the_ballots(voted, client):
    c = _client(client, _sec(voted))
    url = reverse("awards:proposal_list", args=[voted.bloc_year.pk])
    page = c.get(url).content.decode()
    assert "Lập tờ trình từ kết quả bỏ phiếu" in page
    response = c.post(reverse("awards:proposals_draft", args=[voted.bloc_year.pk]))
    assert response.status_code == 302
    assert AwardProposal.objects.filter(bloc_year=voted.bloc_year).count() == 2
    page = c.get(url).content.decode()
    assert services.PROVINCE_FLAG in page and services.CHAIR_CERTIFICATE in page
    assert "proposal-row" in page


def test_list_is_read_only_for_members_and_board(drafted, client):
    url = reverse("awards:proposal_list", args=[drafted.bloc_year.pk])
    for role in ("leader_member", "board_here"):
        client.force_login(drafted.users[role])
        page = client.get(url).content.decode()
        assert services.PROVINCE_FLAG in page
        assert "draft-button" not in page
    client.force_login(drafted.users["leader_member"])
    page = client.get(url).content.decode()
    # The head's leader sees his unit's line, not a link to the proposal.
    assert drafted.head.name in page
    assert reverse("awards:proposal_detail", args=[drafted.flag.pk]) not in page
    assert (
        client.post(reverse("awards:proposals_draft", args=[drafted.bloc_year.pk])).status_code
        == 403
    )


def test_draft_refused_without_published_ballots(scored, client):
    c = _client(client, _sec(scored))
    page = c.get(reverse("awards:proposal_list", args=[scored.bloc_year.pk])).content.decode()
    assert "draft-button" not in page
    response = c.post(reverse("awards:proposals_draft", args=[scored.bloc_year.pk]))
    assert response.status_code == 400
    assert not AwardProposal.objects.exists()


# --- the proposal page --------------------------------------------------------------------


def test_proposal_page_explains_eligibility(drafted, client):
    from awards.eligibility import unit_eligibility

    c = _client(client, _sec(drafted))
    response = c.get(reverse("awards:proposal_detail", args=[drafted.flag.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    result = unit_eligibility(
        bloc_year=drafted.bloc_year,
        award_type=drafted.flag.award_type,
        unit=drafted.head,
        selection=None,
    )
    for reason in result.reasons:
        assert reason.text in page
    assert "Đủ điều kiện" in page
    assert "Chưa có báo cáo thành tích" in page
    assert "Lập từ kết quả bỏ phiếu bình xét" in page  # the history
    assert 'id="item-add"' in page
