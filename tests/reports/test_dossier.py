"""The year-end dossier (reports/dossier.py): the parts bundled behind an index page whose
SHA-256 per part matches the part's pages in the merged PDF, reuse by fingerprint (a second
dossier renders no part again), a failing part that fails the dossier naming it, and the
retry that renders only the missing part; the pages (progress, retry, download)."""

import dataclasses
import hashlib
import io
import re
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from documents import registry
from documents import services as document_services
from documents.models import DocumentJob
from meetings.models import Ballot
from meetings.services import ballots as ballot_services
from reports.dossier import DOSSIER, dossier_progress
from reports.models_jobs import DossierPart

from ..conftest import PASSWORD, log_in, needs_pdftotext
from ..meetings.conftest import ballot_cast, ballot_nomination, ballot_year_build

pytestmark = pytest.mark.django_db

DONE, FAILED = DocumentJob.Status.DONE, DocumentJob.Status.FAILED


@pytest.fixture
def by(world):
    """A bloc-year with verified scores and one published nomination at its year-end
    meeting: two parts to render (the scoreboard, the tally record), the others absent."""
    by = ballot_year_build(world, n_units=4)
    ballot = ballot_nomination(by)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    for unit in by.units:
        ballot_cast(by, ballot, unit, {by.units[0].pk: "yes"})
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    ballot_services.ballot_publish(ballot=ballot, actor=by.secretariat)
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.PUBLISHED
    by.extra["ballot"] = ballot
    return by


def dossier(by, capture, user=None) -> DocumentJob:
    with capture(execute=True):
        job = document_services.document_job_request(
            kind=DOSSIER, bloc_year=by.bloc_year, user=user or by.secretariat
        )
    job.refresh_from_db()
    return job


def retry(job, user, capture) -> DocumentJob:
    with capture(execute=True):
        document_services.document_job_retry(job=job, user=user)
    job.refresh_from_db()
    return job


def rendered_part_jobs(by) -> int:
    return DocumentJob.objects.filter(bloc_year=by.bloc_year).exclude(kind=DOSSIER).count()


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-", "-"], input=data, check=True, capture_output=True
    ).stdout
    return unicodedata.normalize("NFC", out.decode("utf-8"))


@needs_pdftotext
def test_index_hashes_match_the_parts(by, django_capture_on_commit_callbacks):
    job = dossier(by, django_capture_on_commit_callbacks)
    assert job.status == DONE, job.error
    merged = job.file.read()
    assert hashlib.sha256(merged).hexdigest() == job.sha256
    parts = list(DossierPart.objects.filter(dossier=job).select_related("part_job"))
    done = [p for p in parts if p.status == DossierPart.Status.DONE]
    assert [p.kind for p in done] == ["scoreboard", "ballot_tally"]
    absent = {p.kind for p in parts if p.status == DossierPart.Status.ABSENT}
    assert absent == {"report", "minutes", "pledge", "award_proposal"}

    reader = PdfReader(io.BytesIO(merged))
    index_text = _pdf_text(_pages(reader, 0, 1))
    flat = re.sub(r"\s+", " ", index_text)
    assert "HỒ SƠ TỔNG KẾT PHONG TRÀO THI ĐUA NĂM 2020" in flat
    assert "MỤC LỤC" in flat
    assert "Báo cáo tổng kết phong trào thi đua năm 2020: chưa có" in flat
    assert "Giao ước thi đua năm 2020: chưa có" in flat
    start = 1
    for part in done:
        original = part.part_job.file.read()
        assert hashlib.sha256(original).hexdigest() == part.sha256 == part.part_job.sha256
        assert f"SHA-256: {part.sha256}" in flat  # the index lists each part's hash
        # The merged file's pages of this part carry the part's text, page for page.
        original_reader = PdfReader(io.BytesIO(original))
        assert part.pages == len(original_reader.pages)
        for offset in range(part.pages):
            assert reader.pages[start + offset].extract_text() == (
                original_reader.pages[offset].extract_text()
            )
        start += part.pages
    assert start == len(reader.pages)
    assert len(reader.pages) == 1 + sum(p.pages for p in done)


def _pages(reader, first, last) -> bytes:
    writer = PdfWriter()
    for page in reader.pages[first:last]:
        writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_second_dossier_reuses_every_part(by, django_capture_on_commit_callbacks):
    first = dossier(by, django_capture_on_commit_callbacks)
    assert first.status == DONE, first.error
    rendered = rendered_part_jobs(by)
    assert rendered == 2
    second = dossier(by, django_capture_on_commit_callbacks)
    assert second.status == DONE, second.error
    assert rendered_part_jobs(by) == rendered  # no part rendered again
    parts = DossierPart.objects.filter(dossier=second, status=DossierPart.Status.DONE)
    assert all(p.reused for p in parts)
    assert {p.part_job_id for p in parts} == set(
        DossierPart.objects.filter(dossier=first, status="done").values_list("part_job", flat=True)
    )


def test_changed_data_or_damaged_file_is_rendered_again(by, django_capture_on_commit_callbacks):
    first = dossier(by, django_capture_on_commit_callbacks)
    tally = DossierPart.objects.get(dossier=first, kind="ballot_tally")
    # A damaged stored file no longer hashes to its job's SHA-256: it is not reused.
    path = tally.part_job.file.path
    with open(path, "ab") as handle:
        handle.write(b"%tampered")
    second = dossier(by, django_capture_on_commit_callbacks)
    assert second.status == DONE, second.error
    new_tally = DossierPart.objects.get(dossier=second, kind="ballot_tally")
    assert new_tally.part_job_id != tally.part_job_id and not new_tally.reused
    assert DossierPart.objects.get(dossier=second, kind="scoreboard").reused


