"""What an uploaded file is, judged by its content (magic bytes), not by its name.

Evidence files are opened by other people on office machines, so a file named .pdf must
be a PDF: an HTML page, a script or a program renamed to an accepted extension is refused.
Only the formats the product accepts are recognised; anything else is "unknown"."""

import zipfile
from typing import IO

PDF = "pdf"
JPEG = "jpeg"
PNG = "png"
OLE2 = "ole2"  # the compound file of Word 97-2003 (.doc) and Excel 97-2003 (.xls)
DOCX = "docx"
XLSX = "xlsx"
ODT = "odt"

# Extension (lower case, no dot) -> the content it must have.
EXTENSION_KINDS = {
    "pdf": PDF,
    "jpg": JPEG,
    "jpeg": JPEG,
    "png": PNG,
    "doc": OLE2,
    "xls": OLE2,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
}

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", OLE2),
)
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_MAX_ZIP_MEMBERS = 10_000


def _zip_kind(handle: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_MEMBERS:
                return None
            names = {info.filename for info in infos}
            # OpenDocument: an uncompressed "mimetype" member first (ODF 1.2, §3.3).
            first = infos[0] if infos else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.file_size == len(_ODT_MIMETYPE)
                and archive.read(first) == _ODT_MIMETYPE
            ):
                return ODT
            if "[Content_Types].xml" in names:  # Office Open XML
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return None
    return None


def sniff(upload: IO[bytes]) -> str | None:
    """The kind of the file (one of the constants above) or None; the read position of
    `upload` is put back at the start."""
    try:
        upload.seek(0)
        head = upload.read(8)
        kind = next((k for sig, k in _SIGNATURES if head.startswith(sig)), None)
        if kind is None and head.startswith(b"PK\x03\x04"):
            upload.seek(0)
            kind = _zip_kind(upload)
        return kind
    finally:
        upload.seek(0)


def content_matches_extension(upload: IO[bytes], extension: str) -> bool:
    expected = EXTENSION_KINDS.get(extension.lower().lstrip("."))
    return expected is not None and sniff(upload) == expected
