"""The ballot pages: create and edit, the ballot page (live count, result, receipts,
recount), the secretariat's actions, paper counts, the voting page and its receipt. Bad
input on every form and endpoint: a Vietnamese message next to the field, nothing saved."""

import json
import logging
import re
import sys

import pytest
from django.contrib.messages import get_messages
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import ExceptionReporter

from meetings.models import (
    Ballot,
    BallotCandidate,
    BallotEvent,
    BallotParticipation,
    StagedVote,
    Vote,
)
from meetings.selectors import ballots as selectors
from meetings.services import ballots as services

from .conftest import (
    ballot_attend,
    ballot_cast,
    ballot_election,
    ballot_nomination,
    ballot_year_build,
)
from .url_expectations_ballots import EXPECTED, EXPECTED_POST, ROLES, ballots_world_build

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _field_error(response, field: str) -> str:
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


# --- URL x role ------------------------------------------------------------------------------


@pytest.fixture
def ballot_objects(world):
    return ballots_world_build(world)


@pytest.mark.parametrize(
    "rows,name",
    [(EXPECTED, n) for n in sorted(EXPECTED)] + [(EXPECTED_POST, n) for n in sorted(EXPECTED_POST)],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_ballot_urls_with_every_role(rows, name, world, ballot_objects):
    """The rows of url_expectations_ballots, GET and POST, each role; nothing a refused or
    bad request does is kept."""
    method, kwargs, expected, *rest = rows[name]
    reset = rest[0] if rest else None
    url = reverse(name, kwargs=kwargs(world, ballot_objects))
    assert set(expected) == set(ROLES)
    counts = (StagedVote.objects.count(), Vote.objects.count(), Ballot.objects.count())
    failures = []
    for role in ROLES:
        client = Client()
        if world.users.get(role) is not None:
            client.force_login(world.users[role])
        response = getattr(client, method)(url)
        want = expected[role]
        if want == "login":
            ok = response.status_code == 302 and response.url.startswith(reverse("login"))
        else:
            ok = response.status_code == want
        if not ok:
            failures.append(f"{role}: got {response.status_code}, want {want}")
        if reset is not None:
            reset(ballot_objects)
    assert not failures, f"{name} {method} ({url}): " + "; ".join(failures)
    assert (StagedVote.objects.count(), Vote.objects.count(), Ballot.objects.count()) == counts


# --- create and edit -------------------------------------------------------------------------


def test_create_page_shows_the_rule_sets_pass_rules_read_only(ballot_year):
    by = ballot_year
    response = _client(by.secretariat).get(reverse("meetings:ballot_create", args=[by.meeting.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "Đạt khi số phiếu đồng ý trên 50% tổng số đơn vị thành viên." in text
    for unit in by.units:
        assert unit.name in text
    assert "Ứng cử Trưởng khối" in text and "Ứng cử Phó khối" in text
    # The suggested titles for ballot.js: from the award type, and next year's election.
    body = response.content.decode()
    titles = json.loads(
        re.search(r'id="ballot-titles" type="application/json">(.*?)</script>', body).group(1)
    )
    assert (
        titles["nomination"][str(by.award_type.pk)] == "Bình xét Cờ thi đua của UBND tỉnh năm 2020"
    )
    assert titles["election"] == "Bầu Trưởng khối, Phó khối năm 2021"
    assert response.context["form"]["title"].value() == "Bình xét Cờ thi đua của UBND tỉnh năm 2020"
    assert "<script src=" in body and 'id="ballot-titles" type="application/json"' in body


def test_create_nomination_with_the_default_title(ballot_year):
    by = ballot_year
    a, b = by.units[:2]
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_create", args=[by.meeting.pk]),
        {
            "kind": "nomination",
            "award_type": by.award_type.pk,
            "title": "",
            "method": "online",
            "candidates": [a.pk, b.pk],
            "max_winners": "1",
        },
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert response.url == reverse("meetings:ballot_detail", args=[ballot.pk])
    assert ballot.title == "Bình xét Cờ thi đua của UBND tỉnh năm 2020"
    assert ballot.award_type == by.award_type and ballot.status == "created"
    assert sorted(ballot.candidates.values_list("unit_id", flat=True)) == sorted([a.pk, b.pk])


def test_create_election_with_two_lists(ballot_year):
    by = ballot_year
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_create", args=[by.meeting.pk]),
        {
            "kind": "election",
            "award_type": by.award_type.pk,  # ignored for an election
            "method": "online",
            "head_candidates": [by.units[2].pk, by.units[3].pk],
            "deputy_candidates": [by.units[4].pk],
        },
    )
    assert response.status_code == 302
    ballot = Ballot.objects.get()
    assert ballot.kind == "election" and ballot.award_type is None
    assert ballot.title == "Bầu Trưởng khối, Phó khối năm 2021"
    assert sorted(ballot.candidates.values_list("unit_id", "position")) == sorted(
        [(by.units[2].pk, "head"), (by.units[3].pk, "head"), (by.units[4].pk, "deputy")]
    )


@pytest.mark.parametrize(
    "data,field,message",
    [
        ({"kind": "", "method": "online"}, "kind", "Hãy chọn loại phiếu."),
        ({"kind": "vote", "method": "online"}, "kind", "Thông tin này là bắt buộc."),
        (
            {"kind": "nomination", "method": "online", "candidates": ["A"]},
            "candidates",
            "không phải thành viên",
        ),
        ({"kind": "nomination", "method": "online"}, "award_type", "Hãy chọn danh hiệu"),
        (
            {"kind": "nomination", "method": "online", "award": 1},
            "candidates",
            "ít nhất một đơn vị",
        ),
        ({"kind": "nomination", "method": "fax"}, "method", "Thông tin này là bắt buộc."),
        (
            {"kind": "nomination", "method": "online", "max_winners": "hai"},
            "max_winners",
            "số nguyên",
        ),
        (
            {"kind": "nomination", "method": "online", "max_winners": "0"},
            "max_winners",
            "ít nhất 1",
        ),
        ({"kind": "nomination", "method": "online", "title": "x" * 301}, "title", "300 ký tự"),
        ({"kind": "election", "method": "online"}, "head_candidates", "Trưởng khối"),
        ({"kind": "election", "method": "online"}, "deputy_candidates", "Phó khối"),
        (
            {"kind": "nomination", "method": "online", "candidates": ["99999999999999999999"]},
            "candidates",
            "không phải thành viên",
        ),
    ],
)
def test_create_refuses_bad_input_next_to_the_field(ballot_year, data, field, message):
    by = ballot_year
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_create", args=[by.meeting.pk]), data
    )
    assert response.status_code == 400
    assert message in _field_error(response, field)
    assert message in _text(response)
    assert not Ballot.objects.exists()


def test_create_refuses_another_provinces_award_and_a_non_member(world, ballot_year):
    from awards.models import AwardType

    by = ballot_year
    far = AwardType.objects.create(
        province=world.other_province,
        name="Cờ thi đua của UBND tỉnh Đắk Lắk",
        level="province",
        kind="flag",
    )
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_create", args=[by.meeting.pk]),
        {
            "kind": "nomination",
            "award_type": far.pk,
            "method": "online",
            "candidates": [world.non_member.pk],
        },
    )
    assert response.status_code == 400
    assert "không thuộc tỉnh" in _field_error(response, "award_type")
    assert "không phải thành viên" in _field_error(response, "candidates")
    assert not Ballot.objects.exists()


def test_create_shows_the_services_refusal_next_to_the_field(ballot_year):
    """The head of this year may not stand as head again (rule set): the service's message
    is shown under the candidate lists."""
    by = ballot_year
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_create", args=[by.meeting.pk]),
        {
            "kind": "election",
            "method": "online",
            "head_candidates": [by.head.pk],
            "deputy_candidates": [by.units[4].pk],
        },
    )
    assert response.status_code == 400
    text = _text(response)
    assert "không làm Trưởng khối hai năm liền" in text
    assert not Ballot.objects.exists()


