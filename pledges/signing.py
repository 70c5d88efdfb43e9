"""The organisation's digital signature (PAdES, pyHanko) on the pledge PDF, and reading a
pledge PDF back: its verification code and hashes (PDF metadata) and its digital signature.

Signing happens only when settings.PLEDGE_SIGNING_PKCS12_PATH is set (with
PLEDGE_SIGNING_PKCS12_PASSPHRASE); otherwise the PDF is produced unsigned and the pages
say so."""

import datetime
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
    except Exception:
        # The reason goes to the log, never to a page.
        logger.exception("PAdES certificate not usable")
        return {"configured": True, "ok": False}
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


# Our pledge PDFs carry one signature; more is not ours, and each check hashes the file.
MAX_SIGNATURES_CHECKED = 3


@dataclass
class SignatureInfo:
    """One embedded signature as pyHanko judged it. `checked` is False when validation
    raised (the reason is in the log, never shown)."""

    field: str
    checked: bool = False
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    # Made with the configured organisation certificate itself (compared byte for byte).
    organisation: bool = False
    entire_file: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None

    @property
    def broken(self) -> bool:
        """The signed bytes were changed, or the signature does not check out at all."""
        return not (self.checked and self.intact and self.valid)

    @property
    def proves_file(self) -> bool:
        """A sound, trusted signature by the organisation over every byte of the file."""
        return self.organisation and self.trusted and self.entire_file and not self.broken


@dataclass
class PdfInfo:
    readable: bool = True
    code: str = ""
    hashes: list[str] = field(default_factory=list)
    signatures: list[SignatureInfo] = field(default_factory=list)
    too_many_signatures: bool = False


def _organisation_certificate():
    """The configured organisation certificate (asn1crypto), None if unset or unusable."""
    if not pades_configured():
        return None
    try:
        return _load_signer().signing_cert
    except Exception:
        logger.exception("PAdES certificate not usable for verification")
        return None


def _signature_check(sig, context, organisation_cert) -> SignatureInfo:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    info = SignatureInfo(field=str(sig.field_name or ""))
    try:
        status = validate_pdf_signature(sig, context)
        subject = status.signing_cert.subject
        common_name = subject.native.get("common_name")
        info.signer = common_name if isinstance(common_name, str) else subject.human_friendly
        info.organisation = organisation_cert is not None and (
            status.signing_cert.dump() == organisation_cert.dump()
        )
        info.intact = bool(status.intact)
        info.valid = bool(status.valid)
        info.trusted = bool(status.trusted)
        info.entire_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        info.signed_at = status.signer_reported_dt
    except Exception:
        logger.warning(
            "Could not validate the signature %r of an uploaded PDF", info.field, exc_info=True
        )
        return SignatureInfo(field=info.field)
    info.checked = True
    return info


def pdf_inspect(data: bytes) -> PdfInfo:
    """Read the verification code and hashes from the PDF's metadata (Keywords), and check
    its digital signatures with pyHanko, trusting only the configured organisation
    certificate (never the system's trust list, never fetching anything)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    info = PdfInfo()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        doc_info = reader.trailer_view.get("/Info")
        if doc_info is not None:
            doc_info = doc_info.get_object()  # the trailer holds a reference
        keywords = str(doc_info.get("/Keywords", "")) if doc_info is not None else ""
        embedded = list(reader.embedded_signatures)
    except Exception:
        logger.warning("Could not read an uploaded PDF", exc_info=True)
        info.readable = False
        return info
    for part in re.split(r"[,\s]+", keywords):
        if part.startswith(KEYWORD_CODE):
            info.code = part.removeprefix(KEYWORD_CODE)
        elif part.startswith(KEYWORD_HASH):
            info.hashes.append(part.removeprefix(KEYWORD_HASH))
    if len(embedded) > MAX_SIGNATURES_CHECKED:
        info.too_many_signatures = True
        return info
    if embedded:
        from pyhanko_certvalidator import ValidationContext

        organisation_cert = _organisation_certificate()
        roots = [organisation_cert] if organisation_cert is not None else []
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        info.signatures = [_signature_check(sig, context, organisation_cert) for sig in embedded]
    return info
