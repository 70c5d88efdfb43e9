"""HTML to PDF with WeasyPrint, and the date line of Nghị định 30/2020."""

import datetime as dt
import functools
import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)


def vn_date_line(place: str, day: dt.date) -> str:
    """ "Quảng Bình, ngày 05 tháng 01 năm 2020": day below 10 and months 1-2 get a leading
    zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def document_signature(job: Any) -> dict[str, Any]:
    """The signature block (Nghị định 30/2020, Phụ lục I): on whose behalf ("TM." the bloc),
    the capacity ("TRƯỞNG KHỐI", or "KT. TRƯỞNG KHỐI" over "PHÓ TRƯỞNG KHỐI" when the
    deputy signs in the head's stead), the signer's own title, then the name. No name
    recorded: the name line stays empty for a hand-written one, never the unit's name."""
    bloc = job.bloc_year.bloc
    if job.signer_role == "deputy":
        capacity = ["KT. TRƯỞNG KHỐI", "PHÓ TRƯỞNG KHỐI"]
    else:
        capacity = ["TRƯỞNG KHỐI"]
    return {
        "on_behalf": f"TM. {bloc.name}".upper(),
        "capacity": capacity,
        "title": (job.signer_title or "").upper(),
        "name": job.signer_name,
    }


def document_official_context(job: Any) -> dict[str, Any]:
    """What every official document says of itself: the place and date line, its number
    and its signature block. A job without an issue date (requested before documents were
    dated, or a kind dated by its content) is dated by its request."""
    province = job.bloc_year.bloc.province
    issued = job.issued_on or timezone.localdate(job.created_at)
    return {
        "issued_on": issued,
        "date_line": vn_date_line(province.name, issued),
        "doc_number": job.number_display,
        "signature": document_signature(job),
    }


def document_fonts() -> list[tuple[str, str, str]]:
    """(weight, style, file URL) of the embedded serif font, from settings.DOCUMENT_FONT_DIR."""
    base = Path(settings.DOCUMENT_FONT_DIR)
    faces = [
        ("normal", "normal", "LiberationSerif-Regular.ttf"),
        ("bold", "normal", "LiberationSerif-Bold.ttf"),
        ("normal", "italic", "LiberationSerif-Italic.ttf"),
        ("bold", "italic", "LiberationSerif-BoldItalic.ttf"),
    ]
    return [(w, s, (base / f).as_uri()) for w, s, f in faces if (base / f).exists()]


def _allowed_roots() -> list[Path]:
    """Where a document may read files from: the app's static files and the font folder."""
    roots = [settings.STATIC_ROOT, settings.DOCUMENT_FONT_DIR]
    for entry in settings.STATICFILES_DIRS:
        roots.append(entry[1] if isinstance(entry, tuple | list) else entry)
    return [Path(root).resolve() for root in roots if root]


def _allowed_file(url: str) -> Path | None:
    """The real path of a file:// URL if it lies inside an allowed root, else None.
    resolve() follows symlinks and "..", so neither can lead outside."""
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None
    try:
        path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_file():
        return None
    if any(path.is_relative_to(root) for root in _allowed_roots()):
        return path
    return None


@functools.cache
def _url_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class DocumentURLFetcher(URLFetcher):
        """Only data: URLs and the app's own static and font files. Never the network
        (not even 127.0.0.1) and no other local file: a template that one day prints user
        text unescaped must not be able to pull /etc/passwd or an internal address into
        a PDF (as an image, a stylesheet or an attachment)."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and (path := _allowed_file(url)) is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
            logger.warning("Document rendering refused to fetch %.200r", url)
            raise ValueError("URL not allowed in documents")

    return DocumentURLFetcher


def render_pdf(*, template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "document_fonts": document_fonts()})
    # base_url=None: relative URLs resolve to nothing; the fetcher refuses all but data:
    # and the app's own files (the fonts of document_fonts()).
    return HTML(string=html, base_url=None, url_fetcher=_url_fetcher_class()()).write_pdf()
