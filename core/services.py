from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from .models import AuditEvent


def actor_user(actor: Any) -> Any:
    """The user to store in an actor foreign key: None for anonymous or missing actors."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_username(actor: Any) -> str:
    """The username kept beside an actor foreign key, so a row names who did it even if the
    username changes later."""
    user = actor_user(actor)
    return user.get_username() if user is not None else ""


def audit_event_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | type[models.Model],
    data: dict | None = None,
) -> AuditEvent:
    """`target` is the row the event concerns, or only its model when there is no row (a
    failed login for an account that does not exist)."""
    return AuditEvent.objects.create(
        actor=actor_user(actor),
        actor_username=actor_username(actor),
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk) if isinstance(target, models.Model) else "",
        data=data or {},
    )


# --- user accounts ---------------------------------------------------------------------------


def user_has_history(*, user: Any) -> bool:
    """Whether deleting the account would remove or blank a record of something it did:
    a row that protects it (audit events, scores, signatures, ...) or would lose its author
    (SET_NULL), or the admin's own log. Such an account is deactivated instead. One EXISTS
    per relation, however long the history."""
    for relation in type(user)._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        if relation.on_delete is models.CASCADE and relation.related_model is not LogEntry:
            continue  # role assignments, reminders: they go with the account
        related = relation.related_model._base_manager
        if related.filter(**{relation.field.name: user}).exists():
            return True
    return False


def user_history_message(user: Any) -> str:
    return _(
        "Tài khoản “%(username)s” đã có lịch sử trong hệ thống (nhật ký thay đổi, điểm, "
        "minh chứng, chữ ký...) nên không thể xóa: xóa sẽ làm mất dấu vết ai đã làm gì. "
        "Hãy khóa tài khoản: người dùng không đăng nhập được nữa, lịch sử được giữ nguyên."
    ) % {"username": user.get_username()}


@transaction.atomic
def user_deactivate(*, user: Any, actor: Any) -> Any:
    """Deactivate an account (it can no longer log in); everything it did stays."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if actor_user(actor) is not None and user.pk == actor.pk:
        raise ValidationError(_("Không thể tự khóa tài khoản đang đăng nhập."))
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_event_record(
        actor=actor, action="user_deactivate", target=user, data={"username": user.username}
    )
    return user


@transaction.atomic
def user_delete(*, user: Any, actor: Any) -> None:
    """Delete an account that has no history (e.g. created by mistake); one with history
    is refused with a message that says to deactivate it."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if actor_user(actor) is not None and user.pk == actor.pk:
        raise ValidationError(_("Không thể xóa tài khoản đang đăng nhập."))
    if user_has_history(user=user):
        raise ValidationError(user_history_message(user))
    roles = list(user.role_assignments.values_list("role", flat=True))
    audit_event_record(
        actor=actor,
        action="user_delete",
        target=user,
        data={"username": user.username, "roles": roles},
    )
    try:
        with transaction.atomic():
            user.delete()
    except (ProtectedError, RestrictedError, IntegrityError):
        # History written since the check above: refuse the same way.
        raise ValidationError(user_history_message(user)) from None
