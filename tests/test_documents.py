import datetime as dt
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import DocumentJob
from documents.rendering import vn_date_line
from documents.tasks import document_job_render_task

from .conftest import HAS_PDFTOTEXT, needs_pdftotext


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_fonts(path) -> str:
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def rendered(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    return job


def test_request_enqueues_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.PENDING
    assert not job.file


def test_render_produces_done_job_with_events(rendered):
    assert rendered.status == DocumentJob.Status.DONE
    assert rendered.file.name.endswith(".pdf")
    assert rendered.attempts == 1
    assert rendered.started_at <= rendered.finished_at
    assert [e.status for e in rendered.events.all()] == ["pending", "running", "done"]
    with rendered.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"


@needs_pdftotext
def test_roster_pdf_reads_as_vietnamese_in_nd30_layout(rendered, world):
    text = pdf_text(rendered.file.path)
    for expected in [
        "UBND TỈNH QUẢNG BÌNH",
        "KHỐI THI ĐUA CÁC NGÀNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "DANH SÁCH ĐƠN VỊ THÀNH VIÊN",
        "Khối thi đua các ngành Kinh tế - Kỹ thuật năm 2020",
        "Ban Quản lý Khu kinh tế",
        "Sở Giao thông vận tải",
        "Sở Xây dựng",
        "Trưởng khối",
        "Phó khối",
        "Nơi nhận:",
        "Tổng số: 3 đơn vị.",
    ]:
        assert expected in text, expected
    assert "Sở Văn hóa và Thể thao" not in text  # not a member
    # No template source leaks into the document (a multi-line {# #} once did).
    for leak in ("{#", "#}", "{%", "{{", "}}"):
        assert leak not in text, leak
    # Head first, then deputy: the roster order of an official list.
    assert text.index("Ban Quản lý Khu kinh tế") < text.index("Sở Giao thông vận tải")
    assert "Quảng Bình, ngày" in text


@needs_pdftotext
def test_roster_pdf_embeds_only_liberation_serif(rendered):
    fonts = pdf_fonts(rendered.file.path)
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows, fonts
    for row in rows:
        assert "Liberation-Serif" in row, row
        assert " yes yes yes " in row, row  # embedded, subset, unicode map


def test_render_is_idempotent(rendered):
    first_name = rendered.file.name
    services.document_job_render(job_id=rendered.pk)
    rendered.refresh_from_db()
    assert rendered.file.name == first_name
    assert rendered.attempts == 1


def test_failed_render_is_recorded_and_retry_completes(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("WeasyPrint không chạy được")

    monkeypatch.setattr(services, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED
    assert "WeasyPrint không chạy được" in job.error
    assert not job.file

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_job_retry(job=job, user=world.users["secretariat_here"])
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE
    assert job.attempts == 2
    assert job.error == ""


def test_retry_refused_unless_failed(rendered, world):
    with pytest.raises(ValidationError):
        services.document_job_retry(job=rendered, user=world.users["secretariat_here"])


def test_broker_down_marks_job_failed_and_keeps_it_retryable(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis")

    monkeypatch.setattr(document_job_render_task, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED
    assert "hàng đợi" in job.error


def test_unknown_kind_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationError):
        services.document_job_request(
            kind="khong-ton-tai", bloc_year=world.bloc_year, user=world.users["admin"]
        )
    assert not DocumentJob.objects.exists()


def test_status_partial_polls_while_running_and_stops_when_done(client, world, rendered):
    client.force_login(world.users["secretariat_here"])
    pending = DocumentJob.objects.create(
        kind="roster", bloc_year=world.bloc_year, requested_by=world.users["secretariat_here"]
    )
    body = client.get(reverse("documents:status", args=[pending.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "Đang chờ máy chủ xử lý" in body
    body = client.get(reverse("documents:status", args=[rendered.pk])).content.decode()
    assert "hx-trigger" not in body
    assert "Văn bản đã sẵn sàng" in body
    assert reverse("documents:download", args=[rendered.pk]) in body


def test_failed_page_shows_error_and_retry_only_to_managers(client, world):
    job = DocumentJob.objects.create(
        kind="roster",
        bloc_year=world.bloc_year,
        requested_by=world.users["secretariat_here"],
        status=DocumentJob.Status.FAILED,
        error="Lỗi kết xuất",
    )
    client.force_login(world.users["secretariat_here"])
    body = client.get(reverse("documents:detail", args=[job.pk])).content.decode()
    # Users get a reference; the error text is for staff (tests/test_security_headers.py).
    assert "Tạo văn bản không thành công" in body and f"JOB-{job.pk}-0" in body
    assert "Lỗi kết xuất" not in body
    assert 'id="retry-button"' in body
    client.force_login(world.users["leader_member"])
    body = client.get(reverse("documents:detail", args=[job.pk])).content.decode()
    assert "Lỗi kết xuất" not in body and f"JOB-{job.pk}-0" in body
    assert 'id="retry-button"' not in body
    client.force_login(world.users["admin"])
    body = client.get(reverse("documents:detail", args=[job.pk])).content.decode()
    assert "Lỗi kết xuất" in body


def test_download_of_unfinished_job_is_404(client, world):
    job = DocumentJob.objects.create(
        kind="roster", bloc_year=world.bloc_year, requested_by=world.users["secretariat_here"]
    )
    client.force_login(world.users["secretariat_here"])
    assert client.get(reverse("documents:download", args=[job.pk])).status_code == 404


def test_download_serves_pdf_as_attachment(client, world, rendered):
    client.force_login(world.users["leader_member"])
    response = client.get(reverse("documents:download", args=[rendered.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_request_view_creates_one_job_and_redirects(client, world):
    client.force_login(world.users["secretariat_here"])
    response = client.post(reverse("documents:request", args=[world.bloc_year.pk, "roster"]))
    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("documents:detail", args=[job.pk])
    assert job.requested_by == world.users["secretariat_here"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2020, 1, 13), "Quảng Bình, ngày 13 tháng 01 năm 2020"),
        (dt.date(2021, 2, 5), "Quảng Bình, ngày 05 tháng 02 năm 2021"),
        (dt.date(2018, 7, 20), "Quảng Bình, ngày 20 tháng 7 năm 2018"),
        (dt.date(2019, 12, 2), "Quảng Bình, ngày 02 tháng 12 năm 2019"),
    ],
)
def test_date_line_follows_nd30(day, expected):
    assert vn_date_line("Quảng Bình", day) == expected


def test_stale_job_can_be_retried_and_completes(
    client, world, settings, django_capture_on_commit_callbacks
):
    """A worker killed mid-render leaves the job running; after the stale limit the page
    offers a retry, and the retry renders it."""
    settings.DOCUMENT_JOB_STALE_SECONDS = 0
    job = DocumentJob.objects.create(
        kind="roster",
        bloc_year=world.bloc_year,
        requested_by=world.users["secretariat_here"],
        status=DocumentJob.Status.RUNNING,
        attempts=1,
    )
    client.force_login(world.users["secretariat_here"])
    body = client.get(reverse("documents:detail", args=[job.pk])).content.decode()
    assert "chờ quá lâu" in body and 'id="retry-button"' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE
    assert job.attempts == 2


def test_running_job_within_limit_cannot_be_retried(world):
    job = DocumentJob.objects.create(
        kind="roster",
        bloc_year=world.bloc_year,
        requested_by=world.users["secretariat_here"],
        status=DocumentJob.Status.RUNNING,
    )
    with pytest.raises(ValidationError):
        services.document_job_retry(job=job, user=world.users["secretariat_here"])


def test_retried_job_is_not_stale_at_once(world, settings, django_capture_on_commit_callbacks):
    """A job that failed long ago and is retried now counts from the retry, not from its
    first request (otherwise the page would offer yet another retry at once)."""
    settings.DOCUMENT_JOB_STALE_SECONDS = 60
    long_ago = timezone.now() - dt.timedelta(hours=2)
    job = DocumentJob.objects.create(
        kind="roster",
        bloc_year=world.bloc_year,
        requested_by=world.users["secretariat_here"],
        status=DocumentJob.Status.FAILED,
        started_at=long_ago,
        queued_at=long_ago,
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.document_job_retry(job=job, user=world.users["secretariat_here"])
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.PENDING
    assert job.started_at is None
    assert not job.is_stale


def test_document_is_vietnamese_for_an_english_user(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["secretariat_here"])
    client.post(reverse("set_language"), {"language": "en"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:request", args=[world.bloc_year.pk, "roster"]))
    job = DocumentJob.objects.get()
    assert job.status == DocumentJob.Status.DONE
    if HAS_PDFTOTEXT:
        text = pdf_text(job.file.path)
        assert "Trưởng khối" in text and "Bloc head" not in text
    assert [e.message for e in job.events.all()][0] == "Đã yêu cầu"
