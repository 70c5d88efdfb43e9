"""Award proposals (tờ trình): drafted from the published ballots, edited while draft,
submitted and sealed with a snapshot and hash, decided by the board item by item (accept,
return, reject with a reason), a returned proposal corrected as a new version, the
council's outcome, the append-only history and the e-mails (DESIGN.md §9)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from awards import services
from awards.eligibility import unit_eligibility
from awards.models import (
    AwardProposal,
    ItemDecision,
    ProposalEvent,
    ProposalItem,
    ProposalVersion,
)
from awards.selectors import item_status, proposal_facts, proposal_versions
from blocs import cycle
from blocs import services as bloc_services
from blocs.models import BlocYear

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "unit_name": "Ban Quản lý Khu kinh tế",
    "characteristics": "Cơ quan chuyên môn thuộc UBND tỉnh, 45 công chức.",
    "achievements": "Hoàn thành vượt mức các chỉ tiêu giao ước thi đua năm 2020.",
    "by_year": [{"year": "2020", "text": "Thu hút 12 dự án đầu tư."}],
    "awards_received": [{"year": 2019, "form": "Bằng khen", "decision": "QĐ 12/QĐ-UBND"}],
}


@pytest.fixture
def cycle_wired(monkeypatch):
    """blocs.cycle's facts with the proposal facts filled from awards.selectors, as the
    cycle is to read them (the integration the report asks for)."""
    original = cycle.year_facts_load

    def load(bloc_years):
        bloc_years = list(bloc_years)
        facts = original(bloc_years)
        for pk, f in proposal_facts(bloc_year_ids=list(facts)).items():
            facts[pk].proposals_submitted = f.submitted
            facts[pk].proposals_decided = f.decided
        return facts

    monkeypatch.setattr(cycle, "year_facts_load", load)


def _sec(world):
    return world.users["secretariat_here"]


def _board(world):
    return world.users["board_here"]


def _drafts(world):
    return {
        p.award_type.name: p
        for p in services.award_proposals_draft(bloc_year=world.bloc_year, actor=_sec(world))
    }


def _version(proposal) -> ProposalVersion:
    return proposal.versions.order_by("-number").first()


def _items(version) -> dict:
    return {i.unit.name: i for i in version.items.select_related("unit")}


def _ready(world, proposal):
    """Every unit of the draft gets its report (the form)."""
    for item in _version(proposal).items.filter(removed_at__isnull=True):
        services.proposal_item_report_form_save(item=item, form=FORM, actor=_sec(world))


def _submitted(world, name="Cờ thi đua của UBND tỉnh"):
    proposal = _drafts(world)[name]
    _ready(world, proposal)
    return services.award_proposal_submit(version=_version(proposal), actor=_sec(world))


# --- drafting --------------------------------------------------------------------------------


def test_draft_one_proposal_per_award_from_the_published_ballots(voted, awards):
    world = voted
    drafts = _drafts(world)
    assert list(drafts) == ["Cờ thi đua của UBND tỉnh", "Bằng khen của Chủ tịch UBND tỉnh"]
    flag = _version(drafts["Cờ thi đua của UBND tỉnh"])
    assert flag.number == 1 and flag.status == "draft"
    assert list(_items(flag)) == ["Ban Quản lý Khu kinh tế"]
    chair = _version(drafts["Bằng khen của Chủ tịch UBND tỉnh"])
    # In the order of yes votes.
    assert [i.unit.name for i in chair.items.order_by("order")] == [
        "Sở Giao thông vận tải",
        "Sở Xây dựng",
    ]
    assert ProposalEvent.objects.filter(action="draft").count() == 2
    # Drafting again creates nothing.
    _drafts(world)
    assert AwardProposal.objects.count() == 2 and ProposalVersion.objects.count() == 2


def test_draft_needs_the_secretariat_and_a_published_ballot(scored, awards):
    world = scored
    with pytest.raises(PermissionDenied):
        services.award_proposals_draft(bloc_year=world.bloc_year, actor=world.users["board_here"])
    with pytest.raises(ValidationError, match="lập tờ trình"):
        services.award_proposals_draft(bloc_year=world.bloc_year, actor=_sec(world))
    assert not AwardProposal.objects.exists()


# --- editing a draft -------------------------------------------------------------------------


def test_remove_a_unit_with_a_reason(voted, awards):
    world = voted
    chair = _version(_drafts(world)["Bằng khen của Chủ tịch UBND tỉnh"])
    item = _items(chair)["Sở Xây dựng"]
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_remove(item=item, reason=" ab ", actor=_sec(world))
    assert "Cần ghi lý do" in exc.value.message_dict["reason"][0]
    item.refresh_from_db()
    assert item.removed_at is None
    services.proposal_item_remove(
        item=item, reason="Đơn vị xin rút, đề nghị năm sau.", actor=_sec(world)
    )
    item.refresh_from_db()
    assert item.removed_at and item.removed_reason == "Đơn vị xin rút, đề nghị năm sau."
    assert item_status(item) == "removed"
    with pytest.raises(ValidationError, match="đã được bỏ"):
        services.proposal_item_remove(item=item, reason="Lần thứ hai.", actor=_sec(world))
    event = ProposalEvent.objects.get(action="item_remove")
    assert (event.from_status, event.to_status, event.actor_username) == (
        "draft",
        "removed",
        "secretariat.here",
    )


def test_add_a_unit_only_if_eligible(voted, awards):
    world = voted
    flag = _version(_drafts(world)["Cờ thi đua của UBND tỉnh"])
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_add(version=flag, unit=world.deputy, actor=_sec(world))
    assert exc.value.message_dict["unit"][0].startswith("Chưa đủ: xếp thứ Nhì, cần xếp thứ Nhất")
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_add(version=flag, unit=world.non_member, actor=_sec(world))
    assert "không phải thành viên" in exc.value.message_dict["unit"][0]
    with pytest.raises(ValidationError, match="đã có trong tờ trình"):
        services.proposal_item_add(version=flag, unit=world.head, actor=_sec(world))
    head = _items(flag)["Ban Quản lý Khu kinh tế"]
    services.proposal_item_remove(item=head, reason="Bổ sung hồ sơ sau.", actor=_sec(world))
    again = services.proposal_item_add(version=flag, unit=world.head, actor=_sec(world))
    assert again.pk == head.pk and again.removed_at is None and again.source == "added"
    assert ProposalItem.objects.filter(version=flag).count() == 1
    assert ProposalEvent.objects.get(action="item_add").reason.startswith(
        "Đủ điều kiện Cờ thi đua của UBND tỉnh: xếp thứ Nhất"
    )


def test_reports_uploaded_are_checked_by_content(voted, awards):
    world = voted
    item = _items(_version(_drafts(world)["Cờ thi đua của UBND tỉnh"]))["Ban Quản lý Khu kinh tế"]
    cases = [
        (None, "Hãy chọn tệp"),
        (SimpleUploadedFile("bao-cao.exe", b"MZ..."), "Chỉ nhận: pdf, doc, docx, odt"),
        (SimpleUploadedFile("bao-cao.pdf", b"<html>not a pdf</html>"), "không phải là tệp .pdf"),
    ]
    for upload, message in cases:
        with pytest.raises(ValidationError) as exc:
            services.proposal_item_report_upload(item=item, upload=upload, actor=_sec(world))
        assert message in exc.value.message_dict["file"][0]
    item.refresh_from_db()
    assert not item.report_file
    saved = services.proposal_item_report_upload(
        item=item, upload=SimpleUploadedFile("Báo cáo thành tích.pdf", PDF), actor=_sec(world)
    )
    assert saved.report_name == "Báo cáo thành tích.pdf" and saved.report_size == len(PDF)
    assert len(saved.report_sha256) == 64 and saved.has_report


def test_the_report_form_follows_mau_02(voted, awards):
    world = voted
    item = _items(_version(_drafts(world)["Cờ thi đua của UBND tỉnh"]))["Ban Quản lý Khu kinh tế"]
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_report_form_save(
            item=item,
            form={"unit_name": "x", "by_year": [{"year": "hai", "text": "a"}]},
            actor=_sec(world),
        )
    assert set(exc.value.message_dict) == {"characteristics", "achievements", "by_year"}
    assert "Đặc điểm, tình hình" in exc.value.message_dict["characteristics"][0]
    item.refresh_from_db()
    assert item.report_form is None
    saved = services.proposal_item_report_form_save(item=item, form=FORM, actor=_sec(world))
    assert saved.report_form["by_year"] == [{"year": 2020, "text": "Thu hút 12 dự án đầu tư."}]


# --- submission and the seal -----------------------------------------------------------------


def test_submit_needs_every_report(voted, awards):
    world = voted
    chair = _drafts(world)["Bằng khen của Chủ tịch UBND tỉnh"]
    with pytest.raises(ValidationError) as exc:
        services.award_proposal_submit(version=_version(chair), actor=_sec(world))
    assert "Sở Giao thông vận tải; Sở Xây dựng" in exc.value.messages[0]
    assert _version(chair).status == "draft"


def test_submit_seals_a_snapshot_with_its_hash(voted, awards):
    world = voted
    version = _submitted(world)
    version.refresh_from_db()
    assert version.status == "submitted" and version.submitted_by_username == "secretariat.here"
    assert version.sha256 == services.sha256_of(version.snapshot)
    snap = version.snapshot
    assert snap["award"]["name"] == "Cờ thi đua của UBND tỉnh"
    assert snap["bloc_year"]["year"] == 2020 and snap["rule_set"]["example"] is True
    (item_snap,) = snap["items"]
    eligibility = item_snap["eligibility"]
    assert eligibility["eligible"] is True and eligibility["rank"] == 1
    assert eligibility["classification"] == "Hoàn thành xuất sắc nhiệm vụ"
    assert eligibility["ballot"]["yes"] == 3
    assert eligibility["summary"].startswith("Đủ điều kiện Cờ thi đua của UBND tỉnh")
    item = version.items.get()
    assert item.sha256 == services.sha256_of(item.snapshot)
    assert item_status(item) == "submitted"


def test_a_sealed_version_refuses_every_edit(voted, awards):
    world = voted
    version = _submitted(world)
    item = version.items.get()
    for call in (
        lambda: services.proposal_item_remove(
            item=item, reason="Thử sửa sau khi gửi.", actor=_sec(world)
        ),
        lambda: services.proposal_item_add(version=version, unit=world.deputy, actor=_sec(world)),
        lambda: services.proposal_item_report_form_save(item=item, form=FORM, actor=_sec(world)),
        lambda: services.award_proposal_submit(version=version, actor=_sec(world)),
    ):
        with pytest.raises(ValidationError, match="đã gửi Ban Thi đua - Khen thưởng"):
            call()


@pytest.mark.parametrize("target", ["version", "item", "new_item"])
def test_the_database_refuses_changes_to_a_sealed_version(voted, awards, target):
    world = voted
    version = _submitted(world)
    with pytest.raises(DatabaseError), transaction.atomic():
        if target == "version":
            ProposalVersion.objects.filter(pk=version.pk).update(note="sửa")
        elif target == "item":
            ProposalItem.objects.filter(version=version).update(removed_reason="x")
        else:
            ProposalItem.objects.create(version=version, unit=world.deputy)


def test_the_snapshot_stays_what_the_board_saw(voted, awards):
    world = voted
    version = _submitted(world, "Bằng khen của Chủ tịch UBND tỉnh")
    before = ProposalVersion.objects.get(pk=version.pk).snapshot
    deputy = next(i for i in before["items"] if i["unit"]["name"] == "Sở Giao thông vận tải")
    assert "mới 1 năm liên tục hoàn thành tốt nhiệm vụ, cần 2" in deputy["eligibility"]["summary"]
    # Later: a past year is recorded and the unit renamed; the live eligibility changes,
    # the submitted snapshot does not.
    services.classification_record_set(
        unit=world.deputy, year=2019, classification="good", source="QĐ 3/QĐ-UBND", actor=None
    )
    bloc_services.unit_update(
        unit=world.deputy, province=world.province, name="Sở Giao thông Vận tải tỉnh"
    )
    live = unit_eligibility(
        bloc_year=world.bloc_year, award_type=awards["chair"], unit=world.deputy
    )
    assert "2 năm liên tục" in " ".join(r.text for r in live.reasons)
    after = ProposalVersion.objects.get(pk=version.pk)
    assert after.snapshot == before and after.sha256 == services.sha256_of(before)


def test_submission_moves_the_year_to_proposed(voted, awards, cycle_wired):
    world = voted
    _submitted(world)
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == BlocYear.Status.PROPOSED
    # The other proposal may still be submitted in "proposed".
    _submitted(world, "Bằng khen của Chủ tịch UBND tỉnh")
    facts = proposal_facts(bloc_year_ids=[world.bloc_year.pk])[world.bloc_year.pk]
    assert facts.submitted and not facts.decided


# --- the board's review ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"outcome": "approved"}, "outcome", "Hãy chọn"),
        ({"outcome": "returned", "reason": ""}, "reason", "Cần ghi lý do"),
        ({"outcome": "rejected"}, "reject_reason", "Hãy chọn lý do"),
        ({"outcome": "rejected", "reject_reason": "bad"}, "reject_reason", "Hãy chọn lý do"),
        ({"outcome": "rejected", "reject_reason": "other"}, "reason", "Cần ghi lý do"),
    ],
)
def test_bad_board_decisions_are_refused_next_to_the_field(voted, awards, kwargs, field, message):
    world = voted
    item = _submitted(world).items.get()
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_decide(item=item, actor=_board(world), **kwargs)
    assert message in exc.value.message_dict[field][0]
    assert not ItemDecision.objects.exists()


def test_only_the_board_of_the_province_decides_a_submitted_unit(voted, awards):
    world = voted
    draft = _version(_drafts(world)["Cờ thi đua của UBND tỉnh"]).items.get()
    with pytest.raises(ValidationError, match="chưa được gửi"):
        services.proposal_item_decide(item=draft, outcome="accepted", actor=_board(world))
    _ready(world, draft.version.proposal)
    services.award_proposal_submit(version=draft.version, actor=_sec(world))
    for role in ("secretariat_here", "board_other", "leader_member"):
        with pytest.raises(PermissionDenied):
            services.proposal_item_decide(item=draft, outcome="accepted", actor=world.users[role])
    services.proposal_item_decide(item=draft, outcome="accepted", actor=_board(world))
    with pytest.raises(ValidationError, match="đã quyết định"):
        services.proposal_item_decide(
            item=draft, outcome="rejected", reject_reason="legal_violation", actor=_board(world)
        )


@pytest.mark.parametrize(
    ("reject_reason", "label"),
    [
        ("wrong_subject", "Không đúng đối tượng"),
        ("standard_not_met", "Không đạt tiêu chuẩn"),
        ("incomplete_dossier", "Hồ sơ chưa đầy đủ"),
        ("legal_violation", "Vi phạm quy định của pháp luật"),
        ("other", "Lý do khác"),
    ],
)
def test_reject_reasons_are_recorded_and_mailed(
    voted, awards, reject_reason, label, django_capture_on_commit_callbacks
):
    world = voted
    item = _submitted(world).items.get()
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.proposal_item_decide(
            item=item,
            outcome="rejected",
            reject_reason=reject_reason,
            reason="Chi tiết kèm theo." if reject_reason == "other" else "",
            actor=_board(world),
        )
    assert decision.get_reject_reason_display() == label
    assert item_status(item) == "rejected"
    event = ProposalEvent.objects.get(action="board_decide")
    assert (event.from_status, event.to_status) == ("submitted", "rejected")
    assert event.reason.startswith(label)
    (message,) = mail.outbox
    assert message.to == ["thuky@example.vn"]
    assert "Ban Quản lý Khu kinh tế – Không đề nghị" in message.subject
    assert f"Lý do không đề nghị: {label}." in message.body


def test_decisions_and_history_are_append_only(voted, awards):
    world = voted
    item = _submitted(world).items.get()
    decision = services.proposal_item_decide(item=item, outcome="accepted", actor=_board(world))
    with pytest.raises(DatabaseError), transaction.atomic():
        ItemDecision.objects.filter(pk=decision.pk).update(outcome="rejected")
    with pytest.raises(DatabaseError), transaction.atomic():
        ProposalEvent.objects.filter(proposal=item.version.proposal).update(reason="x")


def test_return_then_a_new_version_corrected_and_resubmitted(
    voted, awards, cycle_wired, django_capture_on_commit_callbacks
):
    world = voted
    flag = _submitted(world)
    chair_v1 = _submitted(world, "Bằng khen của Chủ tịch UBND tỉnh")
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == BlocYear.Status.PROPOSED
    board = _board(world)
    services.proposal_item_decide(item=flag.items.get(), outcome="accepted", actor=board)
    items = _items(chair_v1)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_item_decide(
            item=items["Sở Giao thông vận tải"],
            outcome="returned",
            reason="Bổ sung số liệu năm 2019 vào báo cáo thành tích.",
            actor=board,
        )
    assert "Vui lòng hoàn thiện hồ sơ" in mail.outbox[-1].body
    services.proposal_item_decide(item=items["Sở Xây dựng"], outcome="accepted", actor=board)
    # A returned unit is not final: the year is not reviewed yet.
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == BlocYear.Status.PROPOSED
    with pytest.raises(ValidationError, match="phiên bản mới"):
        services.proposal_item_report_form_save(
            item=items["Sở Giao thông vận tải"], form=FORM, actor=_sec(world)
        )
    v2 = services.proposal_version_new(proposal=chair_v1.proposal, actor=_sec(world))
    assert v2.number == 2 and v2.status == "draft"
    new = _items(v2)
    assert set(new) == {"Sở Giao thông vận tải", "Sở Xây dựng"}
    # The acceptance is kept; the returned unit is open again.
    kept = new["Sở Xây dựng"].decisions.get()
    assert kept.outcome == "accepted" and kept.carried_from is not None
    assert not new["Sở Giao thông vận tải"].decisions.exists()
    services.proposal_item_report_upload(
        item=new["Sở Giao thông vận tải"],
        upload=SimpleUploadedFile("bao-cao-sua.pdf", PDF),
        actor=_sec(world),
    )
    services.award_proposal_submit(version=v2, actor=_sec(world))
    # The old version is kept as it was, readable.
    old = ProposalVersion.objects.get(pk=chair_v1.pk)
    assert old.status == "submitted" and old.sha256 == services.sha256_of(old.snapshot)
    assert [v.number for v in proposal_versions(proposal=chair_v1.proposal)] == [1, 2]
    with pytest.raises(ValidationError, match="phiên bản cũ"):
        services.proposal_item_decide(
            item=items["Sở Giao thông vận tải"], outcome="accepted", actor=board
        )
    services.proposal_item_decide(
        item=ProposalItem.objects.get(version=v2, unit=world.deputy),
        outcome="accepted",
        actor=board,
    )
    world.bloc_year.refresh_from_db()
    assert world.bloc_year.status == BlocYear.Status.REVIEWED
    actions = list(
        ProposalEvent.objects.filter(proposal=chair_v1.proposal).values_list("action", flat=True)
    )
    assert actions == [
        "draft",
        "report_form",
        "report_form",
        "submit",
        "board_decide",
        "board_decide",
        "version_new",
        "report_upload",
        "submit",
        "board_decide",
    ]


def test_a_rejected_unit_is_not_carried_into_the_new_version(voted, awards):
    world = voted
    chair = _submitted(world, "Bằng khen của Chủ tịch UBND tỉnh")
    items = _items(chair)
    board = _board(world)
    services.proposal_item_decide(
        item=items["Sở Xây dựng"], outcome="rejected", reject_reason="standard_not_met", actor=board
    )
    with pytest.raises(ValidationError, match="chưa trả lại"):
        services.proposal_version_new(proposal=chair.proposal, actor=_sec(world))
    services.proposal_item_decide(
        item=items["Sở Giao thông vận tải"],
        outcome="returned",
        reason="Thiếu số liệu.",
        actor=board,
    )
    v2 = services.proposal_version_new(proposal=chair.proposal, actor=_sec(world))
    assert list(_items(v2)) == ["Sở Giao thông vận tải"]
    with pytest.raises(ValidationError, match="dự thảo"):
        services.proposal_version_new(proposal=chair.proposal, actor=_sec(world))


# --- the council -----------------------------------------------------------------------------


def test_the_councils_outcome_with_number_date_and_signer(
    voted, awards, django_capture_on_commit_callbacks
):
    world = voted
    item = _submitted(world).items.get()
    board = _board(world)
    args = {
        "decision_number": "125/QĐ-UBND",
        "decision_date": dt.date(2021, 3, 2),
        "signer": "Trần Thắng",
    }
    with pytest.raises(ValidationError, match="đã được trình Hội đồng"):
        services.proposal_item_council_record(item=item, outcome="approved", actor=board, **args)
    services.proposal_item_decide(item=item, outcome="accepted", actor=board)
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_council_record(
            item=item,
            outcome="maybe",
            decision_number=" ",
            decision_date="02/03/2021",
            signer="",
            actor=board,
        )
    assert set(exc.value.message_dict) == {"outcome", "decision_number", "decision_date", "signer"}
    with pytest.raises(ValidationError) as exc:
        services.proposal_item_council_record(
            item=item,
            outcome="approved",
            actor=board,
            **{**args, "decision_date": dt.date(2019, 1, 1)},
        )
    assert "trước năm thi đua" in exc.value.message_dict["decision_date"][0]
    with pytest.raises(PermissionDenied):
        services.proposal_item_council_record(
            item=item, outcome="approved", actor=_sec(world), **args
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_item_council_record(item=item, outcome="approved", actor=board, **args)
    assert item_status(item) == "approved"
    event = ProposalEvent.objects.get(action="council_record")
    assert event.reason == "Quyết định số 125/QĐ-UBND ngày 02/03/2021, Trần Thắng"
    assert (
        "Quyết định số 125/QĐ-UBND ngày 02/03/2021, người ký: Trần Thắng." in mail.outbox[-1].body
    )
    with pytest.raises(ValidationError, match="Đã ghi kết quả"):
        services.proposal_item_council_record(item=item, outcome="cut", actor=board, **args)


# --- the facts the cycle reads ---------------------------------------------------------------


def test_proposal_facts_in_a_constant_number_of_queries(voted, awards):
    world = voted
    ids = [world.bloc_year.pk, world.other_bloc_year.pk]
    assert not proposal_facts(bloc_year_ids=ids)[world.bloc_year.pk].submitted
    _submitted(world)
    with CaptureQueriesContext(connection) as one:
        facts = proposal_facts(bloc_year_ids=ids)
    assert facts[world.bloc_year.pk].submitted and not facts[world.bloc_year.pk].decided
    assert not facts[world.other_bloc_year.pk].submitted
    services.proposal_item_decide(
        item=ProposalItem.objects.get(version__status="submitted"),
        outcome="accepted",
        actor=_board(world),
    )
    _submitted(world, "Bằng khen của Chủ tịch UBND tỉnh")
    with CaptureQueriesContext(connection) as two:
        facts = proposal_facts(bloc_year_ids=ids)
    assert not facts[world.bloc_year.pk].decided
    assert len(one.captured_queries) == len(two.captured_queries) == 2


def test_eligibility_counts_the_proposals_units_once_drafted(voted, awards):
    from awards.selectors import bloc_year_eligibility

    world = voted
    flag = awards["flag"]
    before = bloc_year_eligibility(bloc_year=world.bloc_year)
    assert before[(flag.pk, world.head.pk)].selected
    item = _items(_version(_drafts(world)["Cờ thi đua của UBND tỉnh"]))["Ban Quản lý Khu kinh tế"]
    services.proposal_item_remove(item=item, reason="Đề nghị hình thức khác.", actor=_sec(world))
    after = bloc_year_eligibility(bloc_year=world.bloc_year)
    assert not after[(flag.pk, world.head.pk)].selected
    # The Government flag no longer meets a provincial flag of the same unit.
    gov = after[(awards["gov"].pk, world.head.pk)]
    assert not [r for r in gov.reasons if r.code == "exclusive" and not r.ok]
