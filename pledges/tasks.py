"""Thin Celery wrappers: call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360, max_retries=0)
def pledge_reminders_send_task() -> int:
    """Run by Celery beat (settings.CELERY_BEAT_SCHEDULE["pledge-reminders"]). Idempotent:
    a person gets at most one reminder per version and day."""
    return services.pledge_reminders_send()
