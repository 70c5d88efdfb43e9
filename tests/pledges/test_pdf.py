"""The signed pledge PDF through the document pipeline: Nghị định 30 layout read back with
pdftotext, verification code and hashes in its metadata, verification by upload, and the
organisation's PAdES signature made and validated with pyHanko."""

import datetime as dt
import subprocess
import unicodedata
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import services as document_services
from documents.models import DocumentJob
from pledges import signing
from pledges.models import Signature, UnitTarget

from ..conftest import needs_pdftotext
from .conftest import flip_signed_byte, sign, triggers_disabled

pytestmark = pytest.mark.django_db


def render(setup, django_capture_on_commit_callbacks, version=None) -> tuple[DocumentJob, bytes]:
    version = version or setup.version
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind="pledge",
            bloc_year=setup.world.bloc_year,
            user=setup.world.users["secretariat_here"],
            params={"version_id": version.pk},
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    with job.file.open("rb") as f:
        return job, f.read()


def pdf_text(data: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=30,
    ).stdout.decode()
    text = " ".join(unicodedata.normalize("NFC", out).split())
    for leak in ("{#", "#}", "{%", "{{"):  # no template source in the document
        assert leak not in text, leak
    return text


@needs_pdftotext
def test_pdf_text_reads_as_the_official_pledge(fully_signed, django_capture_on_commit_callbacks):
    job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    assert pdf.startswith(b"%PDF-")
    v = fully_signed.version
    assert job.file.name.endswith(
        f"giao-uoc-thi-dua-{v.pledge.bloc_year.bloc_id}-2020-v{v.pk}-{job.pk}.pdf"
    )
    text = pdf_text(pdf)
    expected = [
        "UBND TỈNH QUẢNG BÌNH",
        "KHỐI THI ĐUA CÁC NGÀNH KINH TẾ - KỸ THUẬT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số:",
        "/GƯ-KTĐ",
        "GIAO ƯỚC THI ĐUA NĂM 2020",
        "I. NỘI DUNG GIAO ƯỚC CHUNG",
        "Thực hiện tốt nhiệm vụ cải cách hành chính; tăng cường kỷ luật, kỷ cương hành chính.",
        "(Chỉ tiêu: 98,5 %)",
        "II. CHỈ TIÊU ĐĂNG KÝ CỦA CÁC ĐƠN VỊ",
        "Giải ngân vốn đầu tư công (Ban Quản lý Khu kinh tế)",
        "Giải ngân vốn đầu tư công (Sở Giao thông vận tải)",
        "Giải ngân vốn đầu tư công (Sở Xây dựng)",
        "Tổ chức hội nghị tập huấn nghiệp vụ",
        "TRANG KÝ KẾT",
        "Nguyễn Văn An",
        "Lãnh đạo deputy",
        f"Mã xác thực: {v.code_display}",
        f"verify/?code={v.verification_code}",
        "không có chữ ký số (PAdES)",
        "Nơi nhận:",
        "TRƯỞNG KHỐI",
    ]
    for piece in expected:
        assert piece in text, f"{piece!r} not in the PDF text:\n{text}"
    for s in v.signatures.all():
        assert f"{s.content_hash[:32]} {s.content_hash[32:]}" in text
        assert (
            s.signed_at.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime(
                "%H:%M ngày %d/%m/%Y"
            )
            in text
        )
    # The date line is the day the last unit signed (today).
    assert "Quảng Bình, ngày" in text


def test_pdf_metadata_carries_code_and_hashes(fully_signed, django_capture_on_commit_callbacks):
    _job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    info = signing.pdf_inspect(pdf)
    assert info.code == fully_signed.version.verification_code
    assert sorted(info.hashes) == sorted(
        s.content_hash for s in fully_signed.version.signatures.all()
    )
    assert info.signatures == []  # no certificate configured: unsigned


def test_detail_page_says_the_pdf_is_unsigned_without_a_certificate(fully_signed):
    c = Client()
    c.force_login(fully_signed.world.users["secretariat_here"])
    html = c.get(reverse("pledges:detail", args=[fully_signed.world.bloc_year.pk])).content.decode()
    assert "Chưa cấu hình chứng thư số của tổ chức: PDF được tạo không có chữ ký số (PAdES)" in html


def test_pdf_request_from_the_page(fully_signed, django_capture_on_commit_callbacks):
    c = Client()
    c.force_login(fully_signed.world.users["staff_member"])  # every reader may
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("pledges:pdf_request", args=[fully_signed.version.pk]))
    job = DocumentJob.objects.get()
    assert response.url == reverse("documents:detail", args=[job.pk])
    assert job.status == DocumentJob.Status.DONE and job.params == {
        "version_id": fully_signed.version.pk
    }


def test_draft_has_no_pdf(world, draft):
    c = Client()
    c.force_login(world.users["secretariat_here"])
    c.post(reverse("pledges:pdf_request", args=[draft.pk]))
    assert not DocumentJob.objects.exists()


def test_uploaded_pdf_verifies_and_tampering_is_detected(
    fully_signed, django_capture_on_commit_callbacks
):
    _job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    url = reverse("pledges:verify")
    html = Client().post(url, {"pdf": SimpleUploadedFile("gu.pdf", pdf)}).content.decode()
    assert 'data-verdict="genuine" data-subject="file"' in html
    assert 'id="proof-sha256"' in html and 'id="proof-signature"' not in html  # unsigned
    with triggers_disabled("pledges_unittarget"):
        UnitTarget.objects.filter(version=fully_signed.version, position=1).update(
            description="Đã sửa"
        )
    html = Client().post(url, {"pdf": SimpleUploadedFile("gu.pdf", pdf)}).content.decode()
    assert 'data-verdict="tampered"' in html and html.count("data-verdict=") == 1
    assert "Dữ liệu đã lưu không khớp với nội dung đã được ký" in html


