"""The year-end dossier (hồ sơ cuối năm): one PDF bundling a bloc-year's documents behind an
index page that lists each part with its page range and the SHA-256 of the part's PDF.

The dossier is a documents.DocumentJob of kind "dossier", rendered by the pipeline's task
(documents.tasks: acks_late, time limits, bounded retries; the job's file, SHA-256,
status, error, events and retry are the pipeline's):

- `build_context(job)` fixes the parts on the first run (`dossier_parts_collect`: the
  year-end report when approved or signed, the scoreboard, the tally record of every
  published ballot of the year-end meeting, its sealed minutes, the signed pledge, the
  submitted proposals (tờ trình); a part that does not exist yet is listed as "chưa có"),
  then brings each part to DONE (`dossier_part_render`), recording progress (parts done /
  total are the DossierPart rows) after each one. A part already DONE (a retry) is kept;
  a missing one is reused from an earlier rendering whose data has not changed (the
  HTML it would render today hashes as it did then, and its stored file still hashes to
  its job's SHA-256) or rendered now through the pipeline (document_job_request +
  document_job_render, in one transaction, so the part's own queued task finds it done).
  A part that fails fails the dossier naming the part; a retry re-renders only what is
  missing.
- the template renders the index page; `postprocess(job, index_pdf)` appends the parts'
  PDFs with pypdf. The pipeline then stores the merged bytes and their SHA-256.
"""

import hashlib
import io
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import DocumentJob
from documents.registry import DocumentKind, get_kind, register
from documents.rendering import document_fonts, document_official_context

from .models_jobs import DossierPart

logger = logging.getLogger(__name__)

DOSSIER = "dossier"


class DossierPartError(RuntimeError):
    """A part could not be made; the message names it."""


@dataclass
class PartSpec:
    kind: str
    params: dict
    title: str
    # "" when the part can be rendered; else why it is listed as "chưa có".
    absent: str = ""


# --- which parts ------------------------------------------------------------------------------


def dossier_parts_collect(*, bloc_year: Any) -> list[PartSpec]:
    """The parts of a bloc-year's dossier, in the order they are bundled."""
    from awards.models import AwardProposal, ProposalVersion
    from meetings.models import Ballot, Meeting, Minutes
    from pledges.models import PledgeVersion
    from pledges.selectors import current_version

    from .models import Report
    from .selectors import report_current

    year = bloc_year.year
    specs: list[PartSpec] = []

    report = report_current(bloc_year=bloc_year, kind=Report.Kind.YEAR_END)
    title = _("Báo cáo tổng kết phong trào thi đua năm %(year)s") % {"year": year}
    if report is not None and report.status in (Report.Status.APPROVED, Report.Status.SIGNED):
        specs.append(PartSpec("report", {"report_id": report.pk}, title))
    else:
        specs.append(PartSpec("report", {}, title, _("chưa được hội nghị thông qua")))

    specs.append(PartSpec("scoreboard", {}, _("Bảng tổng hợp kết quả chấm điểm")))

    meeting = (
        Meeting.objects.filter(bloc_year=bloc_year, kind=Meeting.Kind.YEAR_END)
        .order_by("-held_on", "-id")
        .first()
    )
    ballots = (
        list(Ballot.objects.filter(meeting=meeting, status=Ballot.Status.PUBLISHED).order_by("id"))
        if meeting is not None
        else []
    )
    for ballot in ballots:
        specs.append(
            PartSpec(
                "ballot_tally",
                {"ballot_id": ballot.pk},
                _("Biên bản kiểm phiếu: %(title)s") % {"title": ballot.title},
            )
        )
    if not ballots:
        specs.append(
            PartSpec(
                "ballot_tally", {}, _("Biên bản kiểm phiếu"), _("chưa có cuộc bỏ phiếu công bố")
            )
        )

    minutes = (
        Minutes.objects.filter(meeting=meeting, status=Minutes.Status.SEALED)
        .order_by("-version")
        .first()
        if meeting is not None
        else None
    )
    title = _("Biên bản hội nghị tổng kết năm %(year)s") % {"year": year}
    if minutes is not None:
        specs.append(PartSpec("minutes", {"minutes_id": minutes.pk}, title))
    else:
        specs.append(PartSpec("minutes", {}, title, _("chưa niêm phong")))

    version = current_version(bloc_year=bloc_year)
    title = _("Giao ước thi đua năm %(year)s") % {"year": year}
    if version is not None and version.status == PledgeVersion.Status.SIGNED:
        specs.append(PartSpec("pledge", {"version_id": version.pk}, title))
    else:
        specs.append(PartSpec("pledge", {}, title, _("chưa ký đủ")))

    if get_kind("award_proposal") is not None:
        proposals = AwardProposal.objects.filter(bloc_year=bloc_year).select_related("award_type")
        found = False
        for proposal in proposals.order_by("award_type__order", "award_type__name", "id"):
            submitted = (
                ProposalVersion.objects.filter(
                    proposal=proposal, status=ProposalVersion.Status.SUBMITTED
                )
                .order_by("-number")
                .first()
            )
            if submitted is None:
                continue
            found = True
            specs.append(
                PartSpec(
                    "award_proposal",
                    {"version_id": submitted.pk},
                    _("Tờ trình đề nghị %(award)s") % {"award": proposal.award_type.name},
                )
            )
        if not found:
            specs.append(
                PartSpec("award_proposal", {}, _("Tờ trình đề nghị khen thưởng"), _("chưa gửi"))
            )
    return specs


