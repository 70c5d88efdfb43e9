from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear


class DocumentJob(models.Model):
    """One request to render an official document; the worker fills in the file."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    class SignerRole(models.TextChoices):
        HEAD = "head", _("Trưởng khối")
        DEPUTY = "deputy", _("Phó khối (ký thay Trưởng khối)")

    kind = models.CharField(_("loại văn bản"), max_length=40)
    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.PROTECT,
        related_name="document_jobs",
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    # What the document says of itself (Nghị định 30/2020): its date, its number in the
    # bloc-year's register of that type ("Số: 12/BC-KTĐ") and who signs. Fixed at request
    # time, so a retry renders the same document; a null date: dated by its content.
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    number = models.PositiveIntegerField(_("số văn bản"), null=True, blank=True)
    number_code = models.CharField(_("ký hiệu"), max_length=20, blank=True)
    signer_role = models.CharField(
        _("người ký thay mặt khối"), max_length=10, choices=SignerRole.choices, blank=True
    )
    signer_name = models.CharField(_("họ và tên người ký"), max_length=100, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("tệp"), upload_to="documents/%Y/%m/", blank=True)
    # SHA-256 of exactly the bytes stored in `file`, recorded at render time: the public
    # verification page calls an uploaded file genuine when it is byte for byte one of these.
    sha256 = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64, blank=True, db_index=True)
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="document_jobs",
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    queued_at = models.DateTimeField(_("đưa vào hàng đợi lúc"), default=timezone.now)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("văn bản được tạo")
        verbose_name_plural = _("văn bản được tạo")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "done", "failed"]),
                name="document_job_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="document_job_done_has_file",
            ),
            # One number per document in a bloc-year's register of a type.
            models.UniqueConstraint(
                fields=["bloc_year", "number_code", "number"],
                condition=models.Q(number__isnull=False),
                name="document_job_number_unique",
                violation_error_message=_("Số văn bản này đã được dùng."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(number__gte=1),
                name="document_job_number_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(signer_role__in=["", "head", "deputy"]),
                name="document_job_signer_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def number_display(self) -> str:
        """ "12/BC-KTĐ"; numbers below 10 with a leading zero ("05/BC-KTĐ", Nghị định
        30/2020, Phụ lục I); a blank to fill in by hand when the job has no number."""
        if self.number is None:
            return f"\u00a0\u00a0\u00a0\u00a0\u00a0/{self.number_code}" if self.number_code else ""
        return f"{self.number:02d}/{self.number_code}" if self.number_code else f"{self.number:02d}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def kind_title(self) -> str:
        from .registry import get_kind

        kind = get_kind(self.kind)
        return str(kind.title) if kind else self.kind

    @property
    def is_stale(self) -> bool:
        """Pending or running far longer than any render may take: the worker died or the
        message was lost. Such a job may be retried like a failed one."""
        from django.conf import settings

        if not self.is_active:
            return False
        # A running job counts from its start; a queued one from when it was (re)queued.
        running = self.status == self.Status.RUNNING
        since = (self.started_at if running else None) or self.queued_at
        return (timezone.now() - since).total_seconds() > settings.DOCUMENT_JOB_STALE_SECONDS

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def error_reference(self) -> str:
        """What a user quotes for a failed job; the worker logs the traceback under it."""
        return f"JOB-{self.pk}-{self.attempts}"


class DocumentJobEvent(models.Model):
    job = models.ForeignKey(
        DocumentJob, verbose_name=_("văn bản"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=DocumentJob.Status.choices)
    message = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("diễn biến")
        verbose_name_plural = _("diễn biến")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.status} {self.at:%H:%M:%S}"
