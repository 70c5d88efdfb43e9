"""The public verification page as an attacker tries to fool it: one verdict per page
(genuine / not-verified / tampered), "genuine" only for a file proven ours (the
organisation's PAdES signature over the whole file, or the SHA-256 of a PDF the system
rendered) whose stored pledge still hashes as signed; rate-limited per client address."""

import hashlib
import logging
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import services as document_services
from documents.models import DocumentJob
from pledges import signing
from pledges.models import Signature, UnitTarget

from .conftest import (
    ORGANISATION_CN,
    PASSPHRASE,
    flip_signed_byte,
    self_signed_pkcs12,
    triggers_disabled,
)

pytestmark = pytest.mark.django_db
URL = "/verify/"


def render_job(setup, django_capture_on_commit_callbacks) -> DocumentJob:
    """The pledge PDF made through the real pipeline (request, render, postprocess, store)."""
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind="pledge",
            bloc_year=setup.world.bloc_year,
            user=setup.world.users["secretariat_here"],
            params={"version_id": setup.version.pk},
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    return job


def download(setup, job) -> bytes:
    """The file as a user gets it: through the download link."""
    c = Client()
    c.force_login(setup.world.users["secretariat_here"])
    response = c.get(reverse("documents:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def post_pdf(pdf: bytes, client: Client | None = None, **extra) -> tuple[str, str]:
    """Upload; the page's one verdict and its HTML."""
    response = (client or Client()).post(
        URL, {"pdf": SimpleUploadedFile("giao-uoc.pdf", pdf, "application/pdf")}, **extra
    )
    assert response.status_code == 200
    return verdict_of(response.content.decode())


def verdict_of(html: str) -> tuple[str, str]:
    found = re.findall(r'data-verdict="([^"]*)"', html)
    assert len(found) == 1, f"expected exactly one verdict, found {found}"
    return found[0], html


def forged_pdf(keywords: str) -> bytes:
    """What an attacker makes in a minute: WeasyPrint, one line of text, our metadata."""
    from weasyprint import HTML

    return HTML(
        string=(
            f'<html><head><meta name="keywords" content="{keywords}"><title>Giao ước</title>'
            "</head><body><p>GIAO UOC GIA MAO</p></body></html>"
        )
    ).write_pdf()


def public_keywords(version) -> str:
    """Exactly what /verify/?code=... shows anyone: the code and every signature's hash."""
    hashes = [s.content_hash for s in version.signatures.all()]
    return ", ".join(
        ["khoithidua-giao-uoc", f"{signing.KEYWORD_CODE}{version.verification_code}"]
        + [f"{signing.KEYWORD_HASH}{h}" for h in hashes]
    )


def pades_sign_with(pdf: bytes, p12_path, passphrase: str = PASSPHRASE) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=str(p12_path), passphrase=passphrase.encode()
    )
    meta = signers.PdfSignatureMetadata(
        field_name="ChuKySoGiaMao", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    return signers.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf)), meta, signer=signer).getvalue()


# --- Forgeries: never genuine --------------------------------------------------------------


def test_forged_pdf_with_the_public_code_and_hashes_is_not_verified(fully_signed):
    pdf = forged_pdf(public_keywords(fully_signed.version))
    assert signing.pdf_inspect(pdf).code == fully_signed.version.verification_code
    verdict, html = post_pdf(pdf)
    assert verdict == "not-verified"
    assert "Không xác thực được tệp PDF này." in html
    assert "không trùng khớp với bất kỳ tệp PDF nào" in html
    # What the code says about the stored data is shown apart, labelled as such, not green.
    assert 'id="stored-data"' in html and "không phải về tệp bạn tải lên" in html
    assert "alert-success" not in html and "còn nguyên vẹn" not in html


def test_forged_pdf_with_the_code_alone_is_not_verified(fully_signed):
    code = fully_signed.version.verification_code
    pdf = forged_pdf(f"khoithidua-giao-uoc, {signing.KEYWORD_CODE}{code}")
    verdict, html = post_pdf(pdf)
    assert verdict == "not-verified" and "alert-success" not in html


