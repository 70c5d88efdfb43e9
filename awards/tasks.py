"""Thin Celery wrappers: take an id, call a function."""

from celery import shared_task

from . import notifications


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180, max_retries=0)
def decision_mail_send_task(decision_id: int) -> int:
    """Enqueued after a decision on a proposal's unit is committed."""
    return notifications.decision_mail_send(decision_id=decision_id)
