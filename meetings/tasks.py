"""Thin Celery wrappers: take an id, call a service."""

import datetime as dt

from celery import shared_task

from .services import meetings


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360, max_retries=0)
def meeting_invitations_send_task(meeting_id: int, requested_at: str | None = None) -> int:
    """Enqueued by meetings.services.meetings.meeting_invitations_send after its commit.
    Idempotent: a second run for the same request sends nothing."""
    at = dt.datetime.fromisoformat(requested_at) if requested_at else None
    return meetings.meeting_invitations_deliver(meeting_id=meeting_id, requested_at=at)


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360, max_retries=0)
def meeting_reminders_send_task() -> int:
    """Run by Celery beat (settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]). Idempotent:
    a meeting's leaders are reminded once, the day before."""
    return meetings.meeting_reminders_send()
