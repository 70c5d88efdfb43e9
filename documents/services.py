"""Writes of the document pipeline: request, render (in the worker), fail, retry."""

import functools
import hashlib
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from blocs.models import BlocYear
from core.services import audit_event_record

from .models import DocumentJob, DocumentJobEvent
from .registry import get_kind
from .rendering import render_pdf

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def in_site_language(func: F) -> F:
    """Official documents and the texts stored with their jobs are in the site language
    (Vietnamese) whatever the UI language of who asked; in eager mode the render runs
    inside that user's request."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _enqueue(job: DocumentJob) -> None:
    from .tasks import document_job_render_task

    def send() -> None:
        try:
            document_job_render_task.apply_async(args=[job.pk], queue=settings.DOCUMENTS_QUEUE)
        except Exception as exc:  # broker down: the job stays visible and retryable
            logger.exception("Could not enqueue document job %s", job.pk)
            document_job_fail(
                job_id=job.pk,
                error=_("Không gửi được yêu cầu tới hàng đợi xử lý: %(error)s") % {"error": exc},
            )

    transaction.on_commit(send)


@in_site_language
@transaction.atomic
def document_job_request(
    *, kind: str, bloc_year: BlocYear, user: Any, params: dict | None = None
) -> DocumentJob:
    if get_kind(kind) is None:
        raise ValidationError({"kind": _("Loại văn bản không hợp lệ.")})
    job = DocumentJob.objects.create(
        kind=kind, bloc_year=bloc_year, params=params or {}, requested_by=user
    )
    DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Đã yêu cầu"))
    audit_event_record(actor=user, action="document_job_request", target=job, data={"kind": kind})
    _enqueue(job)
    return job


@in_site_language
@transaction.atomic
def document_job_retry(*, job: DocumentJob, user: Any) -> DocumentJob:
    job = DocumentJob.objects.select_for_update().get(pk=job.pk)
    if job.status != DocumentJob.Status.FAILED and not job.is_stale:
        raise ValidationError(
            _("Chỉ tạo lại được văn bản bị lỗi hoặc bị treo quá thời gian cho phép.")
        )
    job.status = DocumentJob.Status.PENDING
    job.error = ""
    job.started_at = None
    job.queued_at = timezone.now()
    job.save(update_fields=["status", "error", "started_at", "queued_at"])
    DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Yêu cầu tạo lại"))
    audit_event_record(actor=user, action="document_job_retry", target=job)
    _enqueue(job)
    return job


@in_site_language
def document_job_render(*, job_id: int) -> DocumentJob | None:
    """Render one job. Idempotent: a job already done is left alone. Raises on failure so
    that the task can retry; the caller marks the job failed when retries run out."""
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == DocumentJob.Status.DONE:
            return job
        job.status = DocumentJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
        DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Bắt đầu tạo"))

    kind = get_kind(job.kind)
    if kind is None:
        raise ValueError(f"Unknown document kind {job.kind!r}")
    context = kind.build_context(job)
    pdf = render_pdf(template=kind.template, context=context)
    if kind.postprocess is not None:
        pdf = kind.postprocess(job, pdf)

    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().get(pk=job_id)
        if job.status == DocumentJob.Status.DONE:  # another delivery finished first
            return job
        job.file.save(kind.filename(job), ContentFile(pdf), save=False)
        # Of the final bytes (after any signing), exactly what is stored and downloaded.
        job.sha256 = hashlib.sha256(pdf).hexdigest()
        job.status = DocumentJob.Status.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "sha256", "status", "error", "finished_at"])
        DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Hoàn tất"))
    return job


@in_site_language
@transaction.atomic
def document_job_fail(*, job_id: int, error: str) -> DocumentJob | None:
    job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status == DocumentJob.Status.DONE:
        return job
    job.status = DocumentJob.Status.FAILED
    job.error = error[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    DocumentJobEvent.objects.create(job=job, status=job.status, message=job.error)
    return job


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
