"""The secretariat's proposal pages (awards/views_proposals.py): the bloc-year's list, the
proposal page (eligibility explained, reports, versions, history, snapshot), and every
form's bad input (400, the Vietnamese error next to the field, nothing saved)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from awards import services
from awards.models import AwardProposal, ProposalEvent, ProposalItem, ProposalVersion

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
    # The head's leader sees his unit's line and a link to the proposal his unit is in,
    # not to the one it is not in.
    assert drafted.head.name in page
    assert reverse("awards:proposal_detail", args=[drafted.flag.pk]) in page
    assert reverse("awards:proposal_detail", args=[drafted.chair.pk]) not in page
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


def test_proposal_is_not_for_members_or_other_boards(drafted, client):
    url = reverse("awards:proposal_detail", args=[drafted.flag.pk])
    for role in ("staff_member", "leader_nonmember", "board_other", "secretariat_other"):
        client.force_login(drafted.users[role])
        assert client.get(url).status_code == 403, role
    client.force_login(drafted.users["board_here"])
    page = client.get(url).content.decode()
    assert drafted.head.name in page
    assert 'id="item-add"' not in page and "item-remove" not in page
    assert client.get(reverse("awards:proposal_detail", args=[999999])).status_code == 404


# --- the leaders of member units: their own unit's items only ---------------------------------


def _leader_of(unit, username):
    from blocs import services as bloc_services
    from blocs.models import RoleAssignment

    from ..conftest import make_user

    user = make_user(username)
    bloc_services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
    return user


def test_leader_sees_own_item_not_another(drafted, client):
    """The chair's certificate has the deputy and the member: the deputy's leader reads the
    deputy's item (eligibility, report, the board's decision, its history) and nothing of
    the member's; the head's leader (not in it) is refused."""
    proposal = drafted.chair
    _with_reports(drafted, proposal)
    services.award_proposal_submit(version=_version(proposal), actor=_sec(drafted))
    board = drafted.users["board_here"]
    services.proposal_item_decide(
        item=_item(proposal, drafted.deputy),
        outcome="accepted",
        reason="Hồ sơ đầy đủ, đúng tiêu chuẩn.",
        actor=board,
    )
    services.proposal_item_decide(
        item=_item(proposal, drafted.member),
        outcome="returned",
        reason="Bổ sung số liệu năm 2020 của đơn vị.",
        actor=board,
    )
    url = reverse("awards:proposal_detail", args=[proposal.pk])
    client.force_login(_leader_of(drafted.deputy, "lanhdao.pho"))
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="item-{_item(proposal, drafted.deputy).pk}"' in page
    assert "Hồ sơ đầy đủ, đúng tiêu chuẩn." in page
    assert "eligibility-summary" in page and "eligibility-reasons" in page
    assert drafted.deputy.name in page
    assert 'id="own-units-only"' in page
    # Nothing of the member: no card, no name, no decision, no history row.
    member_item = _item(proposal, drafted.member)
    assert f'id="item-{member_item.pk}"' not in page
    assert drafted.member.name not in page
    assert "Bổ sung số liệu năm 2020 của đơn vị." not in page
    # No forms of the secretariat or of the board.
    assert "review-decide-form" not in page and 'id="version-new"' not in page
    # The member's report file is not for him; the deputy's is a form (no file): 404.
    other = reverse("awards:proposal_item_report_file", args=[proposal.pk, member_item.pk])
    assert client.get(other).status_code == 403
    # Not the other proposal (the flag, for the head).
    assert client.get(reverse("awards:proposal_detail", args=[drafted.flag.pk])).status_code == 403
    # The head's leader: the chair's certificate has no item of his unit.
    client.force_login(drafted.users["leader_member"])
    assert client.get(url).status_code == 403
    page = client.get(reverse("awards:proposal_detail", args=[drafted.flag.pk])).content.decode()
    assert drafted.head.name in page and drafted.deputy.name not in page


def test_leader_reads_own_item_in_an_older_version(drafted, client):
    proposal = drafted.chair
    _with_reports(drafted, proposal)
    services.award_proposal_submit(version=_version(proposal), actor=_sec(drafted))
    services.proposal_item_decide(
        item=_item(proposal, drafted.member),
        outcome="returned",
        reason="Bổ sung số liệu.",
        actor=drafted.users["board_here"],
    )
    services.proposal_version_new(proposal=proposal, actor=_sec(drafted))
    client.force_login(_leader_of(drafted.member, "lanhdao.thanhvien"))
    page = client.get(reverse("awards:proposal_version", args=[proposal.pk, 1])).content.decode()
    assert drafted.member.name in page and "Bổ sung số liệu." in page
    assert drafted.deputy.name not in page


# --- remove a unit --------------------------------------------------------------------------


def _remove_url(world, proposal, item):
    return reverse("awards:proposal_item_remove", args=[proposal.pk, item.pk])


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "Cần ghi lý do bỏ đơn vị khỏi tờ trình."),
        ("abc", "Cần ghi lý do (ít nhất 5 ký tự)."),
        ("x" * 2001, "2000"),
    ],
)
def test_remove_needs_a_reason(drafted, client, reason, error):
    c = _client(client, _sec(drafted))
    item = _item(drafted.chair, drafted.member)
    response = c.post(_remove_url(drafted, drafted.chair, item), {"reason": reason})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert "is-invalid" in page
    item.refresh_from_db()
    assert item.removed_at is None
    assert not ProposalEvent.objects.filter(action="item_remove").exists()


def test_remove_then_add_back(drafted, client):
    # 2019 decided on paper: the member has its two consecutive years "hoàn thành tốt".
    for unit in (drafted.member, drafted.deputy):
        services.classification_record_set(
            unit=unit,
            year=2019,
            classification="good",
            source="Quyết định số 15/QĐ-UBND ngày 20/01/2020",
            actor=drafted.users["admin"],
        )
    c = _client(client, _sec(drafted))
    item = _item(drafted.chair, drafted.member)
    response = c.post(
        _remove_url(drafted, drafted.chair, item), {"reason": "Đơn vị xin rút đề nghị."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.removed_reason == "Đơn vị xin rút đề nghị."
    page = c.get(reverse("awards:proposal_detail", args=[drafted.chair.pk])).content.decode()
    assert "Đơn vị xin rút đề nghị." in page  # removed list and history
    response = c.post(
        reverse("awards:proposal_item_add", args=[drafted.chair.pk]), {"unit": drafted.member.pk}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.removed_at is None


def test_remove_an_item_of_another_proposal_is_404(drafted, client):
    c = _client(client, _sec(drafted))
    other = _item(drafted.flag, drafted.head)
    response = c.post(_remove_url(drafted, drafted.chair, other), {"reason": "Lý do đủ dài."})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.removed_at is None


# --- add a unit -----------------------------------------------------------------------------


def test_add_refuses_forged_and_non_member_units(drafted, client):
    from blocs.models import Unit

    c = _client(client, _sec(drafted))
    url = reverse("awards:proposal_item_add", args=[drafted.flag.pk])
    far = Unit.objects.filter(province=drafted.other_province).first()
    count = ProposalItem.objects.count()
    for value in (far.pk, drafted.non_member.pk, "abc", 999999, ""):
        response = c.post(url, {"unit": value})
        assert response.status_code == 400, value
        page = response.content.decode()
        assert 'id="add-unit-error"' in page, value
    assert ProposalItem.objects.count() == count


def test_add_refuses_an_ineligible_unit_with_the_reasons(drafted, client):
    from awards.eligibility import unit_eligibility

    c = _client(client, _sec(drafted))
    # The deputy ranks second: not eligible for the provincial flag (rank Nhất required).
    response = c.post(
        reverse("awards:proposal_item_add", args=[drafted.flag.pk]), {"unit": drafted.deputy.pk}
    )
    assert response.status_code == 400
    page = response.content.decode()
    result = unit_eligibility(
        bloc_year=drafted.bloc_year,
        award_type=drafted.flag.award_type,
        unit=drafted.deputy,
        selection=None,
    )
    assert not result.eligible
    assert "Chưa đủ" in page
    for reason in result.reasons:
        if not reason.ok:
            assert reason.text in page
    assert not _version(drafted.flag).items.filter(unit=drafted.deputy).exists()


# --- the achievement report -----------------------------------------------------------------


def _report_url(proposal, item):
    return reverse("awards:proposal_item_report", args=[proposal.pk, item.pk])


def test_upload_a_report_and_download_it(drafted, client):
    c = _client(client, _sec(drafted))
    item = _item(drafted.flag, drafted.head)
    assert c.get(_report_url(drafted.flag, item)).status_code == 200
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    response = c.post(_report_url(drafted.flag, item), {"file": upload})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.report_name == "bao-cao.pdf"
    page = c.get(reverse("awards:proposal_detail", args=[drafted.flag.pk])).content.decode()
    file_url = reverse("awards:proposal_item_report_file", args=[drafted.flag.pk, item.pk])
    assert file_url in page
    response = c.get(file_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(drafted.users["leader_nonmember"])
    assert client.get(file_url).status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "không phải là tệp .pdf thật"),
        ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00", "Loại tệp không được nhận"),
        (None, None, "Hãy chọn tệp báo cáo thành tích."),
    ],
)
def test_upload_refuses_a_wrong_file(drafted, client, name, content, error):
    c = _client(client, _sec(drafted))
    item = _item(drafted.flag, drafted.head)
    data = {"file": SimpleUploadedFile(name, content)} if name else {}
    response = c.post(_report_url(drafted.flag, item), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page
    assert 'id="file-error"' in page
    item.refresh_from_db()
    assert not item.report_file and not item.report_sha256


def test_upload_over_the_limit_is_413(drafted, client, settings):
    settings.SCORING_EVIDENCE_MAX_BYTES = 1000
    c = _client(client, _sec(drafted))
    item = _item(drafted.flag, drafted.head)
    upload = SimpleUploadedFile("lon.pdf", PDF + b"0" * 5000, content_type="application/pdf")
    response = c.post(_report_url(drafted.flag, item), {"file": upload})
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.content.decode()
    item.refresh_from_db()
    assert not item.report_file


def _form_data(**extra):
    data = {
        "unit_name": FORM["unit_name"],
        "characteristics": FORM["characteristics"],
        "achievements": FORM["achievements"],
        "by_year_0_year": "2020",
        "by_year_0_text": "Thu hút 12 dự án đầu tư.",
        "by_year_1_year": "",
        "by_year_1_text": "",
        "awards_0_year": "2019",
        "awards_0_form": "Bằng khen của Chủ tịch UBND tỉnh",
        "awards_0_decision": "QĐ 12/QĐ-UBND ngày 10/01/2020",
    }
    data.update(extra)
    return data


def test_report_form_is_saved(drafted, client):
    c = _client(client, _sec(drafted))
    item = _item(drafted.flag, drafted.head)
    url = reverse("awards:proposal_item_report_form", args=[drafted.flag.pk, item.pk])
    response = c.post(url, _form_data())
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.report_form["by_year"] == [{"year": 2020, "text": "Thu hút 12 dự án đầu tư."}]
    assert item.report_form["awards_received"][0]["decision"] == "QĐ 12/QĐ-UBND ngày 10/01/2020"
    page = c.get(reverse("awards:proposal_detail", args=[drafted.flag.pk])).content.decode()
    assert "Mẫu số 02" in page and "Thu hút 12 dự án đầu tư." in page
    page = c.get(_report_url(drafted.flag, item)).content.decode()
    assert "Thu hút 12 dự án đầu tư." in page  # the form shows what was saved


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"characteristics": ""}, "Cần nhập mục “Đặc điểm, tình hình”."),
        ({"unit_name": "x" * 501}, "500"),
        ({"achievements": "x" * 20001}, "20000"),
        ({"by_year_0_year": "abcd"}, "Dòng 1: năm không hợp lệ."),
        ({"by_year_0_year": "20201"}, "4"),
        ({"awards_0_form": ""}, "Dòng 1 còn trống."),
    ],
)
def test_report_form_bad_input(drafted, client, extra, error):
    c = _client(client, _sec(drafted))
    item = _item(drafted.flag, drafted.head)
    url = reverse("awards:proposal_item_report_form", args=[drafted.flag.pk, item.pk])
    response = c.post(url, _form_data(**extra))
    assert response.status_code == 400
    assert error in response.content.decode()
    item.refresh_from_db()
    assert item.report_form is None


# --- submit, replay, a sealed version, a new version ----------------------------------------


def test_submit_needs_every_report(drafted, client):
    c = _client(client, _sec(drafted))
    url = reverse("awards:proposal_submit", args=[drafted.chair.pk])
    page = c.get(url).content.decode()
    assert "chưa có báo cáo thành tích" in page
    response = c.post(url)
    assert response.status_code == 400
    assert "Còn đơn vị chưa có báo cáo thành tích" in response.content.decode()
    assert _version(drafted.chair).status == ProposalVersion.Status.DRAFT


def test_submit_seals_then_replay_and_edits_are_refused(drafted, client):
    c = _client(client, _sec(drafted))
    proposal = drafted.chair
    _with_reports(drafted, proposal)
    url = reverse("awards:proposal_submit", args=[proposal.pk])
    assert c.post(url).status_code == 302
    version = _version(proposal)
    assert version.status == ProposalVersion.Status.SUBMITTED
    page = c.get(reverse("awards:proposal_detail", args=[proposal.pk])).content.decode()
    assert version.sha256 in page
    assert "Bản đã gửi (niêm phong)" in page
    assert "request-proposal-pdf" in page
    # The TTr request form names this version as its subject.
    assert reverse("documents:request", args=[drafted.bloc_year.pk, "award_proposal"]) in page
    assert f'name="subject" value="{version.pk}"' in page
    frozen = version.items.first().snapshot["eligibility"]["summary"]
    assert frozen in page
    events = ProposalEvent.objects.count()
    # Replay of the submission.
    response = c.post(url)
    assert response.status_code == 400
    assert "đã gửi Ban Thi đua - Khen thưởng nên không thể sửa" in response.content.decode()
    # Every edit of the sealed version is refused, nothing saved.
    item = version.items.get(unit=drafted.member)
    assert (
        c.post(_remove_url(drafted, proposal, item), {"reason": "Lý do đủ dài."}).status_code == 400
    )
    assert (
        c.post(
            reverse("awards:proposal_item_add", args=[proposal.pk]), {"unit": drafted.head.pk}
        ).status_code
        == 400
    )
    upload = SimpleUploadedFile("bao-cao.pdf", PDF, content_type="application/pdf")
    assert c.post(_report_url(proposal, item), {"file": upload}).status_code == 400
    form_url = reverse("awards:proposal_item_report_form", args=[proposal.pk, item.pk])
    assert c.post(form_url, _form_data()).status_code == 400
    # No return from the board: no new version either.
    response = c.post(reverse("awards:proposal_version_new", args=[proposal.pk]))
    assert response.status_code == 400
    assert "chưa trả lại đơn vị nào" in response.content.decode()
    assert ProposalEvent.objects.count() == events
    item.refresh_from_db()
    assert item.removed_at is None and not item.report_file
    assert proposal.versions.count() == 1


def test_returned_then_new_version_old_one_readable(drafted, client):
    c = _client(client, _sec(drafted))
    proposal = drafted.chair
    _with_reports(drafted, proposal)
    services.award_proposal_submit(version=_version(proposal), actor=_sec(drafted))
    item = _item(proposal, drafted.member)
    services.proposal_item_decide(
        item=item,
        outcome="returned",
        reason="Bổ sung số liệu năm 2020.",
        actor=drafted.users["board_here"],
    )
    page = c.get(reverse("awards:proposal_detail", args=[proposal.pk])).content.decode()
    assert "Lập phiên bản mới" in page
    assert "Bổ sung số liệu năm 2020." in page  # history
    response = c.post(
        reverse("awards:proposal_version_new", args=[proposal.pk]), {"note": "Sửa theo ý kiến."}
    )
    assert response.status_code == 302
    assert _version(proposal).number == 2
    old = c.get(reverse("awards:proposal_version", args=[proposal.pk, 1]))
    assert old.status_code == 200
    page = old.content.decode()
    assert "phiên bản cũ, chỉ để đọc" in page
    assert 'id="item-add"' not in page
    assert c.get(reverse("awards:proposal_version", args=[proposal.pk, 9])).status_code == 404
    page = c.get(reverse("awards:proposal_detail", args=[proposal.pk])).content.decode()
    assert 'id="item-add"' in page and "Sửa theo ý kiến." in page
    # Too long a note: 400, no third version.
    response = c.post(
        reverse("awards:proposal_version_new", args=[proposal.pk]), {"note": "x" * 2001}
    )
    assert response.status_code == 400
    assert proposal.versions.count() == 2


def test_bloc_year_page_links_the_proposals(drafted, client):
    url = reverse("blocs:bloc_year_detail", args=[drafted.bloc_year.pk])
    target = reverse("awards:proposal_list", args=[drafted.bloc_year.pk])
    for role in ("secretariat_here", "leader_member"):
        client.force_login(drafted.users[role])
        assert target in client.get(url).content.decode()


# --- query caps -----------------------------------------------------------------------------


def test_pages_in_constant_queries(world, client, django_assert_max_num_queries):
    """The list and the proposal page read in the same number of queries with 3 units as
    with 10 units in a proposal."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from awards.models import AwardType

    from ..meetings.conftest import ballot_year_build
    from .conftest import nominate

    by = ballot_year_build(world, n_units=10)
    services.award_types_seed(province=world.province)
    types = {a.name: a for a in AwardType.objects.filter(province=world.province)}
    nominate(
        by.bloc_year,
        types[services.CHAIR_CERTIFICATE],
        dict.fromkeys(by.units[:3], 10),
        actor=by.secretariat,
        max_winners=3,
    )
    nominate(
        by.bloc_year,
        types[services.PM_CERTIFICATE],
        dict.fromkeys(by.units, 10),
        actor=by.secretariat,
        max_winners=10,
    )
    drafts = {
        p.award_type.name: p
        for p in services.award_proposals_draft(bloc_year=by.bloc_year, actor=by.secretariat)
    }
    small, big = drafts[services.CHAIR_CERTIFICATE], drafts[services.PM_CERTIFICATE]
    assert _version(small).items.count() == 3 and _version(big).items.count() == 10
    for p in (small, big):
        for item in _version(p).items.all():
            services.proposal_item_report_form_save(
                item=item, form={**FORM, "unit_name": item.unit.name}, actor=by.secretariat
            )
    client.force_login(by.secretariat)
    counts = {}
    for p in (small, big):
        url = reverse("awards:proposal_detail", args=[p.pk])
        client.get(url)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[p.pk] = len(ctx)
    assert counts[small.pk] == counts[big.pk], counts
    with django_assert_max_num_queries(45):
        client.get(reverse("awards:proposal_detail", args=[big.pk]))
    with django_assert_max_num_queries(15):
        assert (
            client.get(reverse("awards:proposal_list", args=[by.bloc_year.pk])).status_code == 200
        )
    # Submitted: the frozen page too.
    services.award_proposal_submit(version=_version(small), actor=by.secretariat)
    services.award_proposal_submit(version=_version(big), actor=by.secretariat)
    for p in (small, big):
        url = reverse("awards:proposal_detail", args=[p.pk])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[p.pk] = len(ctx)
    assert counts[small.pk] == counts[big.pk], counts
    print("query counts", counts)