def test_pdf_made_while_signing_was_open_still_verifies_after_later_signatures(
    opened, django_capture_on_commit_callbacks
):
    w = opened.world
    sign(opened, w.head)
    sign(opened, w.deputy)
    _job, pdf = render(opened, django_capture_on_commit_callbacks)
    assert len(signing.pdf_inspect(pdf).hashes) == 2
    sign(opened, w.member)  # another unit signs after the PDF was made
    url = reverse("pledges:verify")
    html = Client().post(url, {"pdf": SimpleUploadedFile("gu.pdf", pdf)}).content.decode()
    assert 'data-verdict="genuine"' in html and html.count("data-verdict=") == 1
    assert "Tệp PDF được tạo khi mới có 2/3 chữ ký; sau đó có thêm 1 chữ ký." in html
    # A stored signature changed afterwards is still caught.
    with triggers_disabled("pledges_signature"):
        Signature.objects.filter(version=opened.version, unit=w.head).update(signer_name="Khác")
    html = Client().post(url, {"pdf": SimpleUploadedFile("gu.pdf", pdf)}).content.decode()
    assert 'data-verdict="tampered"' in html and html.count("data-verdict=") == 1
    assert "Tệp PDF được tạo khi mới có" not in html


def test_pdf_without_a_code_is_explained(fully_signed):
    from weasyprint import HTML

    pdf = HTML(string="<p>Không phải giao ước</p>").write_pdf()
    html = (
        Client()
        .post(reverse("pledges:verify"), {"pdf": SimpleUploadedFile("x.pdf", pdf)})
        .content.decode()
    )
    assert "Không tìm thấy mã xác thực trong tệp PDF này" in html
    assert 'data-verdict="not-verified"' in html and html.count("data-verdict=") == 1


# --- PAdES ----------------------------------------------------------------------------------


def _validate(pdf: bytes, cert) -> object:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.keys import load_cert_from_pemder  # noqa: F401 - documents the loader
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    trust = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(BytesIO(pdf))
    (sig,) = reader.embedded_signatures
    return validate_pdf_signature(sig, ValidationContext(trust_roots=[trust]))


def test_pades_signed_pdf_validates_with_pyhanko(
    fully_signed, certificate, django_capture_on_commit_callbacks, tmp_path
):
    _job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    status = _validate(pdf, certificate)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.coverage.name == "ENTIRE_FILE"
    assert (
        "Văn phòng Khối thi đua - chứng thư thử nghiệm"
        in status.signing_cert.subject.human_friendly
    )
    details = status.pretty_print_details()
    assert "The signature is cryptographically sound" in details
    (tmp_path / "pades-verification.txt").write_text(details)
    print(details)
    # The metadata survives signing; the verification page reads both.
    info = signing.pdf_inspect(pdf)
    assert info.code == fully_signed.version.verification_code
    (sig,) = info.signatures
    assert sig.intact and sig.trusted and sig.organisation and sig.entire_file and sig.proves_file
    html = (
        Client()
        .post(reverse("pledges:verify"), {"pdf": SimpleUploadedFile("gu.pdf", pdf)})
        .content.decode()
    )
    assert 'data-verdict="genuine"' in html and 'id="proof-signature"' in html
    assert "Văn phòng Khối thi đua - chứng thư thử nghiệm" in html


@needs_pdftotext
def test_pades_pdf_says_it_is_signed(fully_signed, certificate, django_capture_on_commit_callbacks):
    _job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    assert "được ký số (PAdES) bằng chứng thư số của tổ chức" in pdf_text(pdf)
    c = Client()
    c.force_login(fully_signed.world.users["board_here"])
    html = c.get(reverse("pledges:detail", args=[fully_signed.world.bloc_year.pk])).content.decode()
    assert "PDF được ký số (PAdES) bằng chứng thư của tổ chức" in html


def test_altered_signed_pdf_fails_pyhanko_validation(
    fully_signed, certificate, django_capture_on_commit_callbacks
):
    _job, pdf = render(fully_signed, django_capture_on_commit_callbacks)
    tampered = flip_signed_byte(pdf)  # one byte inside the signed range
    status = _validate(tampered, certificate)
    assert not status.intact
    html = (
        Client()
        .post(reverse("pledges:verify"), {"pdf": SimpleUploadedFile("gu.pdf", tampered)})
        .content.decode()
    )
    assert 'data-verdict="tampered"' in html and html.count("data-verdict=") == 1
    assert "Chữ ký số trong tệp PDF không hợp lệ: tệp đã bị sửa sau khi ký." in html


def test_broken_certificate_configuration_fails_the_job_visibly(
    fully_signed, settings, tmp_path, django_capture_on_commit_callbacks
):
    bad = tmp_path / "hong.p12"
    bad.write_bytes(b"khong phai pkcs12")
    settings.PLEDGE_SIGNING_PKCS12_PATH = str(bad)
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind="pledge", bloc_year=fully_signed.world.bloc_year, user=None, params={}
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED and job.error
