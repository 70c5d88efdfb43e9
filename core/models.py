from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """Append-only trail of who changed what and when; services write it, nothing edits it."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
