"""Thin Celery wrappers: take an id, call a service."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from . import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=MAX_RETRIES,
)
def document_job_render_task(self, job_id: int) -> None:
    try:
        services.document_job_render(job_id=job_id)
    except SoftTimeLimitExceeded:
        job = services.document_job_fail(
            job_id=job_id, error=_("Quá thời gian cho phép khi tạo văn bản.")
        )
        _log_failure(job_id, job)
    except Exception as exc:
        if self.request.retries < MAX_RETRIES and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        job = services.document_job_fail(job_id=job_id, error=services.format_exception(exc))
        _log_failure(job_id, job)


def _log_failure(job_id: int, job) -> None:
    """Users see only the job's reference; the traceback is logged under it."""
    reference = job.error_reference if job is not None else f"JOB-{job_id}"
    logger.exception("Document job %s failed, reference %s", job_id, reference)
