"""The organisation's digital signature (PAdES, pyHanko) on the pledge PDF, and reading a
pledge PDF back: its verification code and hashes (PDF metadata) and its digital signature.

Signing happens only when settings.PLEDGE_SIGNING_PKCS12_PATH is set (with
PLEDGE_SIGNING_PKCS12_PASSPHRASE); otherwise the PDF is produced unsigned and the pages
say so."""

import logging
import re
from dataclasses import dataclass, field
from io import BytesIO

from django.conf import settings

logger = logging.getLogger(__name__)

KEYWORD_CODE = "ma-xac-thuc="
KEYWORD_HASH = "sha256="
SIGNATURE_FIELD = "ChuKySoToChuc"


def _load_signer():
    from pyhanko.sign import signers

    path = settings.PLEDGE_SIGNING_PKCS12_PATH
    passphrase = settings.PLEDGE_SIGNING_PKCS12_PASSPHRASE
    signer = signers.SimpleSigner.load_pkcs12(
        pfx_file=path, passphrase=passphrase.encode("utf-8") if passphrase else None
    )
    if signer is None:
        raise ValueError(f"Cannot load the PKCS#12 file {path}")
    return signer


def pades_configured() -> bool:
    return bool(settings.PLEDGE_SIGNING_PKCS12_PATH)


def pades_status() -> dict:
    """For the pages: is an organisation certificate configured, and whose is it?"""
    if not pades_configured():
        return {"configured": False}
    try:
        signer = _load_signer()
    except Exception as exc:
        logger.warning("PAdES certificate not usable: %s", exc)
        return {"configured": True, "ok": False, "error": str(exc)}
    return {
        "configured": True,
        "ok": True,
        "subject": signer.signing_cert.subject.human_friendly,
        "valid_until": signer.signing_cert["tbs_certificate"]["validity"]["not_after"].native,
    }


def pades_sign(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Sign with the organisation certificate (PAdES baseline, SHA-256)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _load_signer()
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    out = signers.sign_pdf(writer, meta, signer=signer)
    return out.getvalue()


def pledge_pdf_postprocess(job, pdf: bytes) -> bytes:
    """Document pipeline hook: sign the rendered pledge when a certificate is configured."""
    if not pades_configured():
        return pdf
    bloc_year = job.bloc_year
    return pades_sign(
        pdf,
        reason=f"Giao ước thi đua năm {bloc_year.year} – {bloc_year.bloc.name}",
        location=bloc_year.bloc.province.name,
    )


@dataclass
class PdfInfo:
    code: str = ""
    hashes: list[str] = field(default_factory=list)
    signatures: list[dict] = field(default_factory=list)
    error: str = ""


def _trust_roots() -> list:
    if not pades_configured():
        return []
    try:
        signer = _load_signer()
    except Exception:
        return []
    return [signer.signing_cert]


def pdf_inspect(data: bytes) -> PdfInfo:
    """Read the verification code and hashes from the PDF's metadata (Keywords), and check
    any digital signature with pyHanko, trusting the configured organisation certificate."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    info = PdfInfo()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        trailer = reader.trailer_view
        doc_info = trailer.get("/Info")
        if doc_info is not None:
            doc_info = doc_info.get_object()  # the trailer holds a reference
        keywords = str(doc_info.get("/Keywords", "")) if doc_info is not None else ""
    except Exception as exc:
        info.error = str(exc)
        return info
    for part in re.split(r"[,\s]+", keywords):
        if part.startswith(KEYWORD_CODE):
            info.code = part.removeprefix(KEYWORD_CODE)
        elif part.startswith(KEYWORD_HASH):
            info.hashes.append(part.removeprefix(KEYWORD_HASH))
    try:
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        info.error = str(exc)
        embedded = []
    if embedded:
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext

        context = ValidationContext(trust_roots=_trust_roots())
        for sig in embedded:
            try:
                status = validate_pdf_signature(sig, context)
                info.signatures.append(
                    {
                        "field": sig.field_name,
                        "intact": status.intact,
                        "valid": status.valid,
                        "trusted": status.trusted,
                        "signer": status.signing_cert.subject.human_friendly,
                        "signed_at": status.signer_reported_dt,
                        "coverage": status.coverage.name,
                        "bottom_line": status.bottom_line,
                    }
                )
            except Exception as exc:
                info.signatures.append({"field": sig.field_name, "error": str(exc)})
    return info