def test_edit_changes_settings_and_rules_while_created(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    client = _client(by.secretariat)
    url = reverse("meetings:ballot_edit", args=[ballot.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"]["title"].value() == ballot.title
    response = client.post(
        url,
        {
            "kind": "election",  # the kind stays
            "award_type": by.award_type.pk,
            "title": "Bình xét Cờ thi đua của UBND tỉnh năm 2020 (sửa)",
            "method": "mixed",
            "candidates": [by.units[0].pk, by.units[4].pk],
            "max_winners": "2",
            "rules-threshold_numerator": "2",
            "rules-threshold_denominator": "3",
            "rules-threshold_strict": "0",
            "rules-base": "present",
            "rules-self_vote_allowed": "",
            "rules-tie_rule": "second_round",
            "rules-publication": "receipts",
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    ballot.refresh_from_db()
    assert ballot.kind == "nomination" and ballot.method == "mixed" and ballot.max_winners == 2
    assert (ballot.threshold_numerator, ballot.threshold_denominator) == (2, 3)
    assert not ballot.threshold_strict and ballot.base == "present"
    assert not ballot.self_vote_allowed and ballot.publication == "receipts"
    assert sorted(ballot.candidates.values_list("unit_id", flat=True)) == sorted(
        [by.units[0].pk, by.units[4].pk]
    )
    page = client.get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert "Đạt khi số phiếu đồng ý từ 2/3 số đơn vị có mặt trở lên." in _text(page)


def test_edit_refuses_a_bad_fraction_next_to_the_field(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_edit", args=[ballot.pk]),
        {
            "award_type": by.award_type.pk,
            "method": "online",
            "candidates": [by.units[0].pk],
            "rules-threshold_numerator": "3",
            "rules-threshold_denominator": "2",
            "rules-threshold_strict": "1",
            "rules-base": "members",
            "rules-tie_rule": "score_ranking",
            "rules-publication": "choices",
        },
    )
    assert response.status_code == 400
    assert "Tử số không được lớn hơn mẫu số." in " ".join(
        response.context["rules_form"].errors["threshold_numerator"]
    )
    ballot.refresh_from_db()
    assert (ballot.threshold_numerator, ballot.threshold_denominator) == (1, 2)
    assert ballot.candidates.count() == 3


def test_edit_after_open_sends_back_with_the_reason(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    client = _client(by.secretariat)
    response = client.post(reverse("meetings:ballot_edit", args=[ballot.pk]), {"title": "Khác"})
    assert response.status_code == 302
    assert "không thể thay đổi thiết lập" in " ".join(
        m.message for m in get_messages(response.wsgi_request)
    )
    ballot.refresh_from_db()
    assert ballot.title != "Khác"


# --- the ballot page -------------------------------------------------------------------------


def test_open_ballot_page_has_the_live_count_and_the_vote_button(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
    leader = by.leaders[by.units[1].pk]
    response = _client(leader).get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "Đã bỏ phiếu: 1/9" in text
    body = response.content.decode()
    progress = reverse("meetings:ballot_progress", args=[ballot.pk])
    assert f'hx-get="{progress}?status=open"' in body and 'hx-trigger="every 4s"' in body
    assert reverse("meetings:ballot_vote", args=[ballot.pk]) in body
    # Who voted, never what.
    assert "Đã bỏ phiếu trực tuyến" in text
    assert "Kết quả bỏ phiếu" not in text
    # The board reads it but gets no vote button.
    board_page = _client(by.board).get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert board_page.status_code == 200
    assert 'id="vote-link"' not in board_page.content.decode()
    assert 'id="ballot-actions"' not in board_page.content.decode()


def test_progress_partial_counts_and_reloads_the_page_once_closed(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    client = _client(by.leaders[by.units[0].pk])
    url = reverse("meetings:ballot_progress", args=[ballot.pk])
    response = client.get(url + "?status=open", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "HX-Refresh" not in response
    assert "Đã bỏ phiếu: 0/9" in _text(response)
    ballot_cast(by, ballot, by.units[1], {by.units[0].pk: "yes"})
    assert "Đã bỏ phiếu: 1/9" in _text(client.get(url + "?status=open", HTTP_HX_REQUEST="true"))
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    response = client.get(url + "?status=open", HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"
    assert "hx-get" not in response.content.decode()


def test_published_page_shows_result_receipts_voters_and_recount(ballot_year):
    by = ballot_year
    a, b, c = by.units[:3]
    ballot = ballot_nomination(by, illustrative=True)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    receipts = [
        ballot_cast(by, ballot, unit, {a.pk: "yes", b.pk: "no"} if i < 6 else {a.pk: "no"})
        for i, unit in enumerate(by.units[:8])
    ]
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    closed_page = _client(by.leaders[a.pk]).get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert "Kết quả kiểm phiếu (chưa công bố)" in _text(closed_page)
    assert 'id="receipt-table"' not in closed_page.content.decode()
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    response = _client(by.leaders[a.pk]).get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "số liệu minh họa" in text
    assert (
        "Đạt khi số phiếu đồng ý trên 50% tổng số đơn vị thành viên; tỷ lệ tính trên "
        "tổng số đơn vị thành viên (9)." in text
    )
    # a: 6 yes of 9 members = 66,7%, passes and is proposed.
    row = re.search(
        rf'data-candidate="{ballot.candidates.get(unit=a).pk}">(.*?)</tr>',
        response.content.decode(),
        re.S,
    )
    cells = [x.strip() for x in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]
    assert cells[:5] == [a.name, "6", "2", "0", "66,7%"]
    assert "Đạt" in cells[5] and "Được đề nghị" in cells[6]
    # The receipts, sorted, with the search box; each voter finds theirs.
    listed = re.findall(r'data-receipt="([^"]+)"', response.content.decode())
    assert listed == sorted(receipts)
    assert "Tìm mã phiếu của bạn" in text and 'id="receipt-search"' in response.content.decode()
    # The units that voted (8 of 9), not the ninth.
    voted = re.search(r'id="voted-units">(.*?)</ul>', response.content.decode(), re.S).group(1)
    assert all(u.name in voted for u in by.units[:8]) and by.units[8].name not in voted
    # The recount equals the published totals.
    assert "Kết quả đếm lại bằng kết quả đã công bố." in text
    assert "Không khớp" not in text
    assert selectors.ballot_recount_matches(ballot=ballot)
    # The documents' spot is there for the documents helper.
    assert 'id="ballot-result"' in response.content.decode()


def test_small_electorate_warning_and_tie_note(world):
    by = ballot_year_build(world, n_units=6)
    a, b = by.units[:2]
    ballot = ballot_nomination(by, candidates=[a, b])
    services.ballot_update(ballot=ballot, actor=by.secretariat, tie_rule="second_round")
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    for unit in by.units:
        ballot_cast(by, ballot, unit, {a.pk: "yes", b.pk: "no"})
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    text = _text(_client(by.board).get(reverse("meetings:ballot_detail", args=[ballot.pk])))
    assert "Với 5–12 đơn vị, kết quả nhất trí cho thấy lựa chọn của từng đơn vị." in text


def test_second_round_when_the_tie_rule_asks(world):
    by = ballot_year_build(world, n_units=6)
    a, b, c = by.units[:3]
    ballot = ballot_nomination(by, candidates=[a, b, c])
    services.ballot_update(
        ballot=ballot, actor=by.secretariat, tie_rule="second_round", threshold_strict=False
    )
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    for i, unit in enumerate(by.units):
        # a and b: 3 yes each (at least half of 6), for one place.
        pattern = {a.pk: "yes", b.pk: "no"} if i < 3 else {a.pk: "no", b.pk: "yes"}
        ballot_cast(by, ballot, unit, pattern)
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    client = _client(by.secretariat)
    page = client.get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    text = _text(page)
    assert "Bằng phiếu:" in text and "vòng 2" in text
    assert 'id="confirm-second-round"' in page.content.decode()
    response = client.post(reverse("meetings:ballot_second_round", args=[ballot.pk]))
    assert response.status_code == 302
    second = Ballot.objects.get(previous_round=ballot)
    assert response.url == reverse("meetings:ballot_detail", args=[second.pk])
    assert sorted(second.candidates.values_list("unit_id", flat=True)) == sorted([a.pk, b.pk])
    # Twice: refused with the reason, nothing created.
    again = client.post(reverse("meetings:ballot_second_round", args=[ballot.pk]))
    assert again.status_code == 400
    assert "Đã có vòng bỏ phiếu tiếp theo" in _text(again)
    assert Ballot.objects.filter(previous_round=ballot).count() == 1


# --- the secretariat's actions -----------------------------------------------------------------


def test_open_close_publish_through_the_pages(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    client = _client(by.secretariat)
    page = client.get(reverse("meetings:ballot_detail", args=[ballot.pk])).content.decode()
    # Each action asks for confirmation first: the form is inside a <details>.
    assert re.search(r'<details class="ballot-confirm" id="confirm-open">\s*<summary', page)
    assert client.post(reverse("meetings:ballot_open", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "open"
    ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
    # Publish before close: refused with the reason, on the page, status unchanged.
    refused = client.post(reverse("meetings:ballot_publish", args=[ballot.pk]))
    assert refused.status_code == 400
    assert "công bố kết quả" in _text(refused)
    assert client.post(reverse("meetings:ballot_close", args=[ballot.pk])).status_code == 302
    assert client.post(reverse("meetings:ballot_publish", args=[ballot.pk])).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "published"
    assert [e.action for e in BallotEvent.objects.filter(ballot=ballot)] == [
        "create",
        "open",
        "close",
        "publish",
    ]


@pytest.mark.parametrize(
    "reason,message",
    [("", "Hãy ghi lý do làm lại"), ("   ", "Hãy ghi lý do làm lại"), ("ngắn", "ít nhất 10 ký tự")],
)
def test_reset_needs_a_reason_next_to_the_field(ballot_year, reason, message):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_reset", args=[ballot.pk]), {"reason": reason}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["reset_form"].errors["reason"])
    assert 'id="confirm-reset" open' in response.content.decode()
    ballot.refresh_from_db()
    assert ballot.status == "open"


def test_reset_with_a_reason_and_refused_after_a_vote(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    client = _client(by.secretariat)
    url = reverse("meetings:ballot_reset", args=[ballot.pk])
    assert client.post(url, {"reason": "Nhầm danh sách đơn vị được bình xét"}).status_code == 302
    ballot.refresh_from_db()
    assert ballot.status == "created"
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
    page = client.get(reverse("meetings:ballot_detail", args=[ballot.pk])).content.decode()
    assert 'id="confirm-reset"' not in page
    response = client.post(url, {"reason": "Nhầm danh sách đơn vị được bình xét"})
    assert response.status_code == 400
    assert "đã có đơn vị bỏ phiếu" in _text(response)
    ballot.refresh_from_db()
    assert ballot.status == "open"


def test_the_board_runs_nothing(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    client = _client(by.board)
    for name in (
        "ballot_open",
        "ballot_close",
        "ballot_publish",
        "ballot_reset",
        "ballot_paper_issue",
    ):
        assert client.post(reverse(f"meetings:{name}", args=[ballot.pk])).status_code == 403
    ballot.refresh_from_db()
    assert ballot.status == "created"


# --- paper ballots -----------------------------------------------------------------------------


@pytest.fixture
def mixed_ballot(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by, method="mixed")
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    return ballot


def test_paper_issue_to_a_unit(ballot_year, mixed_ballot):
    by = ballot_year
    client = _client(by.secretariat)
    page = client.get(reverse("meetings:ballot_detail", args=[mixed_ballot.pk]))
    assert 'id="paper-issue-form"' in page.content.decode()
    url = reverse("meetings:ballot_paper_issue", args=[mixed_ballot.pk])
    unit = by.units[3]
    assert client.post(url, {"unit": unit.pk}).status_code == 302
    assert BallotParticipation.objects.get(ballot=mixed_ballot, unit=unit).voted_method == "paper"
    # Again, another province's unit, a forged number, nothing: refused next to the field.
    for value, message in [
        (unit.pk, "không có quyền bỏ phiếu hoặc đã bỏ phiếu"),
        ("", "Hãy chọn đơn vị nhận phiếu giấy."),
        ("abc", "không có quyền bỏ phiếu hoặc đã bỏ phiếu"),
        ("99999999999999999999", "không có quyền bỏ phiếu hoặc đã bỏ phiếu"),
    ]:
        response = client.post(url, {"unit": value})
        assert response.status_code == 400, value
        assert message in " ".join(response.context["paper_issue_form"].errors["unit"])
    assert (
        BallotParticipation.objects.filter(ballot=mixed_ballot, voted_method="paper").count() == 1
    )
    # The unit with a paper ballot can no longer vote online.
    leader = _client(by.leaders[unit.pk])
    assert leader.get(reverse("meetings:ballot_vote", args=[mixed_ballot.pk])).status_code == 409


def _paper_data(ballot, **over):
    data = {"issued": "2", "returned": "2", "valid": "2", "invalid": "0"}
    for c in ballot.candidates.all():
        data[f"candidate_{c.pk}_yes"] = "1"
        data[f"candidate_{c.pk}_no"] = "1"
        data[f"candidate_{c.pk}_blank"] = "0"
    data.update(over)
    return data


def test_paper_counts_saved_when_they_add_up(ballot_year, mixed_ballot):
    by = ballot_year
    for unit in by.units[:2]:
        services.ballot_paper_issue(ballot=mixed_ballot, unit=unit, actor=by.secretariat)
    client = _client(by.secretariat)
    url = reverse("meetings:ballot_paper", args=[mixed_ballot.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["issued"].value() == 2
    response = client.post(url, _paper_data(mixed_ballot))
    assert response.status_code == 302
    mixed_ballot.refresh_from_db()
    assert (mixed_ballot.paper_issued, mixed_ballot.paper_valid) == (2, 2)
    assert set(
        BallotCandidate.objects.filter(ballot=mixed_ballot).values_list("paper_yes", flat=True)
    ) == {1}


def test_paper_counts_that_do_not_add_up_name_the_field(ballot_year, mixed_ballot):
    by = ballot_year
    for unit in by.units[:2]:
        services.ballot_paper_issue(ballot=mixed_ballot, unit=unit, actor=by.secretariat)
    client = _client(by.secretariat)
    url = reverse("meetings:ballot_paper", args=[mixed_ballot.pk])
    first = mixed_ballot.candidates.order_by("id").first()
    cases = [
        ({"returned": "3"}, "returned", "không được lớn hơn số phiếu phát ra"),
        ({"invalid": "1"}, "invalid", "phải bằng số phiếu thu về"),
        (
            {f"candidate_{first.pk}_yes": "2"},
            f"candidate_{first.pk}_yes",
            "phải bằng số phiếu hợp lệ",
        ),
        ({f"candidate_{first.pk}_no": "-1"}, f"candidate_{first.pk}_no", "không được là số âm"),
        (
            {f"candidate_{first.pk}_blank": "một"},
            f"candidate_{first.pk}_blank",
            "số nguyên không âm",
        ),
        ({"issued": ""}, "issued", "bắt buộc"),
        ({"issued": "10"}, "issued", "vượt số đơn vị có quyền bỏ phiếu giấy"),
    ]
    for over, field, message in cases:
        response = client.post(url, _paper_data(mixed_ballot, **over))
        assert response.status_code == 400, over
        assert message in _field_error(response, field), (over, response.context["form"].errors)
        # Shown next to its own input.
        body = response.content.decode()
        assert re.search(rf'id="id_{field}".*?{re.escape(message)}', body, re.S), field
    mixed_ballot.refresh_from_db()
    assert mixed_ballot.paper_issued is None
    assert not BallotCandidate.objects.filter(ballot=mixed_ballot, paper_yes__isnull=False).exists()


def test_paper_form_on_an_online_ballot_says_so(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    client = _client(by.secretariat)
    url = reverse("meetings:ballot_paper", args=[ballot.pk])
    assert "chỉ bỏ phiếu trực tuyến" in _text(client.get(url))
    response = client.post(url, _paper_data(ballot))
    assert response.status_code == 400 and "chỉ bỏ phiếu trực tuyến" in _text(response)
    ballot.refresh_from_db()
    assert ballot.paper_issued is None


# --- voting -------------------------------------------------------------------------------------


@pytest.fixture
def open_ballot(ballot_year):
    ballot = ballot_nomination(ballot_year)
    services.ballot_open(ballot=ballot, actor=ballot_year.secretariat)
    return ballot


def _vote_data(ballot, unit, answer="yes"):
    data = {"unit": unit.pk}
    for c in ballot.candidates.all():
        data[f"candidate_{c.pk}"] = "no"
    first = ballot.candidates.order_by("position", "order", "id").first()
    data[f"candidate_{first.pk}"] = answer
    return data


def test_vote_page_is_one_column_with_big_choices(ballot_year, open_ballot):
    by = ballot_year
    response = _client(by.leaders[by.units[0].pk]).get(
        reverse("meetings:ballot_vote", args=[open_ballot.pk])
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    assert body.count('class="btn-check"') == 2 * open_ballot.candidates.count()
    assert "Đồng ý" in body and "Không đồng ý" in body
    assert 'id="unit-chooser"' not in body  # one unit: no chooser
    assert by.units[0].name in _text(response)


def test_vote_renders_the_receipt_once_and_keeps_nothing(ballot_year, open_ballot, caplog):
    by = ballot_year
    unit = by.units[0]
    client = _client(by.leaders[unit.pk])
    url = reverse("meetings:ballot_vote", args=[open_ballot.pk])
    caplog.set_level(logging.DEBUG)
    response = client.post(url, _vote_data(open_ballot, unit))
    assert response.status_code == 200  # rendered, not redirected
    assert response["Cache-Control"] == "private, no-store"
    receipt = StagedVote.objects.get(ballot=open_ballot).receipt
    text = _text(response)
    assert f"Mã phiếu của bạn: {receipt}" in text
    assert "Hãy ghi lại: mã chỉ hiện một lần." in text
    assert "Tìm mã phiếu của bạn" in text
    # Not in the session, the messages, a URL or a log line.
    session = client.session
    assert all(receipt not in str(v) for v in session.values())
    assert not list(get_messages(response.wsgi_request))
    assert receipt not in response.wsgi_request.get_full_path()
    assert receipt not in caplog.text
    assert BallotParticipation.objects.get(ballot=open_ballot, unit=unit).voted_method == "online"
    # The ballot page afterwards never shows the receipt again.
    assert (
        receipt
        not in client.get(reverse("meetings:ballot_detail", args=[open_ballot.pk])).content.decode()
    )


def test_second_post_is_refused_and_nothing_is_stored(ballot_year, open_ballot):
    by = ballot_year
    unit = by.units[0]
    client = _client(by.leaders[unit.pk])
    url = reverse("meetings:ballot_vote", args=[open_ballot.pk])
    assert client.post(url, _vote_data(open_ballot, unit)).status_code == 200
    again = client.post(url, _vote_data(open_ballot, unit, "no"))
    assert again.status_code == 409
    assert "Đơn vị đã bỏ phiếu" in _text(again)
    assert StagedVote.objects.filter(ballot=open_ballot).count() == 1
    assert client.get(url).status_code == 409


def test_a_vote_for_another_unit_is_refused(ballot_year, open_ballot):
    by = ballot_year
    client = _client(by.leaders[by.units[0].pk])
    url = reverse("meetings:ballot_vote", args=[open_ballot.pk])
    for forged in (by.units[1].pk, 99999999999999999999, "abc"):
        data = _vote_data(open_ballot, by.units[0])
        data["unit"] = forged
        response = client.post(url, data)
        assert response.status_code in (400, 403), forged
    assert not StagedVote.objects.exists()
    assert (
        not BallotParticipation.objects.filter(ballot=open_ballot).exclude(voted_method="").exists()
    )


@pytest.mark.parametrize("answer", ["", "maybe", "blank"])
def test_a_missing_or_bad_choice_is_refused_next_to_the_field(ballot_year, open_ballot, answer):
    by = ballot_year
    unit = by.units[0]
    data = _vote_data(open_ballot, unit)
    first = open_ballot.candidates.order_by("position", "order", "id").first()
    data[f"candidate_{first.pk}"] = answer
    response = _client(by.leaders[unit.pk]).post(
        reverse("meetings:ballot_vote", args=[open_ballot.pk]), data
    )
    assert response.status_code == 400
    assert "Hãy chọn Đồng ý hoặc Không đồng ý cho đơn vị này." in _field_error(
        response, f"candidate_{first.pk}"
    )
    assert f'id="error-candidate_{first.pk}"' in response.content.decode()
    assert not StagedVote.objects.exists()
    assert (
        not BallotParticipation.objects.filter(ballot=open_ballot).exclude(voted_method="").exists()
    )


def test_too_many_yes_is_refused_by_the_service_with_nothing_stored(ballot_year, open_ballot):
    by = ballot_year
    unit = by.units[0]
    data = {"unit": unit.pk, **{f"candidate_{c.pk}": "yes" for c in open_ballot.candidates.all()}}
    response = _client(by.leaders[unit.pk]).post(
        reverse("meetings:ballot_vote", args=[open_ballot.pk]), data
    )
    assert response.status_code == 400
    assert "nhiều hơn số được chọn" in _text(response)
    assert not StagedVote.objects.exists()
    assert (
        not BallotParticipation.objects.filter(ballot=open_ballot).exclude(voted_method="").exists()
    )


def test_board_and_non_members_may_not_vote(world, ballot_year, open_ballot):
    by = ballot_year
    url = reverse("meetings:ballot_vote", args=[open_ballot.pk])
    for user in (
        by.board,
        by.admin,
        by.secretariat,
        world.users["leader_nonmember"],
        world.users["leader_member"],
    ):
        client = _client(user)
        assert client.get(url).status_code == 403
        assert client.post(url, _vote_data(open_ballot, by.units[0])).status_code == 403
    assert not StagedVote.objects.exists()


def test_staff_votes_only_when_named_as_the_representative(world):
    from blocs import services as bloc_services
    from blocs.models import RoleAssignment

    from ..conftest import make_user

    by = ballot_year_build(world, n_units=6)
    named, not_named = make_user("canbo.duoc.cu"), make_user("canbo.khong.cu")
    bloc_services.role_assign(user=named, role=RoleAssignment.Role.STAFF, unit=by.units[1])
    bloc_services.role_assign(user=not_named, role=RoleAssignment.Role.STAFF, unit=by.units[2])
    ballot_attend(by.meeting, by.units[1], by.secretariat, representative_user=named)
    ballot = ballot_nomination(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    url = reverse("meetings:ballot_vote", args=[ballot.pk])
    refused = _client(not_named)
    assert refused.get(url).status_code == 403
    assert refused.post(url, _vote_data(ballot, by.units[2])).status_code == 403
    client = _client(named)
    assert client.get(url).status_code == 200
    assert client.post(url, _vote_data(ballot, by.units[1])).status_code == 200
    voted = BallotParticipation.objects.filter(ballot=ballot).exclude(voted_method="")
    assert list(voted.values_list("unit_id", flat=True)) == [by.units[1].pk]


def test_a_user_who_votes_for_two_units_chooses_the_unit(ballot_year, open_ballot):
    by = ballot_year
    leader = by.leaders[by.units[0].pk]
    from blocs import services as bloc_services
    from blocs.models import RoleAssignment

    bloc_services.role_assign(user=leader, role=RoleAssignment.Role.LEADER, unit=by.units[1])
    client = _client(leader)
    url = reverse("meetings:ballot_vote", args=[open_ballot.pk])
    page = client.get(url)
    assert 'id="unit-chooser"' in page.content.decode()
    data = _vote_data(open_ballot, by.units[0])
    del data["unit"]
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Hãy chọn đơn vị mà bạn bỏ phiếu thay." in _field_error(response, "unit")
    data["unit"] = by.units[1].pk
    done = client.post(url, data)
    assert done.status_code == 200 and by.units[0].name in _text(done)  # the other one left
    assert client.get(url).status_code == 200  # still one unit to vote for
    assert list(
        BallotParticipation.objects.filter(ballot=open_ballot)
        .exclude(voted_method="")
        .values_list("unit_id", flat=True)
    ) == [by.units[1].pk]


def test_vote_on_a_closed_ballot_says_so(ballot_year, open_ballot):
    by = ballot_year
    services.ballot_close(ballot=open_ballot, actor=by.secretariat)
    client = _client(by.leaders[by.units[0].pk])
    response = client.get(reverse("meetings:ballot_vote", args=[open_ballot.pk]))
    assert response.status_code == 409
    assert "Cuộc bỏ phiếu đã kết thúc." in _text(response)


def test_error_reports_never_carry_the_choices(ballot_year, open_ballot, monkeypatch):
    """A crash in the vote view: the error report (what mail_admins would send) hides the
    POST and the view's variables."""
    by = ballot_year
    unit = by.units[0]
    reports = []

    def boom(**kwargs):
        raise RuntimeError("thử lỗi")

    def capture(sender, request, **kwargs):
        reports.append(ExceptionReporter(request, *sys.exc_info()))

    monkeypatch.setattr(services, "ballot_vote_cast", boom)
    got_request_exception.connect(capture)
    try:
        client = _client(by.leaders[unit.pk])
        client.raise_request_exception = False
        data = _vote_data(open_ballot, unit, "yes")
        response = client.post(reverse("meetings:ballot_vote", args=[open_ballot.pk]), data)
    finally:
        got_request_exception.disconnect(capture)
    assert response.status_code == 500
    (reporter,) = reports
    report = reporter.get_traceback_text()
    first = open_ballot.candidates.order_by("position", "order", "id").first()
    assert f"candidate_{first.pk}" in report  # the parameter names are listed ...
    assert "'yes'" not in report and "'no'" not in report  # ... never their values
    frames = [f for f in reporter.get_traceback_frames() if f["function"] == "ballot_vote"]
    assert frames and all("*****" in str(v) for _name, v in frames[0]["vars"])


# --- query caps -----------------------------------------------------------------------------


def _published(by, n_candidates):
    ballot = ballot_nomination(by, candidates=by.units[:n_candidates])
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    for unit in by.units:
        ballot_cast(by, ballot, unit, {by.units[0].pk: "yes"})
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    services.ballot_publish(ballot=ballot, actor=by.secretariat)
    return ballot


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# Session, user, scopes, ballot, bloc membership, participations, candidates, the voter's
# units (+ the receipts and the recount once published), and the documents' part (the jobs
# made, the request form): the same for 3 and 12 units.
QUERY_CAPS = {"open": 10, "published": 13}


@pytest.mark.parametrize("status", ["open", "published"])
def test_ballot_page_queries_do_not_grow_with_candidates_and_voters(
    world, status, django_assert_max_num_queries
):
    from django.db import transaction

    counts = {}
    for n in (3, 12):
        sid = transaction.savepoint()
        by = ballot_year_build(world, n_units=n)
        if status == "published":
            ballot = _published(by, n)
        else:
            ballot = ballot_nomination(by, candidates=by.units[:n])
            services.ballot_open(ballot=ballot, actor=by.secretariat)
            for unit in by.units[: n // 2]:
                ballot_cast(by, ballot, unit, {by.units[0].pk: "yes"})
        url = reverse("meetings:ballot_detail", args=[ballot.pk])
        for who, user in (("secretariat", by.secretariat), ("leader", by.leaders[by.units[-1].pk])):
            client = _client(user)
            client.get(url)  # the session's first request updates it
            with django_assert_max_num_queries(QUERY_CAPS[status]):
                counts[(n, who)] = _queries(client, url)
        transaction.savepoint_rollback(sid)
    for who in ("secretariat", "leader"):
        assert counts[(3, who)] == counts[(12, who)], counts


# --- more views of a result ------------------------------------------------------------------


def test_published_election_names_the_elected_per_position(ballot_year):
    by = ballot_year
    ballot = ballot_election(by)
    services.ballot_open(ballot=ballot, actor=by.secretariat)
    head_c, deputy_c = by.units[2], by.units[4]
    for unit in by.units:
        ballot_cast(by, ballot, unit, {(head_c.pk, "head"): "yes", (deputy_c.pk, "deputy"): "yes"})
    services.ballot_close(ballot=ballot, actor=by.secretariat)
    client = _client(by.secretariat)
    page = client.get(reverse("meetings:ballot_detail", args=[ballot.pk]))
    assert "Trưởng khối, Phó khối năm 2021" in _text(page)  # what publishing will write
    assert client.post(reverse("meetings:ballot_publish", args=[ballot.pk])).status_code == 302
    text = _text(client.get(reverse("meetings:ballot_detail", args=[ballot.pk])))
    assert re.search(rf"Trưởng khối {re.escape(head_c.name)} 9 0 0 100,0% Đạt Trúng cử", text)
    assert re.search(rf"Phó khối {re.escape(deputy_c.name)} 9 0 0 100,0% Đạt Trúng cử", text)


def test_publication_of_receipts_only_or_nothing(ballot_year):
    by = ballot_year
    for mode in ("receipts", "none"):
        ballot = ballot_nomination(by)
        services.ballot_update(ballot=ballot, actor=by.secretariat, publication=mode)
        services.ballot_open(ballot=ballot, actor=by.secretariat)
        receipt = ballot_cast(by, ballot, by.units[0], {by.units[0].pk: "yes"})
        services.ballot_close(ballot=ballot, actor=by.secretariat)
        services.ballot_publish(ballot=ballot, actor=by.secretariat)
        body = _client(by.leaders[by.units[0].pk]).get(
            reverse("meetings:ballot_detail", args=[ballot.pk])
        )
        html = body.content.decode()
        assert 'id="recount-table"' not in html
        assert by.units[0].name in re.search(r'id="voted-units">(.*?)</ul>', html, re.S).group(1)
        if mode == "receipts":
            assert f'data-receipt="{receipt}"' in html
            assert "ballot-cell-yes" not in html and 'id="columns-legend"' not in html
        else:
            assert receipt not in html and 'id="receipt-search"' not in html
            assert "chỉ công bố kết quả" in _text(body)


def test_unknown_ballots_and_meetings_are_404(ballot_year):
    client = _client(ballot_year.secretariat)
    for name in ("ballot_detail", "ballot_edit", "ballot_progress", "ballot_paper", "ballot_vote"):
        assert client.get(reverse(f"meetings:{name}", args=[999999])).status_code == 404
    for name in ("ballot_open", "ballot_close", "ballot_publish", "ballot_reset"):
        assert client.post(reverse(f"meetings:{name}", args=[999999])).status_code == 404
    assert client.get(reverse("meetings:ballot_create", args=[999999])).status_code == 404


def test_meeting_page_lists_its_ballots_with_the_create_button(ballot_year):
    by = ballot_year
    ballot = ballot_nomination(by)
    url = reverse("meetings:meeting_detail", args=[by.meeting.pk])
    page = _client(by.secretariat).get(url).content.decode()
    assert reverse("meetings:ballot_create", args=[by.meeting.pk]) in page
    assert reverse("meetings:ballot_detail", args=[ballot.pk]) in page and ballot.title in page
    leader_page = _client(by.leaders[by.units[0].pk]).get(url).content.decode()
    assert ballot.title in leader_page
    assert reverse("meetings:ballot_create", args=[by.meeting.pk]) not in leader_page


def test_edit_of_an_election_refused_keeps_its_kind_and_lists(ballot_year):
    by = ballot_year
    ballot = ballot_election(by)
    response = _client(by.secretariat).post(
        reverse("meetings:ballot_edit", args=[ballot.pk]),
        {
            "method": "online",
            "head_candidates": [by.units[2].pk],
            "deputy_candidates": [],
            "rules-threshold_numerator": "1",
            "rules-threshold_denominator": "2",
            "rules-threshold_strict": "1",
            "rules-base": "members",
            "rules-tie_rule": "score_ranking",
            "rules-publication": "choices",
        },
    )
    assert response.status_code == 400
    assert response.context["form"]["kind"].value() == "election"
    assert "Phó khối" in _field_error(response, "deputy_candidates")
    assert 'data-kind="election"' in response.content.decode()
    assert ballot.candidates.count() == 4
