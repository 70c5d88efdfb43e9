"""The proposal (tờ trình đề nghị khen thưởng, type code TTr) through the shared document
pipeline (documents/), in the Nghị định 30/2020 layout: "Kính gửi", "Căn cứ", the list of
units with what they achieved, "(Có báo cáo thành tích kèm theo)" and the signature of the
head unit's leader (TM. the bloc). Rendered from the SUBMITTED version's frozen snapshot,
never from live data: refused if the snapshot no longer matches its hash."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.registry import DocumentKind, register

from .models import ProposalVersion
from .permissions import can_draft

PROPOSAL = "award_proposal"
REGISTER = "TTr-KTĐ"


def _version_of(bloc_year: Any, params: dict) -> ProposalVersion:
    value = params.get("version_id")
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(_("Chưa chọn tờ trình."))
    version = (
        ProposalVersion.objects.select_related("proposal__award_type", "proposal__bloc_year")
        .filter(pk=value, proposal__bloc_year=bloc_year)
        .first()
    )
    if version is None:
        raise Http404(_("Không tìm thấy tờ trình của khối trong năm này."))
    return version


def _params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    if user is not None and not can_draft(user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được tờ trình."))
    version = _version_of(bloc_year, params)
    if version.status != ProposalVersion.Status.SUBMITTED:
        raise ValidationError(
            _("Tờ trình chưa được gửi Ban Thi đua - Khen thưởng: chưa có bản chính thức để in.")
        )
    return {"version_id": version.pk}


def _default_day(*, bloc_year: Any, params: dict) -> dt.date | None:
    """The day the version was submitted."""
    from django.utils import timezone

    try:
        version = _version_of(bloc_year, params)
    except (ValidationError, Http404):
        return None
    return timezone.localdate(version.submitted_at) if version.submitted_at else None


def _context(job: Any) -> dict:
    from .services import sha256_of

    version = _version_of(job.bloc_year, job.params or {})
    snap = version.snapshot
    if version.status != ProposalVersion.Status.SUBMITTED or sha256_of(snap) != version.sha256:
        raise ValueError(
            "The proposal is not submitted, or its snapshot no longer matches its hash"
        )
    bloc_year = job.bloc_year
    meeting = snap.get("meeting") or {}
    held_on = dt.date.fromisoformat(meeting["held_on"]) if meeting.get("held_on") else None
    rows = []
    for item in snap["items"]:
        e = item["eligibility"]
        parts = []
        if e.get("rank"):
            parts.append(_("xếp thứ %(rank)s") % {"rank": e["rank_label"]})
        if e.get("classification"):
            parts.append(e["classification"][:1].lower() + e["classification"][1:])
        ballot = e.get("ballot")
        if ballot:
            parts.append(
                _("%(yes)s/%(base)s phiếu đồng ý (%(percent)s)")
                % {
                    "yes": ballot["yes"],
                    "base": ballot["base_count"],
                    "percent": ballot["percent_label"],
                }
            )
        rows.append({"name": item["unit"]["name"], "achievement": "; ".join(parts)})
    return {
        "job": job,
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "province": bloc_year.bloc.province,
        "snap": snap,
        "version": version,
        "award": snap["award"]["name"],
        "rows": rows,
        "held_on": held_on.strftime("%d/%m/%Y") if held_on else "",
        "rule_name": snap["rule_set"]["name"],
        "sha256": version.sha256,
    }


def _filename(job: Any) -> str:
    version_id = (job.params or {}).get("version_id", "")
    return f"to-trinh-{job.bloc_year.bloc_id}-{job.bloc_year.year}-{version_id}-{job.pk}.pdf"


def _can_request(user: Any, bloc_year: Any) -> bool:
    return can_draft(user, bloc_year)


PROPOSAL_PDF = register(
    DocumentKind(
        code=PROPOSAL,
        title=gettext_lazy("Tờ trình đề nghị khen thưởng"),
        template="awards/proposal_pdf.html",
        build_context=_context,
        filename=_filename,
        can_request=_can_request,
        number_code=REGISTER,
        subject="version_id",
        clean_params=_params,
        default_issued_on=_default_day,
    )
)