def _breaking(monkeypatch, code: str, message: str = "máy in hỏng"):
    kind = registry.get_kind(code)

    def boom(job):
        raise RuntimeError(message)

    monkeypatch.setitem(registry._KINDS, code, dataclasses.replace(kind, build_context=boom))
    return kind


def test_failing_part_fails_the_dossier_and_retry_renders_only_it(
    by, monkeypatch, django_capture_on_commit_callbacks
):
    original = _breaking(monkeypatch, "ballot_tally")
    job = dossier(by, django_capture_on_commit_callbacks)
    assert job.status == FAILED
    assert "Không tạo được phần “Biên bản kiểm phiếu: Bình xét Cờ thi đua" in job.error
    assert "máy in hỏng" in job.error
    progress = dossier_progress(job)
    assert (progress["done"], progress["total"]) == (1, 2)
    assert progress["failed_part"].kind == "ballot_tally"
    scoreboard = DossierPart.objects.get(dossier=job, kind="scoreboard")
    assert scoreboard.status == DossierPart.Status.DONE
    assert not job.file

    monkeypatch.setitem(registry._KINDS, "ballot_tally", original)
    scoreboard_jobs = DocumentJob.objects.filter(kind="scoreboard").count()
    job = retry(job, by.secretariat, django_capture_on_commit_callbacks)
    assert job.status == DONE, job.error
    assert DocumentJob.objects.filter(kind="scoreboard").count() == scoreboard_jobs
    assert DossierPart.objects.get(pk=scoreboard.pk).part_job_id == scoreboard.part_job_id
    tally = DossierPart.objects.get(dossier=job, kind="ballot_tally")
    assert tally.status == DossierPart.Status.DONE and tally.error == ""
    assert dossier_progress(job)["done"] == 2


def test_pages_button_progress_download_and_retry(by, client, django_capture_on_commit_callbacks):
    assert log_in(client, username=by.secretariat.username, password=PASSWORD)
    page = client.get(reverse("blocs:bloc_year_detail", args=[by.bloc_year.pk]))
    assert page.status_code == 200
    assert 'id="dossier-request-button"' in page.content.decode()  # "Tạo hồ sơ cuối năm"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:dossier_request", args=[by.bloc_year.pk]))
    job = DocumentJob.objects.get(kind=DOSSIER)
    assert response.status_code == 302
    assert response.url == reverse("reports:dossier_detail", args=[job.pk])
    detail = client.get(response.url)
    html = detail.content.decode()
    assert detail.status_code == 200
    assert 'id="dossier-download"' in html and "Đã có 2/2 văn bản" in html
    assert "<progress" in html and "style=" not in html
    assert "hx-get" not in html  # done: no more polling
    part = client.get(reverse("reports:dossier_progress", args=[job.pk]))
    assert part.status_code == 200 and b"dossier-parts" in part.content
    download = client.get(reverse("documents:download", args=[job.pk]))
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == job.sha256
    # Retry of a job that is done: refused with the pipeline's Vietnamese message.
    retried = client.post(reverse("reports:dossier_retry", args=[job.pk]), follow=True)
    assert "Chỉ tạo lại được văn bản bị lỗi" in retried.content.decode()


def test_running_dossier_polls(by, client):
    job = document_services.document_job_request(
        kind=DOSSIER, bloc_year=by.bloc_year, user=by.secretariat
    )  # on_commit not run: still pending
    assert log_in(client, username=by.secretariat.username, password=PASSWORD)
    html = client.get(reverse("reports:dossier_detail", args=[job.pk])).content.decode()
    assert reverse("reports:dossier_progress", args=[job.pk]) in html
    assert 'hx-trigger="every 1s"' in html


def test_permissions_and_bad_input(world, by, client):
    url = reverse("reports:dossier_request", args=[by.bloc_year.pk])
    # A member's leader reads the bloc but makes no dossier.
    leader = by.leaders[by.units[2].pk]
    assert log_in(client, username=leader.username, password=PASSWORD)
    page = client.get(reverse("blocs:bloc_year_detail", args=[by.bloc_year.pk])).content.decode()
    assert "dossier-request-button" not in page
    assert client.post(url).status_code == 403
    assert client.get(url).status_code == 405
    assert not DocumentJob.objects.filter(kind=DOSSIER).exists()
    assert client.post(reverse("reports:dossier_request", args=[999999])).status_code == 404
    # Another province's board sees no dossier of this one.
    job = document_services.document_job_request(
        kind=DOSSIER, bloc_year=by.bloc_year, user=by.secretariat
    )
    assert log_in(client, username="board.other", password=PASSWORD)
    assert client.get(reverse("reports:dossier_detail", args=[job.pk])).status_code == 403
    assert client.post(reverse("reports:dossier_retry", args=[job.pk])).status_code == 403
    # A job of another kind is not a dossier page.
    other = document_services.document_job_request(
        kind="scoreboard", bloc_year=by.bloc_year, user=by.secretariat
    )
    assert log_in(client, username=by.secretariat.username, password=PASSWORD)
    assert client.get(reverse("reports:dossier_detail", args=[other.pk])).status_code == 404
    assert client.get("/dossiers/abc/").status_code == 404
