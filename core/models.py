from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def username_kept(field: str, name: str) -> models.CheckConstraint:
    """Actor foreign keys are PROTECT (a user with history is deactivated, not deleted) and
    the username is stored beside them when the row is written: never one without the other."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | ~Q(**{f"{field}_username": ""}),
        name=name,
    )


class AuditEvent(models.Model):
    """Append-only trail of who changed what and when; services write it, nothing edits it
    (database triggers refuse changes, migration 0002)."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        # A user with history is deactivated, never deleted; the username is kept beside.
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(
        _("tên đăng nhập người thực hiện"), max_length=150, blank=True, editable=False
    )
    action = models.CharField(_("hành động"), max_length=64)
    target_type = models.CharField(_("loại đối tượng"), max_length=64)
    target_id = models.CharField(_("mã đối tượng"), max_length=64)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [username_kept("actor", "audit_event_actor_username")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
