from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs.selectors import bloc_year_get_for_user
from core.forms import form_errors_apply
from core.permissions import access_rule

from . import services
from .forms import DocumentRequestForm
from .registry import get_kind
from .selectors import document_job_get_for_user, document_signers


@access_rule("object")
@require_POST
def document_request(request: HttpRequest, bloc_year_id: int, kind: str) -> HttpResponse:
    """The request form's post (issue date, number, signer; all optional; for a kind about
    one object, the hidden `subject` naming it, checked by the kind's clean_params).
    Errors: the form again on a page of its own, each next to its field, status 400,
    nothing saved; a subject the user may not use: 403 or 404."""
    document_kind = get_kind(kind)
    if document_kind is None:
        raise Http404(_("Loại văn bản không hợp lệ."))
    if document_kind.can_request is None:
        bloc_year = bloc_year_get_for_user(
            user=request.user, bloc_year_id=bloc_year_id, manage=True
        )
    else:
        bloc_year = bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
        if not document_kind.can_request(request.user, bloc_year):
            raise PermissionDenied(_("Bạn không có quyền tạo văn bản này."))
    form = DocumentRequestForm(
        request.POST,
        number_code=document_kind.number_code,
        signers=document_signers(bloc_year=bloc_year) if document_kind.signed else [],
        signed=document_kind.signed,
        copies_max=document_kind.copies_max,
        auto_id=f"id_{kind}_%s",  # as on the pages that embed the form
    )
    if form.is_valid():
        options = {}
        if document_kind.signed:
            options["signer_role"] = form.cleaned_data["signer"]
        params = {}
        if document_kind.subject:
            params[document_kind.subject] = form.cleaned_data["subject"]
        if document_kind.copies_max:
            params["copies"] = form.cleaned_data["copies"]
        if params:
            options["params"] = params
        if document_kind.issued:
            options |= {
                "issued_on": form.cleaned_data["issued_on"],
                "number": form.cleaned_data["number"],
            }
        try:
            job = services.document_job_request(
                kind=kind, bloc_year=bloc_year, user=request.user, **options
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            return redirect("documents:detail", job_id=job.pk)
    return render(
        request,
        "documents/request.html",
        {
            "bloc_year": bloc_year,
            "kind": document_kind,
            "form": form,
            "form_id": f"request-{kind}-form",
        },
        status=400,
    )


@access_rule("object")
@require_GET
def document_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = document_job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "documents/detail.html", _context(request, job))


@access_rule("object")
@require_GET
def document_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """The live part of the detail page, polled by htmx while the job runs."""
    job = document_job_get_for_user(user=request.user, job_id=job_id)
    return render(request, "documents/_status.html", _context(request, job))


@access_rule("object")
@require_GET
def document_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = document_job_get_for_user(user=request.user, job_id=job_id)
    if job.status != job.Status.DONE or not job.file:
        raise Http404(_("Văn bản chưa sẵn sàng."))
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.file.name.rsplit("/", 1)[-1],
        content_type="application/pdf",
    )


@access_rule("object")
@require_POST
def document_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    job = document_job_get_for_user(user=request.user, job_id=job_id, manage=True)
    try:
        services.document_job_retry(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("documents:detail", job_id=job.pk)


def _context(request: HttpRequest, job) -> dict:
    from core.permissions import can_manage_bloc_year

    return {
        "job": job,
        "kind_title": job.kind_title,
        "can_retry": (job.status == job.Status.FAILED or job.is_stale)
        and can_manage_bloc_year(request.user, job.bloc_year),
        # The raw error (exception text, paths) is for staff; others see the reference.
        "show_error_details": request.user.is_staff,
    }
