"""The tờ trình PDF (type code TTr, Nghị định 30 layout), rendered by the worker from the
submitted version's frozen snapshot; checked with pdftotext."""

import re
import subprocess
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from awards.documents import PROPOSAL
from documents import services as document_services
from documents.models import DocumentJob

from ..conftest import needs_pdftotext
from .test_proposals import _drafts, _ready, _submitted, _version

pytestmark = pytest.mark.django_db


def _text(path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", " ", out)


def _request(world, version, user=None):
    return document_services.document_job_request(
        kind=PROPOSAL,
        bloc_year=world.bloc_year,
        user=user or world.users["secretariat_here"],
        params={"version_id": version.pk},
    )


@needs_pdftotext
def test_the_proposal_pdf_reads_as_a_to_trinh(voted, awards, django_capture_on_commit_callbacks):
    world = voted
    version = _submitted(world)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        job = _request(world, version)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error_reference
    assert job.number_display == "01/TTr-KTĐ"
    text = _text(job.file.path)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số: 01/TTr-KTĐ",
        "TỜ TRÌNH",
        "Về việc đề nghị tặng Cờ thi đua của UBND tỉnh năm 2020",
        "Kính gửi: Chủ tịch UBND tỉnh Quảng Bình",
        "Căn cứ Luật Thi đua, khen thưởng",
        "Hội nghị tổng kết phong trào thi đua năm 2020 ngày 20/12/2020",
        "1 Ban Quản lý Khu",  # the cell wraps the rest of the name
        "xếp thứ Nhất; hoàn thành xuất sắc nhiệm vụ; 3/3 phiếu",
        "(100,0%)",
        "(Có báo cáo thành tích kèm theo)",
        "TRƯỞNG KHỐI",
        version.sha256[:16],
    ):
        assert expected in text, (expected, text)
    print(f"tờ trình render: {elapsed:.2f} s")  # noqa: T201 - the figure the note asks for


def test_only_a_submitted_version_of_this_bloc_year_by_its_secretariat(voted, awards):
    world = voted
    draft = _version(_drafts(world)["Bằng khen của Chủ tịch UBND tỉnh"])
    with pytest.raises(ValidationError, match="chưa được gửi"):
        _request(world, draft)
    submitted = _submitted(world)
    with pytest.raises(PermissionDenied):
        _request(world, submitted, user=world.users["board_other"])
    with pytest.raises(Http404):
        document_services.document_job_request(
            kind=PROPOSAL,
            bloc_year=world.other_bloc_year,
            user=world.users["admin"],
            params={"version_id": submitted.pk},
        )
    for bad in ("", "abc", "-1", True, None):
        with pytest.raises(ValidationError, match="Chưa chọn tờ trình"):
            document_services.document_job_request(
                kind=PROPOSAL,
                bloc_year=world.bloc_year,
                user=world.users["secretariat_here"],
                params={"version_id": bad},
            )
    assert not DocumentJob.objects.exists()
    _ready(world, draft.proposal)
