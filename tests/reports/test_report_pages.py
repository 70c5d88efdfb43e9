"""Report pages: the bloc-year page's links, starting a draft, the narrative with its live
preview, the agenda, approval, the leader's signature (password re-entry, throttled with
the logins), bad input on every form (Vietnamese error next to the field, nothing saved),
the PDFs read back with pdftotext, and the demo reports."""

import io
import re
import subprocess
import unicodedata

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from documents import services as document_services
from documents.models import DocumentJob
from reports.models import NARRATIVE_MAX, Report
from reports.selectors import report_facts
from tests.conftest import PASSWORD, needs_pdftotext
from tests.reports.test_report_services import TEXT, approved, draft, meeting, sec  # noqa: F401

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf_text(path: str) -> str:
    out = subprocess.run(["pdftotext", "-layout", path, "-"], check=True, capture_output=True)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", out.stdout.decode()))


def render(kind, report, user, capture) -> DocumentJob:
    with capture(execute=True):
        job = document_services.document_job_request(
            kind=kind, bloc_year=report.bloc_year, user=user, params={"report_id": report.pk}
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    return job


def test_bloc_year_page_links_both_reports(world):
    response = client_for(world.users["staff_member"]).get(
        reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])
    )
    html = response.content.decode()
    assert "Báo cáo tổng kết năm" in html and "Báo cáo sơ kết 6 tháng" in html
    assert reverse("reports:kind_page", args=[world.bloc_year.pk, "year_end"]) in html


def test_start_page_and_create(world, sec):  # noqa: F811
    url = reverse("reports:kind_page", args=[world.bloc_year.pk, "year_end"])
    member_page = client_for(world.users["staff_member"]).get(url).content.decode()
    assert "Thư ký khối chưa lập báo cáo này." in member_page
    client = client_for(sec)
    assert 'id="report-create"' in client.get(url).content.decode()
    response = client.post(reverse("reports:create", args=[world.bloc_year.pk, "year_end"]))
    report = Report.objects.get()
    assert response.url == reverse("reports:edit", args=[report.pk])
    assert client.get(url).url == reverse("reports:detail", args=[report.pk])
    assert (
        client.get(reverse("reports:kind_page", args=[world.bloc_year.pk, "weekly"])).status_code
        == 404
    )


