from typing import Any

from django.db import models

from .models import AuditEvent


def audit_event_record(
    *, actor: Any, action: str, target: models.Model, data: dict | None = None
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data or {},
    )
