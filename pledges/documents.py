"""The signed pledge (Giao ước thi đua) as an official PDF, through the document pipeline:
commitments, every unit's targets, a signature page with each signer, unit, time and hash,
the verification code and a QR code to the public verification page."""

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.registry import DocumentKind, register
from documents.rendering import vn_date_line

from . import selectors, signing
from .models import PledgeVersion
from .permissions import can_view_pledge
from .services import _absolute

KIND = "pledge"


def _version_for(job) -> PledgeVersion:
    version_id = (job.params or {}).get("version_id")
    if version_id is not None:
        version = (
            PledgeVersion.objects.select_related("pledge__bloc_year__bloc__province")
            .filter(pk=version_id, pledge__bloc_year=job.bloc_year)
            .first()
        )
    else:
        version = selectors.current_version(bloc_year=job.bloc_year)
    if version is None or version.status == PledgeVersion.Status.DRAFT:
        raise ValueError(_("Năm thi đua này chưa có giao ước đã mở ký."))
    return version


def verify_url(version: PledgeVersion) -> str:
    return _absolute(reverse("pledges:verify")) + f"?code={version.verification_code}"


def _context(job) -> dict:
    version = _version_for(job)
    content = selectors.version_content(version=version)
    bloc_year = version.pledge.bloc_year
    province = bloc_year.bloc.province
    signatures = [b.signature for b in content.units if b.signature is not None]
    if version.status == PledgeVersion.Status.SIGNED and signatures:
        issued = timezone.localdate(max(s.signed_at for s in signatures))
    else:
        issued = timezone.localdate(job.created_at)
    url = verify_url(version)
    hashes = [s.content_hash for s in signatures]
    return {
        "job": job,
        "version": version,
        "content": content,
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "province": province,
        "head": bloc_year.head_unit,
        "signatures": signatures,
        "date_line": vn_date_line(province.name, issued),
        "verify_url": url,
        "qr_data_uri": segno.make(url, error="m").svg_data_uri(scale=4, border=1),
        "keywords": ", ".join(
            ["khoithidua-giao-uoc", f"{signing.KEYWORD_CODE}{version.verification_code}"]
            + [f"{signing.KEYWORD_HASH}{h}" for h in hashes]
        ),
        "pades": signing.pades_configured(),
    }


def _filename(job) -> str:
    version_id = (job.params or {}).get("version_id", "hien-hanh")
    by = job.bloc_year
    return f"giao-uoc-thi-dua-{by.bloc_id}-{by.year}-v{version_id}-{job.pk}.pdf"


def _can_request(user, bloc_year) -> bool:
    return can_view_pledge(user, bloc_year)


PLEDGE = register(
    DocumentKind(
        code=KIND,
        title=gettext_lazy("Giao ước thi đua"),
        template="pledges/pledge_pdf.html",
        build_context=_context,
        filename=_filename,
        can_request=_can_request,
        postprocess=signing.pledge_pdf_postprocess,
        # Dated by its signatures and made by any reader: no issue date, no number.
        number_code="GƯ-KTĐ",
        issued=False,
    )
)