def test_forged_pdf_with_a_made_up_hash_is_tampered(fully_signed):
    """It names our pledge and carries a hash none of its signatures has: a false claim."""
    code = fully_signed.version.verification_code
    pdf = forged_pdf(f"{signing.KEYWORD_CODE}{code}, {signing.KEYWORD_HASH}{'ab' * 32}")
    verdict, html = post_pdf(pdf)
    assert verdict == "tampered"
    assert "mang mã băm không khớp với chữ ký nào đã lưu" in html


def test_forged_pdf_signed_with_a_fresh_self_signed_certificate_is_not_verified(
    fully_signed, certificate, tmp_path
):
    """Same name as the organisation's certificate, another key: not ours."""
    p12 = tmp_path / "gia-mao.p12"
    self_signed_pkcs12(p12, common_name=ORGANISATION_CN)
    pdf = pades_sign_with(forged_pdf(public_keywords(fully_signed.version)), p12)
    (sig,) = signing.pdf_inspect(pdf).signatures
    assert sig.intact and sig.valid and not sig.trusted and not sig.organisation
    verdict, html = post_pdf(pdf)
    assert verdict == "not-verified"
    assert "không phải chứng thư số của tổ chức đã cấu hình" in html
    assert "alert-success" not in html


def test_certificate_issued_by_the_organisation_certificate_is_not_the_organisation(
    fully_signed, certificate, settings, tmp_path
):
    """Trust is in that one certificate: one it issued to someone else (it chains to it,
    so pyHanko calls it trusted) does not sign for the organisation."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    with open(settings.PLEDGE_SIGNING_PKCS12_PATH, "rb") as f:
        org_key, org_cert, _chain = pkcs12.load_key_and_certificates(f.read(), PASSPHRASE.encode())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    child = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Cán bộ văn phòng")]))
        .issuer_name(org_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(org_key, hashes.SHA256())
    )
    p12 = tmp_path / "can-bo.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"can-bo", key, child, [org_cert], serialization.BestAvailableEncryption(b"pw")
        )
    )
    pdf = pades_sign_with(forged_pdf(public_keywords(fully_signed.version)), p12, "pw")
    (sig,) = signing.pdf_inspect(pdf).signatures
    assert sig.intact and sig.valid and sig.entire_file and not sig.organisation
    assert post_pdf(pdf)[0] == "not-verified"


def test_self_signed_pdf_is_not_verified_without_any_organisation_certificate(
    fully_signed, tmp_path
):
    p12 = tmp_path / "gia-mao.p12"
    self_signed_pkcs12(p12)
    pdf = pades_sign_with(forged_pdf(public_keywords(fully_signed.version)), p12)
    assert post_pdf(pdf)[0] == "not-verified"


def test_real_pdf_re_signed_by_someone_else_is_not_verified(
    fully_signed, django_capture_on_commit_callbacks, tmp_path
):
    """The genuine unsigned file plus a stranger's signature is no longer the file we made."""
    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    p12 = tmp_path / "nguoi-la.p12"
    self_signed_pkcs12(p12, common_name="Người lạ")
    assert post_pdf(pades_sign_with(pdf, p12))[0] == "not-verified"


def test_signed_pdf_with_one_byte_flipped_is_tampered(
    fully_signed, certificate, django_capture_on_commit_callbacks
):
    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    flipped = flip_signed_byte(pdf)
    (sig,) = signing.pdf_inspect(flipped).signatures
    assert sig.organisation and not sig.intact
    verdict, html = post_pdf(flipped)
    assert verdict == "tampered"
    assert "Chữ ký số trong tệp PDF không hợp lệ: tệp đã bị sửa sau khi ký." in html
    assert 'data-verdict="genuine"' not in html and "alert-success" not in html
    assert "còn nguyên vẹn" not in html


