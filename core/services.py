from typing import Any

from django.db import models

from .models import AuditEvent


def audit_event_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | type[models.Model],
    data: dict | None = None,
) -> AuditEvent:
    """`target` is the row the event concerns, or only its model when there is no row (a
    failed login for an account that does not exist)."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk) if isinstance(target, models.Model) else "",
        data=data or {},
    )
