"""Pages of the year-end dossier (a documents.DocumentJob of kind "dossier") and of the
province batch. Thin: parse, call one service or selector, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blocs.models import Province
from blocs.selectors import bloc_year_get_for_user
from core.forms import form_errors_apply
from core.permissions import access_rule, can_manage_bloc_year
from core.selectors import object_get_or_404
from documents import services as document_services
from documents.selectors import document_job_get_for_user

from . import batch as batches
from .dossier import DOSSIER, can_request_dossier, dossier_progress
from .forms_jobs import BatchStartForm


def _dossier_get(request: HttpRequest, job_id: int, manage: bool = False):
    job = document_job_get_for_user(user=request.user, job_id=job_id, manage=manage)
    if job.kind != DOSSIER:
        raise Http404(_("Không tìm thấy hồ sơ."))
    return job


def _dossier_context(request: HttpRequest, job) -> dict:
    return {
        "job": job,
        "bloc_year": job.bloc_year,
        "progress": dossier_progress(job),
        "can_retry": (job.status == job.Status.FAILED or job.is_stale)
        and can_manage_bloc_year(request.user, job.bloc_year),
    }


@access_rule("object")
@require_POST
def dossier_request(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    if not can_request_dossier(request.user, bloc_year):
        raise PermissionDenied(_("Bạn không có quyền tạo hồ sơ cuối năm của khối này."))
    try:
        job = document_services.document_job_request(
            kind=DOSSIER, bloc_year=bloc_year, user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)
    return redirect("reports:dossier_detail", job_id=job.pk)


@access_rule("object")
@require_GET
def dossier_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _dossier_get(request, job_id)
    return render(request, "reports/dossier_detail.html", _dossier_context(request, job))


@access_rule("object")
@require_GET
def dossier_progress_part(request: HttpRequest, job_id: int) -> HttpResponse:
    """The live part of the dossier page, polled by htmx while the job runs."""
    job = _dossier_get(request, job_id)
    return render(request, "reports/dossier_progress.html", _dossier_context(request, job))


@access_rule("object")
@require_POST
def dossier_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _dossier_get(request, job_id, manage=True)
    try:
        document_services.document_job_retry(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:dossier_detail", job_id=job.pk)


# --- province batch ---------------------------------------------------------------------------


def _province_for_batch(request: HttpRequest, province_id: int) -> Province:
    province = object_get_or_404(Province.objects.all(), _("Không tìm thấy tỉnh."), pk=province_id)
    if not batches.can_run_batch(request.user, province):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh tạo được báo cáo toàn tỉnh.")
        )
    return province


@access_rule("object")
@require_http_methods(["GET", "POST"])
def batch_new(request: HttpRequest, province_id: int) -> HttpResponse:
    province = _province_for_batch(request, province_id)
    years = batches.batch_years(province=province)
    form = BatchStartForm(
        request.POST if request.method == "POST" else None,
        years=years,
        initial={"year": years[0] if years else None, "kind": "report"},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                batch = batches.batch_start(
                    province=province,
                    year=form.cleaned_data["year"],
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                return redirect("reports:batch_detail", batch_id=batch.pk)
        status = 400
    return render(
        request,
        "reports/batch_new.html",
        {
            "province": province,
            "form": form,
            "batches": batches.batches_for_province(province=province),
        },
        status=status,
    )


def _batch_context(batch) -> dict:
    items = batches.batch_items(batch=batch)
    stuck = batches.batch_stuck_items(batch=batch) if batch.is_active else 0
    return {"batch": batch, "province": batch.province, "items": items, "stuck": stuck}


@access_rule("object")
@require_GET
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.batch_get_for_user(user=request.user, batch_id=batch_id)
    return render(request, "reports/batch_detail.html", _batch_context(batch))


@access_rule("object")
@require_GET
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.batch_get_for_user(user=request.user, batch_id=batch_id)
    return render(request, "reports/batch_progress.html", _batch_context(batch))


@access_rule("object")
@require_POST
def batch_retry(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batches.batch_get_for_user(user=request.user, batch_id=batch_id)
    try:
        batches.batch_retry_failed(batch=batch, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports:batch_detail", batch_id=batch.pk)


@access_rule("object")
@require_GET
def batch_download(request: HttpRequest, batch_id: int) -> FileResponse:
    batch = batches.batch_get_for_user(user=request.user, batch_id=batch_id)
    if not batch.file or batch.is_active:
        raise Http404(_("Tệp ZIP chưa sẵn sàng."))
    return FileResponse(
        batch.file.open("rb"),
        as_attachment=True,
        filename=batch.file.name.rsplit("/", 1)[-1],
        content_type="application/zip",
    )
