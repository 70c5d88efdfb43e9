"""The scoreboard (Bảng tổng hợp kết quả chấm điểm), rendered by the document pipeline."""

from django.utils.translation import gettext_lazy as _

from documents.registry import DocumentKind, register

from .models import Stage
from .permissions import can_request_scoreboard_pdf


def _scoreboard_context(job) -> dict:
    from .selectors import scoreboard

    bloc_year = job.bloc_year
    bloc = bloc_year.bloc
    province = bloc.province
    board = scoreboard(bloc_year=bloc_year)
    return {
        "job": job,
        "bloc_year": bloc_year,
        "bloc": bloc,
        "province": province,
        "board": board,
        "self": Stage.SELF,
    }


def _scoreboard_filename(job) -> str:
    return f"bang-tong-hop-diem-{job.bloc_year.bloc_id}-{job.bloc_year.year}-{job.pk}.pdf"


SCOREBOARD = register(
    DocumentKind(
        code="scoreboard",
        title=_("Bảng tổng hợp kết quả chấm điểm"),
        template="scoring/scoreboard_pdf.html",
        build_context=_scoreboard_context,
        filename=_scoreboard_filename,
        can_request=can_request_scoreboard_pdf,
        number_code="BC-KTĐ",
    )
)