# --- one part ---------------------------------------------------------------------------------


def _html_fingerprint(job: DocumentJob) -> str:
    """SHA-256 of the HTML the job's kind renders for this job from today's data: equal to
    the one recorded when the job was rendered means its PDF says what it would say now."""
    kind = get_kind(job.kind)
    context = {**document_official_context(job), **kind.build_context(job)}
    html = render_to_string(kind.template, {**context, "document_fonts": document_fonts()})
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _file_bytes(job: DocumentJob) -> bytes | None:
    """The stored file, only if it still hashes to the job's recorded SHA-256."""
    if job.status != DocumentJob.Status.DONE or not job.file or not job.sha256:
        return None
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError):
        return None
    return data if hashlib.sha256(data).hexdigest() == job.sha256 else None


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _reusable(*, bloc_year: Any, kind: str, params: dict) -> tuple[DocumentJob, bytes, str] | None:
    """An earlier part of the same kind and params, rendered for a dossier of this bloc-year,
    whose data has not changed and whose file is intact."""
    earlier = (
        DossierPart.objects.filter(
            dossier__bloc_year=bloc_year,
            kind=kind,
            params=params,
            status=DossierPart.Status.DONE,
            part_job__status=DocumentJob.Status.DONE,
        )
        .exclude(html_sha256="")
        .select_related("part_job__bloc_year__bloc__province")
        .order_by("-id")
        .first()
    )
    if earlier is None:
        return None
    job = earlier.part_job
    data = _file_bytes(job)
    if data is None or _html_fingerprint(job) != earlier.html_sha256:
        return None
    return job, data, earlier.html_sha256


def dossier_part_render(*, part: DossierPart) -> bytes:
    """Bring one part to DONE: reuse or render. Returns the part's PDF bytes. Raises
    DossierPartError naming the part (and records the error on it) when it cannot."""
    bloc_year = part.dossier.bloc_year
    if part.status == DossierPart.Status.DONE and part.part_job is not None:
        data = _file_bytes(part.part_job)
        if data is not None:
            return data
    try:
        found = _reusable(bloc_year=bloc_year, kind=part.kind, params=part.params)
        reused = found is not None
        if found is None:
            from documents.services import document_job_render, document_job_request

            with transaction.atomic():
                job = document_job_request(
                    kind=part.kind, bloc_year=bloc_year, user=None, params=part.params
                )
                job = document_job_render(job_id=job.pk)
            data = _file_bytes(job)
            if data is None:
                raise RuntimeError("the rendered file does not match its SHA-256")
            fingerprint = _html_fingerprint(job)
        else:
            job, data, fingerprint = found
    except Exception as exc:
        from documents.services import format_exception

        message = format_exception(exc)
        DossierPart.objects.filter(pk=part.pk).update(
            status=DossierPart.Status.FAILED, error=message[:4000]
        )
        raise DossierPartError(
            _("Không tạo được phần “%(part)s”: %(error)s") % {"part": part.title, "error": message}
        ) from exc
    part.part_job = job
    part.reused = reused
    part.pages = _pages(data)
    part.sha256 = job.sha256
    part.html_sha256 = fingerprint
    part.status = DossierPart.Status.DONE
    part.error = ""
    part.save(
        update_fields=["part_job", "reused", "pages", "sha256", "html_sha256", "status", "error"]
    )
    return data


# --- the dossier as a document kind -----------------------------------------------------------


def dossier_parts(job: DocumentJob) -> list[DossierPart]:
    return list(DossierPart.objects.filter(dossier=job).select_related("part_job"))


