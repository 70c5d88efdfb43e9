"""Thin Celery wrappers: take an id, call a service."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from . import services

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
        services.document_job_fail(
            job_id=job_id, error=_("Quá thời gian cho phép khi tạo văn bản.")
        )
    except Exception as exc:
        if self.request.retries < MAX_RETRIES and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        services.document_job_fail(job_id=job_id, error=services.format_exception(exc))