def test_signed_pdf_with_an_update_appended_is_tampered(
    fully_signed, certificate, django_capture_on_commit_callbacks
):
    """An incremental update after our signature (e.g. new text drawn over the page) leaves
    the signature intact but no longer covering the file."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    writer.set_info(generic.DictionaryObject({generic.pdf_name("/Title"): generic.pdf_string("X")}))
    out = BytesIO()
    writer.write(out)
    (sig,) = signing.pdf_inspect(out.getvalue()).signatures
    assert sig.intact and sig.organisation and not sig.entire_file
    verdict, html = post_pdf(out.getvalue())
    assert verdict == "tampered"
    assert "sau khi được ký số bằng chứng thư của tổ chức" in html


# --- Genuine files ---------------------------------------------------------------------------


def test_real_downloaded_unsigned_pdf_is_genuine(fully_signed, django_capture_on_commit_callbacks):
    job = render_job(fully_signed, django_capture_on_commit_callbacks)
    pdf = download(fully_signed, job)
    assert signing.pdf_inspect(pdf).signatures == []  # no certificate: unsigned
    verdict, html = post_pdf(pdf)
    assert verdict == "genuine"
    assert 'id="proof-sha256"' in html and job.sha256 in html
    assert "Tệp PDF là bản thật do hệ thống tạo ra và giao ước còn nguyên vẹn." in html


def test_real_pdf_signed_with_the_organisation_certificate_is_genuine(
    fully_signed, certificate, django_capture_on_commit_callbacks
):
    job = render_job(fully_signed, django_capture_on_commit_callbacks)
    pdf = download(fully_signed, job)
    assert job.sha256 == hashlib.sha256(pdf).hexdigest()  # of the signed, stored bytes
    verdict, html = post_pdf(pdf)
    assert verdict == "genuine"
    assert 'id="proof-signature"' in html and 'id="proof-sha256"' in html


def test_the_organisation_signature_alone_proves_the_file(
    fully_signed, certificate, django_capture_on_commit_callbacks
):
    """Without the stored hash (e.g. the job was purged), the signature still proves it."""
    job = render_job(fully_signed, django_capture_on_commit_callbacks)
    pdf = download(fully_signed, job)
    DocumentJob.objects.filter(pk=job.pk).update(sha256="")
    verdict, html = post_pdf(pdf)
    assert verdict == "genuine"
    assert 'id="proof-signature"' in html and 'id="proof-sha256"' not in html


def test_genuine_file_is_tampered_once_the_stored_data_are_altered(
    fully_signed, django_capture_on_commit_callbacks
):
    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    with triggers_disabled("pledges_unittarget"):
        UnitTarget.objects.filter(version=fully_signed.version, position=1).update(
            description="Đã sửa trong cơ sở dữ liệu"
        )
    verdict, html = post_pdf(pdf)
    assert verdict == "tampered"
    assert "Dữ liệu đã lưu không khớp với nội dung đã được ký" in html
    assert "alert-success" not in html


def test_genuine_file_is_tampered_once_a_stored_signature_is_rewritten(
    fully_signed, django_capture_on_commit_callbacks
):
    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    with triggers_disabled("pledges_signature"):
        Signature.objects.filter(version=fully_signed.version).update(signer_name="Người khác")
    assert post_pdf(pdf)[0] == "tampered"


def test_another_documents_hash_proves_nothing_about_a_pledge(
    fully_signed, django_capture_on_commit_callbacks
):
    """Only a pledge job's hash counts, and only a finished one."""
    pdf = forged_pdf(public_keywords(fully_signed.version))
    job = render_job(fully_signed, django_capture_on_commit_callbacks)
    DocumentJob.objects.filter(pk=job.pk).update(
        kind="roster", sha256=hashlib.sha256(pdf).hexdigest()
    )
    assert post_pdf(pdf)[0] == "not-verified"


# --- Errors stay in the log ------------------------------------------------------------------


