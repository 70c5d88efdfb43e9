"""The provincial board's pages (DESIGN.md §9; awards/views_review.py): the inbox of the
province's proposals, the province page with its charts' data and tables, and the per-unit
decisions (the board's review, the council's outcome) with their bad input."""

import datetime as dt
import json
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import AwardProposal, ItemDecision, ProposalEvent, ProposalItem
from awards.models import ProposalVersion as Version
from blocs import services as bloc_services

from .url_expectations_review import review_bloc_year, review_submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    return review_submitted(world)


@pytest.fixture
def board(world, client):
    client.force_login(world.users["board_here"])
    return client


def _decide(client, item, **data):
    return client.post(reverse("awards:review_item_decide", args=[item.pk]), data)


def _council(client, item, **data):
    return client.post(reverse("awards:review_item_council", args=[item.pk]), data)


COUNCIL_OK = {
    "outcome": "approved",
    "decision_number": "125/QĐ-UBND",
    "decision_date": "15/01/2021",
    "signer": "Chủ tịch UBND tỉnh Trần Văn Bình",
}


def _text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _chart_data(html: str) -> dict:
    found = re.search(
        r'<script id="review-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(found.group(1))


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _errors(response) -> dict[str, list[str]]:
    """Field name -> the error messages crispy renders next to the field."""
    html = response.content.decode()
    out: dict[str, list[str]] = {}
    for field, message in re.findall(
        r'id="error_\d+_id_([a-z_]+)"[^>]*>\s*<strong>(.*?)</strong>', html, re.S
    ):
        out.setdefault(field, []).append(message.strip())
    return out


# --- the inbox ---------------------------------------------------------------------------


def test_the_inbox_lists_every_blocs_proposals_with_counts_and_links(world, built, board):
    response = board.get(reverse("awards:review_inbox", args=[world.province.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert "Chờ thẩm định: 2" in text and "2 tờ trình" in text
    html = response.content.decode()
    for key in ("flag", "chair"):
        proposal = built[key]
        assert f'id="proposal-{proposal.pk}"' in html
        assert f'href="{reverse("awards:proposal_detail", args=[proposal.pk])}"' in html
    assert "Sở Tư pháp – Chờ thẩm định" in text and "Thanh tra tỉnh – Chờ thẩm định" in text


def test_the_inbox_filters_by_bloc_award_and_status(world, built, board):
    item = built["chair_items"][0]
    _decide(board, item, outcome="returned", reason="Bổ sung số liệu năm 2020 vào báo cáo.")
    url = reverse("awards:review_inbox", args=[world.province.pk])
    chair, flag = built["chair"], built["flag"]

    def shown(**params):
        html = board.get(url, params).content.decode()
        return {int(pk) for pk in re.findall(r'<tr id="proposal-(\d+)"', html)}

    assert shown() == {chair.pk, flag.pk}
    assert shown(award=built["awards"]["chair"].pk) == {chair.pk}
    assert shown(status="reviewing") == {chair.pk}
    assert shown(status="submitted") == {flag.pk}
    assert shown(bloc=world.bloc.pk) == set()
    assert shown(bloc=chair.bloc_year.bloc_id, status="closed") == set()
    # An unknown filter value is ignored, not an error.
    assert shown(bloc="xyz", award="999999", status="nope") == {chair.pk, flag.pk}
    text = _text(board.get(url, {"award": built["awards"]["chair"].pk}))
    assert "Đang thẩm định: 1" in text and "Chờ thẩm định: 0" in text


def test_the_inbox_shows_newest_submitted_first_and_drafts_last(world, built, board):
    bloc_year, _members, _awards = review_bloc_year(
        world, name="Khối thi đua Đảng - Đoàn thể", units=("Tỉnh đoàn", "Hội Nông dân tỉnh")
    )
    services.award_proposals_draft(bloc_year=bloc_year, actor=world.users["admin"])
    html = board.get(reverse("awards:review_inbox", args=[world.province.pk])).content.decode()
    ids = [int(pk) for pk in re.findall(r'<tr id="proposal-(\d+)"', html)]
    drafts = set(AwardProposal.objects.filter(bloc_year=bloc_year).values_list("pk", flat=True))
    assert len(ids) == 4 and set(ids[-2:]) == drafts
    assert "Khối đang lập: 2" in _text(
        board.get(reverse("awards:review_inbox", args=[world.province.pk]))
    )


def test_another_provinces_board_sees_nothing(world, built, client):
    client.force_login(world.users["board_other"])
    for name in ("awards:review_inbox", "awards:review_province"):
        assert client.get(reverse(name, args=[world.province.pk])).status_code == 403
    assert client.get(reverse("awards:review_inbox", args=[999999])).status_code == 404


# --- the province page --------------------------------------------------------------------


def test_the_province_page_tables_and_chart_data(world, built, board):
    flag_item = built["flag_items"][0]
    first, second = built["chair_items"]
    _decide(board, flag_item, outcome="accepted")
    _decide(board, first, outcome="accepted")
    _decide(board, second, outcome="rejected", reject_reason="standard_not_met")
    _council(board, first, **COUNCIL_OK)
    response = board.get(reverse("awards:review_province", args=[world.province.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    chair_award = built["awards"]["chair"]
    row = re.search(rf'<tr id="award-{chair_award.pk}">(.*?)</tr>', html, re.S).group(1)
    cells = dict(re.findall(r'data-key="(\w+)"[^>]*>(\d+)<', row))
    assert cells == {
        "proposed": "2",
        "accepted": "1",
        "returned": "0",
        "rejected": "1",
        "approved": "1",
        "cut": "0",
    }
    data = _chart_data(html)
    assert data["awards"]["labels"] == [
        "Cờ thi đua của UBND tỉnh",
        "Bằng khen của Chủ tịch UBND tỉnh",
    ]
    series = {s["key"]: s["data"] for s in data["awards"]["series"]}
    assert series == {"proposed": [1, 2], "accepted": [1, 1], "approved": [0, 1]}
    statuses = {s["key"]: s["data"] for s in data["statuses"]["series"]}
    assert statuses == {"reviewed": [1, 0], "closed": [0, 1]}
    # The charts are drawn by the static script from the data block: no inline script.
    assert "vendor/chartjs/chart.umd.min.js" in html and "awards/review_charts.js" in html
    assert not re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", html)


def test_the_government_flag_ceiling_against_proposed_and_accepted(world, board):
    # Five provincial flags proposed across the province: 20% rounded up allows one
    # Government flag; two are proposed (over the ceiling), one accepted (within it).
    types = services.award_types_seed(province=world.province)
    awards = dict(zip(("gov", "flag", "pm", "chair"), types, strict=True))
    _blocs_with_proposals(world, awards, 0, 5, gov=2, decide=False)
    gov = awards["gov"]
    first = ProposalItem.objects.filter(version__proposal__award_type=gov).order_by("id").first()
    _decide(board, first, outcome="accepted")
    response = board.get(reverse("awards:review_province", args=[world.province.pk]))
    html = response.content.decode()
    row = re.search(rf'<tr id="ceiling-{gov.pk}"([^>]*)>(.*?)</tr>', html, re.S)
    assert "table-danger" in row.group(1)
    assert dict(re.findall(r'data-key="(\w+)"[^>]*>(\d+)', row.group(2))) == {
        "allowed": "1",
        "proposed": "2",
        "accepted": "1",
    }
    assert "vượt trần" in row.group(2)
    text = _text(response)
    assert "Tối đa 20% của 5 đơn vị được đề nghị Cờ thi đua của UBND tỉnh" in text
    data = _chart_data(html)
    assert data["ceilings"] == [
        {
            "label": "Cờ thi đua của Chính phủ",
            "allowed": 1,
            "proposed": 2,
            "accepted": 1,
            "names": ["Trần toàn tỉnh", "Đề nghị", "Trình Hội đồng"],
        }
    ]
    # A provincial flag rejected no longer counts in the base: 4 × 20% rounds up to 1.
    flag_item = ProposalItem.objects.filter(version__proposal__award_type=awards["flag"]).first()
    _decide(board, flag_item, outcome="rejected", reject_reason="standard_not_met")
    text = _text(board.get(reverse("awards:review_province", args=[world.province.pk])))
    assert "Tối đa 20% của 4 đơn vị được đề nghị Cờ thi đua của UBND tỉnh" in text


def test_the_province_page_without_proposals(world, board):
    response = board.get(reverse("awards:review_province", args=[world.province.pk]))
    assert response.status_code == 200
    assert 'id="province-empty"' in response.content.decode()


def test_the_province_detail_links_to_the_inbox(world, board):
    html = board.get(reverse("blocs:province_detail", args=[world.province.pk])).content.decode()
    assert reverse("awards:review_inbox", args=[world.province.pk]) in html
    assert "Đề nghị khen thưởng của tỉnh" in html


# --- decisions ------------------------------------------------------------------------------


def test_accept_then_the_councils_outcome(world, built, board, mailoutbox):
    item = built["chair_items"][0]
    response = _decide(board, item, outcome="accepted")
    assert response.status_code == 302
    assert (
        response.url.endswith(f"#item-{item.pk}") and str(item.version.proposal_id) in response.url
    )
    assert _messages(response) == [
        f"Đã ghi ý kiến thẩm định cho {item.unit.name}: Trình Hội đồng Thi đua - Khen thưởng tỉnh."
    ]
    response = _council(board, item, **COUNCIL_OK, reason="Đủ tiêu chuẩn.")
    assert response.status_code == 302
    council = ItemDecision.objects.get(item=item, stage="council")
    assert (council.outcome, council.decision_number, council.decision_date, council.signer) == (
        "approved",
        "125/QĐ-UBND",
        dt.date(2021, 1, 15),
        "Chủ tịch UBND tỉnh Trần Văn Bình",
    )
    assert council.decided_by == world.users["board_here"]
    page = _text(board.get(reverse("awards:review_item", args=[item.pk])))
    assert "Quyết định số 125/QĐ-UBND ngày 15/01/2021, người ký: Chủ tịch UBND tỉnh" in page
    assert ProposalEvent.objects.filter(item=item, action="council_record").count() == 1


def test_return_and_reject_with_their_reasons(world, built, board):
    first, second = built["chair_items"]
    reason = "Báo cáo thành tích thiếu số liệu năm 2020."
    assert _decide(board, first, outcome="returned", reason=reason).status_code == 302
    response = _decide(
        board, second, outcome="rejected", reject_reason="other", reason="Đơn vị đang bị thanh tra."
    )
    assert response.status_code == 302
    returned = ItemDecision.objects.get(item=first)
    rejected = ItemDecision.objects.get(item=second)
    assert (returned.outcome, returned.reason, returned.reject_reason) == ("returned", reason, "")
    assert (rejected.reject_reason, rejected.reason) == ("other", "Đơn vị đang bị thanh tra.")
    page = _text(board.get(reverse("awards:review_item", args=[second.pk])))
    assert "Không đề nghị – Lý do khác: Đơn vị đang bị thanh tra." in page


def test_an_accepted_unit_carries_no_reject_reason(world, built, board):
    item = built["chair_items"][0]
    _decide(board, item, outcome="accepted", reject_reason="legal_violation")
    assert ItemDecision.objects.get(item=item).reject_reason == ""


LONG = "x" * 2001


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "outcome", "Hãy chọn: trình Hội đồng, trả lại hoặc không đề nghị."),
        (
            {"outcome": "approved"},
            "outcome",
            "Hãy chọn: trình Hội đồng, trả lại hoặc không đề nghị.",
        ),
        ({"outcome": "returned"}, "reason", "Cần ghi lý do trả lại."),
        ({"outcome": "returned", "reason": "   "}, "reason", "Cần ghi lý do trả lại."),
        ({"outcome": "returned", "reason": "ab"}, "reason", "Cần ghi lý do (ít nhất"),
        ({"outcome": "returned", "reason": LONG}, "reason", "Lý do quá dài (tối đa 2000 ký tự)."),
        ({"outcome": "rejected"}, "reject_reason", "Hãy chọn lý do không đề nghị."),
        (
            {"outcome": "rejected", "reject_reason": "too_late"},
            "reject_reason",
            "Lý do không đề nghị không có trong danh sách.",
        ),
        (
            {"outcome": "rejected", "reject_reason": "other"},
            "reason",
            "Lý do khác: cần ghi rõ lý do.",
        ),
        (
            {"outcome": "rejected", "reject_reason": "wrong_subject", "reason": LONG},
            "reason",
            "Lý do quá dài (tối đa 2000 ký tự).",
        ),
    ],
)
def test_bad_decisions_are_refused_next_to_the_field(world, built, board, data, field, message):
    item = built["chair_items"][0]
    response = _decide(board, item, **data)
    assert response.status_code == 400
    errors = _errors(response)
    assert any(m.startswith(message) for m in errors.get(field, [])), errors
    assert not ItemDecision.objects.filter(item=item).exists()
    assert not ProposalEvent.objects.filter(item=item, action="board_decide").exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Hãy chọn: được khen thưởng hoặc không được khen thưởng."),
        ({"outcome": "accepted"}, "outcome", "Hãy chọn: được khen thưởng hoặc không được"),
        ({"decision_number": ""}, "decision_number", "Cần nhập số quyết định."),
        ({"decision_number": "9" * 61}, "decision_number", "Số quyết định quá dài"),
        ({"decision_date": ""}, "decision_date", "Cần nhập ngày quyết định."),
        ({"decision_date": "2021-13-45"}, "decision_date", "Ngày không hợp lệ"),
        ({"decision_date": "15/01/21"}, "decision_date", "Ngày không hợp lệ"),
        ({"decision_date": "31/02/2021"}, "decision_date", "Ngày không hợp lệ"),
        ({"decision_date": "15/01/2019"}, "decision_date", "Ngày quyết định không thể trước"),
        ({"signer": " "}, "signer", "Cần nhập người ký quyết định."),
        ({"signer": "a" * 201}, "signer", "Tên người ký quá dài"),
        ({"reason": LONG}, "reason", "Ghi chú quá dài (tối đa 2000 ký tự)."),
    ],
)
def test_bad_council_outcomes_are_refused_next_to_the_field(
    world, built, board, change, field, message
):
    item = built["chair_items"][0]
    _decide(board, item, outcome="accepted")
    response = _council(board, item, **(COUNCIL_OK | change))
    assert response.status_code == 400
    errors = _errors(response)
    assert any(m.startswith(message) for m in errors.get(field, [])), errors
    assert not ItemDecision.objects.filter(item=item, stage="council").exists()


def test_the_council_only_after_the_boards_acceptance(world, built, board):
    first, second = built["chair_items"]
    response = _council(board, first, **COUNCIL_OK)
    assert response.status_code == 400
    assert _errors(response)["outcome"] == [
        "Chỉ ghi kết quả của Hội đồng cho đơn vị đã được trình Hội đồng."
    ]
    _decide(board, second, outcome="returned", reason="Bổ sung hồ sơ minh chứng.")
    assert _council(board, second, **COUNCIL_OK).status_code == 400
    assert not ItemDecision.objects.filter(stage="council").exists()


def test_a_replayed_decision_is_refused(world, built, board):
    item = built["chair_items"][0]
    assert _decide(board, item, outcome="accepted").status_code == 302
    response = _decide(board, item, outcome="rejected", reject_reason="legal_violation")
    assert response.status_code == 400
    assert _errors(response)["outcome"] == [
        "Ban Thi đua - Khen thưởng đã quyết định về đơn vị này."
    ]
    assert _council(board, item, **COUNCIL_OK).status_code == 302
    response = _council(board, item, **(COUNCIL_OK | {"outcome": "cut"}))
    assert response.status_code == 400
    assert _errors(response)["outcome"] == ["Đã ghi kết quả của Hội đồng cho đơn vị này."]
    assert list(
        ItemDecision.objects.filter(item=item).values_list("stage", "outcome").order_by("id")
    ) == [("board", "accepted"), ("council", "approved")]


def test_an_old_version_or_a_removed_unit_is_refused(world, built, board):
    first, second = built["chair_items"]
    _decide(board, first, outcome="returned", reason="Bổ sung số liệu.")
    _decide(board, second, outcome="accepted")
    services.proposal_version_new(proposal=built["chair"], actor=world.users["admin"])
    response = _decide(board, first, outcome="accepted")
    assert response.status_code == 400
    assert "Tờ trình chưa được gửi" not in _text(response)
    assert "phiên bản cũ" in _text(response) or "phiên bản 2" in _text(response)
    assert ItemDecision.objects.filter(item=first).count() == 1


def test_a_forged_item_of_another_province_or_an_unknown_one(world, built, client):
    item = built["chair_items"][0]
    client.force_login(world.users["board_other"])
    assert _decide(client, item, outcome="accepted").status_code == 403
    assert _council(client, item, **COUNCIL_OK).status_code == 403
    client.force_login(world.users["board_here"])
    assert (
        client.post("/proposals/items/999999/decide/", {"outcome": "accepted"}).status_code == 404
    )
    assert client.post("/proposals/items/abc/decide/", {}).status_code == 404
    # The secretariat reads its proposal but does not review it.
    client.force_login(world.users["secretariat_here"])
    assert _decide(client, item, outcome="accepted").status_code == 403
    assert not ItemDecision.objects.exists()


def test_the_review_pages_refuse_get_or_post_as_appropriate(world, built, board):
    item = built["chair_items"][0]
    assert board.get(reverse("awards:review_item_decide", args=[item.pk])).status_code == 405
    assert board.post(reverse("awards:review_inbox", args=[world.province.pk])).status_code == 405


# --- the include on the proposal page -----------------------------------------------------


def _include(item, **context) -> str:
    item = (
        ProposalItem.objects.select_related("version").prefetch_related("decisions").get(pk=item.pk)
    )
    return render_to_string("awards/_item_review.html", {"item": item, **context})


def test_the_include_shows_the_forms_to_the_board_and_the_decisions_to_every_reader(
    world, built, board
):
    item = built["chair_items"][0]
    decide_url = reverse("awards:review_item_decide", args=[item.pk])
    council_url = reverse("awards:review_item_council", args=[item.pk])
    assert decide_url in _include(item, can_review=True)
    assert decide_url not in _include(item, can_review=False)
    assert decide_url not in _include(item, can_review=True, is_latest=False)
    _decide(board, item, outcome="accepted")
    html = _include(item, can_review=True)
    assert decide_url not in html and council_url in html
    assert "Trình Hội đồng Thi đua - Khen thưởng tỉnh" in _include(item, can_review=False)
    for option in ItemDecision.RejectReason.values:
        assert f'value="{option}"' in _include(built["chair_items"][1], can_review=True)
    _council(board, item, **COUNCIL_OK)
    html = _include(item, can_review=True)
    assert council_url not in html and "125/QĐ-UBND" in html


# --- constant queries at 5 and 40 blocs ----------------------------------------------------


def _blocs_with_proposals(
    world, awards, start: int, stop: int, *, gov: int = 0, decide: bool = True
) -> None:
    """Blocs `start`..`stop - 1` of the world's province with a 2020 year of three members,
    through the blocs services; their proposals (Cờ thi đua của UBND tỉnh for the first unit,
    Bằng khen for the others, and for the first `gov` blocs Cờ thi đua của Chính phủ for the
    first unit; submitted, partly decided unless `decide` is false) written in bulk, as the
    services would leave them."""
    now = timezone.now()
    flag, chair, government = awards["flag"], awards["chair"], awards["gov"]
    board = world.users["board_here"]
    by_units = []
    for i in range(start, stop):
        bloc = bloc_services.bloc_create(province=world.province, name=f"Khối thi đua số {i:02d}")
        units = [
            bloc_services.unit_create(province=world.province, name=f"Đơn vị {i:02d}.{j}")
            for j in range(3)
        ]
        by_units.append(
            (bloc_services.bloc_year_create(bloc=bloc, year=2020, members=units), units)
        )
    proposals = AwardProposal.objects.bulk_create(
        AwardProposal(bloc_year=by, award_type=award)
        for n, (by, _units) in enumerate(by_units)
        for award in ((flag, chair, government) if n < gov else (flag, chair))
    )
    versions = Version.objects.bulk_create(Version(proposal=p, number=1) for p in proposals)
    units_of = {by.pk: units for by, units in by_units}
    items = ProposalItem.objects.bulk_create(
        ProposalItem(version=v, unit=unit, order=k)
        for v, p in zip(versions, proposals, strict=True)
        for k, unit in enumerate(
            units_of[p.bloc_year_id][1:]
            if p.award_type_id == chair.pk
            else units_of[p.bloc_year_id][:1]
        )
    )
    Version.objects.filter(pk__in=[v.pk for v in versions]).update(
        status="submitted", submitted_at=now, snapshot={}, sha256="0" * 64
    )
    decisions = []
    for n, item in enumerate(items if decide else []):
        outcome = ("accepted", "returned", "rejected", None)[n % 4]
        if outcome is None:
            continue
        decisions.append(
            ItemDecision(
                item=item,
                stage="board",
                outcome=outcome,
                reason="Bổ sung hồ sơ." if outcome == "returned" else "",
                reject_reason="incomplete_dossier" if outcome == "rejected" else "",
                decided_by=board,
                decided_by_username=board.username,
            )
        )
        if outcome == "accepted" and n % 8 == 0:
            decisions.append(
                ItemDecision(
                    item=item,
                    stage="council",
                    outcome="approved",
                    decision_number="12/QĐ-UBND",
                    decision_date=dt.date(2021, 1, 15),
                    signer="Chủ tịch UBND tỉnh",
                    decided_by=board,
                    decided_by_username=board.username,
                )
            )
    ItemDecision.objects.bulk_create(decisions)


@pytest.mark.parametrize("name", ["awards:review_inbox", "awards:review_province"])
def test_constant_queries_at_5_and_40_blocs(world, board, django_assert_num_queries, name):
    types = services.award_types_seed(province=world.province)
    awards = dict(zip(("gov", "flag", "pm", "chair"), types, strict=True))
    url = reverse(name, args=[world.province.pk])
    _blocs_with_proposals(world, awards, 0, 5)
    with CaptureQueriesContext(connection) as at_5:
        response = board.get(url)
    assert response.status_code == 200
    _blocs_with_proposals(world, awards, 5, 40)
    with django_assert_num_queries(len(at_5)):
        response = board.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    if name == "awards:review_inbox":
        assert len(re.findall(r'<tr id="proposal-\d+"', html)) == 80
    else:
        assert len(re.findall(r'<tr id="bloc-\d+"', html)) == 40
    print(f"{name}: {len(at_5)} queries at 5 and at 40 blocs")
