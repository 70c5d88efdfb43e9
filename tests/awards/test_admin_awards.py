"""The admin reads proposals and their history but changes none of them (sealed facts);
award types and conditions are edited through the services."""

import pytest
from django.test import Client
from django.urls import reverse

from awards import services
from awards.models import (
    AwardProposal,
    AwardRule,
    ItemDecision,
    ProposalEvent,
    ProposalItem,
    ProposalVersion,
)
from core.models import AuditEvent

from .test_proposals import FORM, _drafts, _version

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    client = Client()
    world.users["admin"].is_superuser = True
    world.users["admin"].save()
    client.force_login(world.users["admin"])
    return client


def test_proposal_pages_are_read_only_for_the_superuser(voted, awards, admin_client):
    world = voted
    proposal = _drafts(world)["Cờ thi đua của UBND tỉnh"]
    version = _version(proposal)
    item = version.items.get()
    services.proposal_item_report_form_save(
        item=item, form=FORM, actor=world.users["secretariat_here"]
    )
    services.award_proposal_submit(version=version, actor=world.users["secretariat_here"])
    services.proposal_item_decide(item=item, outcome="accepted", actor=world.users["board_here"])
    for model in (AwardProposal, ProposalVersion, ProposalItem, ItemDecision, ProposalEvent):
        name = f"admin:awards_{model._meta.model_name}"
        row = model.objects.order_by("pk").first()
        assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200, name
        assert admin_client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200, name
        assert admin_client.get(reverse(f"{name}_add")).status_code == 403, name
        response = admin_client.post(reverse(f"{name}_change", args=[row.pk]), {})
        assert response.status_code == 403, name
        assert "đã niêm phong" in response.content.decode()
        assert (
            admin_client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code
            == 403
        )
    assert ProposalVersion.objects.get(pk=version.pk).status == "submitted"


def test_a_condition_changed_in_the_admin_goes_through_the_service(world, awards, admin_client):
    rule = AwardRule.objects.get(award_type=awards["gov"])
    url = reverse("admin:awards_awardrule_change", args=[rule.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "rule_set": rule.rule_set_id,
        "award_type": rule.award_type_id,
        "required_classification": "excellent",
        "max_rank": "1",
        "ballot_pass_required": "on",
        "consecutive_years": "0",
        "consecutive_classification": "good",
        "merger_rule": "all",
        "quota": '[{"min_members": 0, "quota": 1}]',
        "ceiling_percent": "150",
        "ceiling_base_award": rule.ceiling_base_award_id,
        "ceiling_rounding": "up",
        "prerequisite_award": rule.prerequisite_award_id,
        "prerequisite_mode": "standard",
        "exclusive_group": "thanh-tich-nam",
        "notes": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "không quá 100%" in response.content.decode()
    response = admin_client.post(url, {**data, "ceiling_percent": "25"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert str(rule.ceiling_percent) == "25.00"
    assert AuditEvent.objects.filter(action="award_rule_set").exists()


def test_the_editable_awards_pages_open(world, awards, admin_client):
    services.classification_record_set(
        unit=world.head, year=2019, classification="good", source="QĐ 1/QĐ-UBND", actor=None
    )
    from awards.models import AwardType, ClassificationRecord

    for model in (AwardType, AwardRule, ClassificationRecord):
        name = f"admin:awards_{model._meta.model_name}"
        row = model.objects.order_by("pk").first()
        for url in (
            reverse(f"{name}_changelist"),
            reverse(f"{name}_add"),
            reverse(f"{name}_change", args=[row.pk]),
        ):
            assert admin_client.get(url).status_code == 200, url
    url = reverse("admin:awards_classificationrecord_add")
    response = admin_client.post(
        url, {"unit": world.member.pk, "year": "2019", "classification": "best", "source": "QĐ 2"}
    )
    assert response.status_code == 200
    assert "Mã xếp loại không có trong quy chế năm 2019" in response.content.decode()
    assert not ClassificationRecord.objects.filter(unit=world.member).exists()
