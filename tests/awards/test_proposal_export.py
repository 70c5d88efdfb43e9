"""The Excel export of a province's proposals (awards/views_export.py): one row per unit of
the current version of each proposal with its status, the board's decision and the council's
outcome; text never becomes a formula; for the province's board and administrators only; a
constant number of queries."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from awards import services
from awards.models import AwardType
from blocs.models import Unit

from .conftest import nominate

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/x","Bấm vào đây")'
FORM = {
    "unit_name": "Đơn vị",
    "characteristics": "Cơ quan chuyên môn thuộc UBND tỉnh.",
    "achievements": "Hoàn thành vượt mức các chỉ tiêu năm 2020.",
    "by_year": [{"year": "2020", "text": "Hoàn thành xuất sắc nhiệm vụ."}],
    "awards_received": [],
}


def _url(world):
    return reverse("awards:proposals_export", args=[world.province.pk])


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.content))
    return wb.active


@pytest.fixture
def decided(voted):
    """The two drafts; the flag (the head) submitted, accepted and approved by the council;
    the chair's certificate submitted, the member returned with a reason."""
    world = voted
    sec, board = world.users["secretariat_here"], world.users["board_here"]
    drafts = {
        p.award_type.name: p
        for p in services.award_proposals_draft(bloc_year=world.bloc_year, actor=sec)
    }
    for proposal in drafts.values():
        version = proposal.versions.get(number=1)
        for item in version.items.all():
            services.proposal_item_report_form_save(
                item=item, form={**FORM, "unit_name": item.unit.name}, actor=sec
            )
        services.award_proposal_submit(version=version, actor=sec)
    flag_item = drafts[services.PROVINCE_FLAG].versions.get(number=1).items.get()
    services.proposal_item_decide(
        item=flag_item, outcome="accepted", reason="Đúng tiêu chuẩn.", actor=board
    )
    services.proposal_item_council_record(
        item=flag_item,
        outcome="approved",
        decision_number="123/QĐ-UBND",
        decision_date=dt.date(2021, 1, 15),
        signer="Nguyễn Văn Bình",
        actor=board,
    )
    member_item = (
        drafts[services.CHAIR_CERTIFICATE].versions.get(number=1).items.get(unit=world.member)
    )
    services.proposal_item_decide(
        item=member_item, outcome="returned", reason="Bổ sung số liệu năm 2020.", actor=board
    )
    world.drafts = drafts
    return world


def test_export_has_one_row_per_unit_with_status_and_decisions(decided, client):
    client.force_login(decided.users["board_here"])
    ws = _sheet(client.get(_url(decided)))
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:6] == [
        "Khối thi đua",
        "Năm",
        "Hình thức khen thưởng",
        "Phiên bản",
        "Đơn vị",
        "Trạng thái",
    ]
    body = {r[4]: r for r in rows[1:]}
    assert set(body) == {decided.head.name, decided.deputy.name, decided.member.name}
    head = body[decided.head.name]
    assert head[0] == decided.bloc.name and head[1] == 2020
    assert head[2] == services.PROVINCE_FLAG and head[3] == 1
    assert head[5] == "Được khen thưởng"
    assert head[6] == "Trình Hội đồng Thi đua - Khen thưởng tỉnh" and head[8] == "Đúng tiêu chuẩn."
    assert head[9] == "Được khen thưởng" and head[10] == "123/QĐ-UBND"
    assert head[11].date() == dt.date(2021, 1, 15) and head[12] == "Nguyễn Văn Bình"
    assert ws.cell(row=rows.index(head) + 1, column=12).number_format == "DD/MM/YYYY"
    member = body[decided.member.name]
    assert member[5] == "Trả lại để hoàn thiện" and member[8] == "Bổ sung số liệu năm 2020."
    assert body[decided.deputy.name][5] == "Chờ Ban Thi đua - Khen thưởng xét"
    # The administrators too.
    client.force_login(decided.users["admin"])
    assert client.get(_url(decided)).status_code == 200


def test_a_formula_like_unit_name_is_text(decided, client):
    Unit.objects.filter(pk=decided.head.pk).update(name=HYPERLINK)
    client.force_login(decided.users["board_here"])
    response = client.get(_url(decided))
    ws = _sheet(response)
    cells = [c for r in ws.iter_rows() for c in r if c.value == HYPERLINK]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix
    # No formula anywhere in the file's sheet XML.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


@pytest.mark.parametrize(
    "role",
    ["board_other", "leader_member", "staff_member", "secretariat_here", "norole"],
)
def test_export_is_only_for_the_province_board(decided, client, role):
    client.force_login(decided.users[role])
    assert client.get(_url(decided)).status_code == 403
    assert client.post(_url(decided)).status_code in (403, 405)


def test_export_unknown_province_is_404(decided, client):
    client.force_login(decided.users["admin"])
    assert client.get(reverse("awards:proposals_export", args=[999999])).status_code == 404


def _award(world, i):
    return AwardType.objects.create(
        province=world.province,
        name=f"Bằng khen thử nghiệm số {i}",
        level=AwardType.Level.PROVINCE_CHAIR,
        kind=AwardType.Kind.CERTIFICATE,
        order=100 + i,
    )


def test_export_in_constant_queries(voted, client):
    """The same number of queries with 3 proposals as with 12."""
    world = voted
    sec = world.users["secretariat_here"]

    def more(first, last):
        for i in range(first, last):
            nominate(world.bloc_year, _award(world, i), {world.member: 3}, actor=sec)
        return services.award_proposals_draft(bloc_year=world.bloc_year, actor=sec)

    client.force_login(world.users["board_here"])
    counts = {}
    for n, (first, last) in ((3, (0, 1)), (12, (1, 10))):
        assert len(more(first, last)) == n
        client.get(_url(world))  # warm caches (session, content types)
        with CaptureQueriesContext(connection) as ctx:
            ws = _sheet(client.get(_url(world)))
        assert ws.max_row > n
        counts[n] = len(ctx)
    assert counts[3] == counts[12], counts


def test_export_link_include(world):
    from django.template.loader import render_to_string

    html = render_to_string("awards/_export_link.html", {"province": world.province})
    assert _url(world) in html and "Tải Excel danh sách đề nghị" in html


def test_the_inbox_links_the_export(world):
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(world.users["board_here"])
    html = client.get(reverse("awards:review_inbox", args=[world.province.pk])).content.decode()
    assert 'id="proposals-export-link"' in html
    assert reverse("awards:proposals_export", args=[world.province.pk]) in html