def _parts_ensure(job: DocumentJob) -> list[DossierPart]:
    """The dossier's parts, fixed on its first run (a retry keeps them)."""
    with transaction.atomic():
        DocumentJob.objects.select_for_update().filter(pk=job.pk).first()
        parts = dossier_parts(job)
        if parts:
            return parts
        for position, spec in enumerate(dossier_parts_collect(bloc_year=job.bloc_year), 1):
            DossierPart.objects.create(
                dossier=job,
                position=position,
                kind=spec.kind,
                params=spec.params,
                title=spec.title[:300],
                status=DossierPart.Status.ABSENT if spec.absent else DossierPart.Status.PENDING,
                error=spec.absent,
            )
        return dossier_parts(job)


def _index_rows(parts: list[DossierPart], index_pages: int) -> list[dict]:
    rows, page = [], index_pages + 1
    for number, part in enumerate(parts, 1):
        row = {"number": number, "title": part.title, "absent": part.status != "done"}
        if part.status == DossierPart.Status.DONE:
            row.update(
                first=page,
                last=page + part.pages - 1,
                pages=part.pages,
                sha256=part.sha256,
                number_display=part.part_job.number_display if part.part_job else "",
            )
            page += part.pages
        else:
            row["note"] = part.error
        rows.append(row)
    return rows


def _context(job: DocumentJob) -> dict:
    """Runs in the worker before the index page is rendered: every part brought to DONE.
    The parts' bytes ride on the job object to `_merge` (the pipeline passes the same
    object to build_context and postprocess of one render)."""
    blobs = []
    for part in _parts_ensure(job):
        if part.status != DossierPart.Status.ABSENT:
            blobs.append(dossier_part_render(part=part))
    job._dossier_blobs = blobs
    return _context_rows(job, 1)


def _merge(job: DocumentJob, index_pdf: bytes) -> bytes:
    """Index page(s) then every part, as one PDF. If the index runs over one page, it is
    rendered again with the page ranges shifted."""
    from pypdf import PdfReader, PdfWriter

    from documents.rendering import render_pdf

    blobs = getattr(job, "_dossier_blobs", None)
    if blobs is None:  # postprocess without its build_context (should not happen)
        raise RuntimeError("dossier parts were not prepared")
    index_pages = _pages(index_pdf)
    if index_pages != 1:
        context = {**document_official_context(job), **_context_rows(job, index_pages)}
        index_pdf = render_pdf(template=DOSSIER_KIND.template, context=context)
    writer = PdfWriter()
    for blob in [index_pdf, *blobs]:
        writer.append(PdfReader(io.BytesIO(blob)))
    bloc_year = job.bloc_year
    writer.add_metadata(
        {
            "/Title": _("Hồ sơ cuối năm %(year)s – %(bloc)s")
            % {"year": bloc_year.year, "bloc": bloc_year.bloc.name},
            "/Producer": "khoithidua",
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _context_rows(job: DocumentJob, index_pages: int) -> dict:
    parts = dossier_parts(job)
    bloc_year = job.bloc_year
    return {
        "job": job,
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "province": bloc_year.bloc.province,
        "rows": _index_rows(parts, index_pages),
        "parts_done": sum(p.status == DossierPart.Status.DONE for p in parts),
        "made_at": timezone.localtime(),
    }


def _filename(job: DocumentJob) -> str:
    by = job.bloc_year
    return f"ho-so-cuoi-nam-{by.bloc_id}-{by.year}-{job.pk}.pdf"


def can_request_dossier(user: Any, bloc_year: Any) -> bool:
    """The bloc-year's secretariat, the board of the province, administrators."""
    from core.permissions import can_manage_bloc_year

    return can_manage_bloc_year(user, bloc_year)


DOSSIER_KIND = register(
    DocumentKind(
        code=DOSSIER,
        title=gettext_lazy("Hồ sơ cuối năm"),
        template="reports/dossier_index_pdf.html",
        build_context=_context,
        filename=_filename,
        can_request=can_request_dossier,
        postprocess=_merge,
        issued=False,
        signed=False,
    )
)


def dossier_progress(job: DocumentJob) -> dict:
    parts = dossier_parts(job)
    present = [p for p in parts if p.status != DossierPart.Status.ABSENT]
    done = sum(p.status == DossierPart.Status.DONE for p in present)
    total = len(present)
    failed = next((p for p in present if p.status == DossierPart.Status.FAILED), None)
    return {
        "parts": parts,
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else (100 if job.status == "done" else 0),
        "failed_part": failed,
    }
