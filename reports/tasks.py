"""Thin Celery wrappers of the province batch (reports/batch.py): take an id, call a service.
The dossier itself is rendered by the document pipeline's task (documents/tasks.py)."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from . import batch

logger = logging.getLogger(__name__)

MAX_RETRIES = 2


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=150,
    time_limit=180,
    max_retries=MAX_RETRIES,
)
def batch_item_task(self, item_id: int) -> None:
    """One bloc-year of a province batch; bounded retries, then the item is marked failed
    (never raises at the end: the other items and the ZIP go on)."""
    try:
        batch.batch_item_run(item_id=item_id)
    except SoftTimeLimitExceeded:
        batch.batch_item_fail(item_id=item_id, error=_("Quá thời gian cho phép khi tạo văn bản."))
        logger.exception("Batch item %s timed out", item_id)
    except Exception as exc:
        if self.request.retries < MAX_RETRIES and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        batch.batch_item_fail(item_id=item_id, error=batch.error_message(exc))
        logger.exception("Batch item %s failed", item_id)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=150,
    time_limit=180,
    max_retries=MAX_RETRIES,
)
def batch_zip_task(self, batch_id: int) -> None:
    try:
        batch.batch_zip_assemble(batch_id=batch_id)
    except Exception as exc:
        if self.request.retries < MAX_RETRIES and not self.request.is_eager:
            raise self.retry(exc=exc, countdown=2 ** (self.request.retries + 1)) from exc
        batch.batch_zip_fail(batch_id=batch_id, error=batch.error_message(exc))
        logger.exception("Batch %s ZIP failed", batch_id)
