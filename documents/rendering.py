"""HTML to PDF with WeasyPrint, and the date line of Nghị định 30/2020."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string


def vn_date_line(place: str, day: dt.date) -> str:
    """ "Quảng Bình, ngày 05 tháng 01 năm 2020": day below 10 and months 1-2 get a leading
    zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


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


def render_pdf(*, template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {**context, "document_fonts": document_fonts()})
    # base_url=None: documents reference no external resource; fonts come from fontconfig.
    return HTML(string=html, base_url=None).write_pdf()