def test_edit_saves_and_refuses_too_long_text(draft, sec):  # noqa: F811
    client = client_for(sec)
    url = reverse("reports:edit", args=[draft.pk])
    data = {**TEXT, "presenter": "Nguyễn Văn Bình", "tasks_text": "x" * (NARRATIVE_MAX + 1)}
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    block = html[html.index('id="div_id_tasks_text"') :]
    assert f"Tối đa {NARRATIVE_MAX} ký tự" in block
    draft.refresh_from_db()
    assert draft.tasks_text == TEXT["tasks_text"] and draft.presenter != "Nguyễn Văn Bình"
    response = client.post(url, {**TEXT, "tasks_text": "Nhiệm vụ mới năm 2021.", "presenter": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.tasks_text == "Nhiệm vụ mới năm 2021."


def test_live_preview_shows_the_typed_text_and_saves_nothing(draft, sec):  # noqa: F811
    response = client_for(sec).post(
        reverse("reports:preview", args=[draft.pk]),
        {**TEXT, "shortcomings_text": "Chưa lưu: đang gõ."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-preview"' in html and "Chưa lưu: đang gõ." in html
    assert "<html" not in html  # a partial
    draft.refresh_from_db()
    assert draft.shortcomings_text == TEXT["shortcomings_text"]
    response = client_for(sec).post(
        reverse("reports:preview", args=[draft.pk]), {"results_text": "x" * (NARRATIVE_MAX + 1)}
    )
    assert response.status_code == 400 and "Tối đa" in response.content.decode()


def test_attach_and_approve_from_the_page(draft, meeting, sec):  # noqa: F811
    client = client_for(sec)
    bad = client.post(reverse("reports:attach", args=[draft.pk]), {"meeting": "999999"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Hội nghị không thuộc năm thi đua này." in html[html.index('id="div_id_meeting"') :]
    refused = client.post(reverse("reports:approve", args=[draft.pk]))
    assert refused.status_code == 400
    assert "Hãy đưa báo cáo vào chương trình hội nghị" in refused.content.decode()
    assert (
        client.post(reverse("reports:attach", args=[draft.pk]), {"meeting": meeting.pk}).status_code
        == 302
    )
    assert client.post(reverse("reports:approve", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "approved"
    page = client.get(reverse("reports:detail", args=[draft.pk])).content.decode()
    assert draft.sha256 in page and "Chờ lãnh đạo đơn vị Trưởng khối ký." in page


def test_the_leader_signs_on_the_page(world, approved):  # noqa: F811
    leader = client_for(world.users["leader_member"])
    url = reverse("reports:sign", args=[approved.pk])
    page = leader.get(url).content.decode()
    assert 'id="sign-form"' in page and approved.sha256 in page
    base = {"content_hash": approved.sha256, "confirm": "on"}
    wrong = leader.post(url, {**base, "password": "sai-mat-khau"})
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "Mật khẩu không đúng." in html[html.index('id="div_id_password"') :]
    unconfirmed = leader.post(url, {"content_hash": approved.sha256, "password": PASSWORD})
    assert unconfirmed.status_code == 400
    assert "Hãy xác nhận đã đọc và đồng ý ký báo cáo." in unconfirmed.content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved"
    other = client_for(world.users["secretariat_here"]).post(url, {**base, "password": PASSWORD})
    assert other.status_code == 403
    assert leader.post(url, {**base, "password": PASSWORD}).status_code == 302
    approved.refresh_from_db()
    assert approved.status == "signed"
    assert "Báo cáo đã được ký" in leader.get(url).content.decode()


def test_signing_is_throttled_with_the_logins(world, approved, settings):  # noqa: F811
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    leader = client_for(world.users["leader_member"])
    url = reverse("reports:sign", args=[approved.pk])
    data = {"content_hash": approved.sha256, "confirm": "on", "password": "sai"}
    statuses = [leader.post(url, data).status_code for _ in range(4)]
    assert statuses[:2] == [400, 400] and statuses[-1] == 429
    locked = leader.post(url, {**data, "password": PASSWORD})
    assert locked.status_code == 429
    assert "Ký báo cáo tạm bị khóa do nhập sai mật khẩu nhiều lần." in locked.content.decode()
    approved.refresh_from_db()
    assert approved.status == "approved"


@needs_pdftotext
def test_report_pdfs_read_right(world, approved, django_capture_on_commit_callbacks):  # noqa: F811
    signed_by = world.users["leader_member"]
    from reports import services

    services.report_sign(report=approved, user=signed_by, password=PASSWORD)
    job = render(
        "report", approved, world.users["secretariat_here"], django_capture_on_commit_callbacks
    )
    text = pdf_text(job.file.path)
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 01/BC-KTĐ",
        "BÁO CÁO",
        "Tổng kết phong trào thi đua năm 2020",
        "I. ĐẶC ĐIỂM, TÌNH HÌNH",
        "1. Thành phần của khối",
        "gồm 03 đơn vị thành viên; Trưởng khối: Ban Quản lý Khu kinh tế; Phó khối: Sở Giao",
        "II. KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA",
        "Lĩnh vực giao thông đạt kết quả cao.",
        "Chưa có kết quả chấm điểm, xếp loại",
        "Chưa có đề nghị khen thưởng.",
        "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2021",
        "Nơi nhận:",
        "TRƯỞNG KHỐI",
        "Lãnh đạo Ban Quản lý Khu kinh tế",
        approved.sha256,
    ):
        assert part in text, part


@needs_pdftotext
def test_draft_pdf_is_marked_and_unnumbered(draft, sec, django_capture_on_commit_callbacks):  # noqa: F811
    job = render("report_draft", draft, sec, django_capture_on_commit_callbacks)
    text = pdf_text(job.file.path)
    assert "DỰ THẢO" in text and "/BC-KTĐ" in text and "Số: 01/BC-KTĐ" not in text
    with pytest.raises(Exception, match="chưa được thông qua"):
        document_services.document_job_request(
            kind="report", bloc_year=draft.bloc_year, user=sec, params={"report_id": draft.pk}
        )
    with pytest.raises(Exception, match="Chưa chọn báo cáo"):
        document_services.document_job_request(
            kind="report_draft", bloc_year=draft.bloc_year, user=sec, params={"report_id": "x"}
        )


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


@needs_pdftotext
def test_demo_reports(demo, django_capture_on_commit_callbacks):
    unnamed = Report.objects.get(bloc_year__bloc__province__code="chua-ro-ten", kind="year_end")
    assert unnamed.status == "signed" and unnamed.signer_name == "Đặng Trọng Thắng"
    facts = unnamed.facts
    assert facts["member_count"] == 8
    assert facts["ranking"]["counts_text"] == (
        "07 đơn vị hoàn thành xuất sắc nhiệm vụ, 01 đơn vị hoàn thành tốt nhiệm vụ"
    )
    assert facts["next_year"]["head"] == "Sở Công Thương"
    assert facts["next_year"]["deputy"] == "Sở Nông nghiệp và Phát triển nông thôn"
    assert len(facts["ballots"]) == 4
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(username="admin")
    text = pdf_text(render("report", unnamed, admin, django_capture_on_commit_callbacks).file.path)
    for part in (
        "Tổng kết phong trào thi đua năm 2019",
        "gồm 08 đơn vị thành viên",
        "07 đơn vị hoàn thành xuất sắc nhiệm vụ, 01 đơn vị hoàn thành tốt nhiệm vụ",
        "Suy tôn Cờ thi đua của Chính phủ năm 2019",
        "Năm 2020: Trưởng khối Sở Công Thương, Phó khối Sở Nông nghiệp và Phát triển nông thôn",
        "GIÁM ĐỐC SỞ GIAO THÔNG VẬN TẢI",
        "Đặng Trọng Thắng",
    ):
        assert part in text, part

    bk = Report.objects.get(bloc_year__bloc__province__code="bac-kan", kind="mid_year")
    assert bk.status == "draft" and "Phó Trưởng khối" in bk.presenter
    assert bk.meeting.kind == "mid_year"
    text = pdf_text(render("report_draft", bk, admin, django_capture_on_commit_callbacks).file.path)
    assert "Sơ kết phong trào thi đua 6 tháng đầu năm 2018" in text and "DỰ THẢO" in text

    qb = Report.objects.get(bloc_year__bloc__province__code="quang-binh", kind="year_end")
    ranking = report_facts(report=qb)["ranking"]
    assert ranking["source"] == "scoring"
    names = [(r["rank"], r["unit"], r["tied"]) for r in ranking["rows"][:4]]
    assert names[:2] == [(1, "Ban Quản lý Khu kinh tế", False), (2, "Sở Giao thông vận tải", False)]
    assert {n for _r, n, _t in names[2:]} == {"Sở Xây dựng", "Sở Tài nguyên và Môi trường"}
    assert [(r, t) for r, _n, t in names[2:]] == [(3, True), (3, True)]
    assert ranking["rows"][0]["total"] == "98,50"


def test_report_pages_query_caps(world, approved, django_assert_max_num_queries):  # noqa: F811
    """A draft's facts are composed on the page (members, pledge, meetings, scoreboard,
    ballots, proposals, next year): a fixed number of queries; an approved one reads its
    frozen facts."""
    client = client_for(world.users["secretariat_here"])
    from reports import services

    draft_mid = services.report_create(bloc_year=world.bloc_year, kind="mid_year", actor=None)
    with django_assert_max_num_queries(45):
        assert client.get(reverse("reports:detail", args=[draft_mid.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("reports:detail", args=[approved.pk])).status_code == 200
    with django_assert_max_num_queries(60):
        page = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]))
    assert 'id="report-links"' in page.content.decode()