def test_validation_failure_is_logged_and_the_user_sees_a_generic_sentence(
    fully_signed, certificate, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    pdf = download(fully_signed, render_job(fully_signed, django_capture_on_commit_callbacks))
    DocumentJob.objects.update(sha256="")  # leave only the signature to judge

    def broken(*args, **kwargs):
        raise RuntimeError("pyhanko internal detail /Contents 0xDEADBEEF")

    monkeypatch.setattr("pyhanko.sign.validation.validate_pdf_signature", broken)
    with caplog.at_level(logging.WARNING, logger="pledges.signing"):
        verdict, html = post_pdf(pdf)
    assert verdict == "tampered"
    assert "Không kiểm tra được chữ ký số trong tệp PDF: chữ ký bị hỏng." in html
    assert "DEADBEEF" not in html and "RuntimeError" not in html
    assert "DEADBEEF" in caplog.text


def test_unreadable_pdf_is_not_verified_without_exception_text(caplog):
    with caplog.at_level(logging.WARNING, logger="pledges.signing"):
        verdict, html = post_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    assert verdict == "not-verified"
    assert "Không đọc được tệp PDF này" in html
    assert "Traceback" not in html and "PdfReadError" not in html
    assert "Could not read an uploaded PDF" in caplog.text


# --- By code: about the stored data only --------------------------------------------------------


def test_code_check_is_about_the_stored_data(fully_signed):
    v = fully_signed.version
    verdict, html = verdict_of(Client().get(URL, {"code": v.code_display}).content.decode())
    assert verdict == "genuine" and 'data-subject="code"' in html
    assert "Dữ liệu giao ước đã lưu còn nguyên vẹn." in html
    assert "không chứng minh một bản in hay tệp PDF nào là thật" in html
    with triggers_disabled("pledges_unittarget"):
        UnitTarget.objects.filter(version=v, position=1).update(description="Đã sửa")
    verdict, html = verdict_of(Client().post(URL, {"code": v.verification_code}).content.decode())
    assert verdict == "tampered" and "KHÔNG còn nguyên vẹn" in html


def test_code_of_an_unsigned_version_is_not_verified(opened):
    html = Client().get(URL, {"code": opened.version.verification_code}).content.decode()
    verdict, html = verdict_of(html)
    assert verdict == "not-verified" and "Phiên bản này chưa có chữ ký nào." in html


# --- Rate limit ------------------------------------------------------------------------------


def test_rate_limit_refuses_with_429_and_says_when(fully_signed, settings):
    settings.PLEDGE_VERIFY_RATE_LIMIT = 3
    settings.PLEDGE_VERIFY_RATE_WINDOW_SECONDS = 600
    code = fully_signed.version.verification_code
    c = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(2):
        assert c.get(URL, {"code": code}).status_code == 200
    assert c.get(URL).status_code == 200  # the empty form is not a check
    assert c.post(URL, {"code": code}).status_code == 200  # the third check
    refused = c.get(URL, {"code": code})
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "data-verdict=" not in html
    assert re.search(r"Hãy thử lại sau \d+ phút, lúc \d\d:\d\d \(giờ Việt Nam\)", html)
    assert 0 < int(refused["Retry-After"]) <= 600
    pdf = forged_pdf("x")
    upload = c.post(URL, {"pdf": SimpleUploadedFile("a.pdf", pdf)})
    assert upload.status_code == 429  # uploads count against the same address
    # Another address is not affected.
    assert Client(REMOTE_ADDR="198.51.100.21").get(URL, {"code": code}).status_code == 200


def test_rate_limit_counts_an_ipv6_client_per_64(fully_signed, settings):
    settings.PLEDGE_VERIFY_RATE_LIMIT = 2
    code = fully_signed.version.verification_code
    for suffix in ("1", "2"):
        assert (
            Client(REMOTE_ADDR=f"2001:db8:1:2::{suffix}").get(URL, {"code": code}).status_code
            == 200
        )
    assert Client(REMOTE_ADDR="2001:db8:1:2::ffff").get(URL, {"code": code}).status_code == 429
    assert Client(REMOTE_ADDR="2001:db8:1:3::1").get(URL, {"code": code}).status_code == 200


def test_rate_limit_behind_a_trusted_proxy_counts_the_client(fully_signed, settings):
    settings.PLEDGE_VERIFY_RATE_LIMIT = 1
    settings.PLEDGE_TRUSTED_PROXY_COUNT = 1
    code = fully_signed.version.verification_code
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert (
        Client(HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).get(URL, {"code": code}).status_code
        == 200
    )
    # A client cannot reset its count by claiming another address left of the proxy's.
    spoof = Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", **proxy)
    assert spoof.get(URL, {"code": code}).status_code == 429
    other = Client(HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.get(URL, {"code": code}).status_code == 200
