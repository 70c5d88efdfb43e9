"""The bloc-year roster (Danh sách đơn vị thành viên), rendered by the document pipeline."""

from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register

from .selectors import bloc_year_roster


def _roster_context(job) -> dict:
    bloc_year = job.bloc_year
    bloc = bloc_year.bloc
    province = bloc.province
    roster = bloc_year_roster(bloc_year=bloc_year)
    # Date line, number and signature block: documents.rendering.document_official_context.
    return {
        "job": job,
        "bloc_year": bloc_year,
        "bloc": bloc,
        "province": province,
        "roster": roster,
    }


def _roster_filename(job) -> str:
    return f"danh-sach-thanh-vien-khoi-{job.bloc_year.bloc_id}-{job.bloc_year.year}-{job.pk}.pdf"


ROSTER = register(
    DocumentKind(
        code="roster",
        title=_("Danh sách đơn vị thành viên"),
        template="blocs/roster_pdf.html",
        build_context=_roster_context,
        filename=_roster_filename,
        number_code="DS-KTĐ",
    )
)
