"""The year-end dossier's parts and the province batch (imported by reports/models.py).

- The dossier itself is a documents.DocumentJob of kind "dossier" (reports/dossier.py): its
  file, SHA-256, status, error, attempts, events and timestamps are the pipeline's. Its
  parts are DossierPart rows, one per document bundled (or listed as not existing yet);
  parts done / parts total is the job's progress.
- A ProvinceBatch renders every bloc-year of a province's year (their year-end report, or
  their dossier) as a group of worker tasks, one ProvinceBatchItem per bloc-year, then a
  final task puts the PDFs into one ZIP.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Province
from documents.models import DocumentJob

__all__ = ["DossierPart", "ProvinceBatch", "ProvinceBatchItem"]


class DossierPart(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        DONE = "done", _("Đã có")
        FAILED = "failed", _("Lỗi")
        ABSENT = "absent", _("Chưa có")

    dossier = models.ForeignKey(
        DocumentJob,
        verbose_name=_("hồ sơ"),
        on_delete=models.CASCADE,
        related_name="dossier_parts",
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    # What the part is: a document kind and its params ("ballot_tally", {"ballot_id": 3}).
    kind = models.CharField(_("loại văn bản"), max_length=40)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    title = models.CharField(_("tên phần"), max_length=300)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The rendered document bundled as this part (reused or rendered for the dossier).
    part_job = models.ForeignKey(
        DocumentJob,
        verbose_name=_("văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reused = models.BooleanField(_("dùng lại bản đã tạo"), default=False)
    pages = models.PositiveIntegerField(_("số trang"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    # SHA-256 of the HTML the part's job renders from the data when it was bundled: the
    # same HTML today means the same document, so a later dossier may reuse the file.
    html_sha256 = models.CharField(_("mã băm nội dung"), max_length=64, blank=True)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("phần của hồ sơ")
        verbose_name_plural = _("phần của hồ sơ")
        ordering = ["dossier", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "position"], name="dossier_part_position_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed", "absent"]),
                name="dossier_part_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (models.Q(part_job__isnull=False) & ~models.Q(sha256="")),
                name="dossier_part_done_has_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}/{self.position} {self.title}"


class ProvinceBatch(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Báo cáo tổng kết năm")
        DOSSIER = "dossier", _("Hồ sơ cuối năm")

    class Status(models.TextChoices):
        RUNNING = "running", _("Đang tạo")
        ASSEMBLING = "assembling", _("Đang đóng gói ZIP")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Có khối bị lỗi")

    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="report_batches",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(_("số khối"), default=0)
    done = models.PositiveIntegerField(_("số khối đã xong"), default=0)
    failed = models.PositiveIntegerField(_("số khối lỗi"), default=0)
    file = models.FileField(_("tệp ZIP"), upload_to="reports/batches/%Y/%m/", blank=True)
    sha256 = models.CharField(_("mã băm SHA-256 của tệp"), max_length=64, blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lượt tạo báo cáo toàn tỉnh")
        verbose_name_plural = _("lượt tạo báo cáo toàn tỉnh")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["report", "dossier"]),
                name="province_batch_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["running", "assembling", "done", "failed"]),
                name="province_batch_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(file=""),
                name="province_batch_done_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.year} {self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.RUNNING, self.Status.ASSEMBLING)

    @property
    def percent(self) -> int:
        return round(100 * (self.done + self.failed) / self.total) if self.total else 100


class ProvinceBatchItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn tất")
        FAILED = "failed", _("Lỗi")

    batch = models.ForeignKey(
        ProvinceBatch, verbose_name=_("lượt"), on_delete=models.CASCADE, related_name="items"
    )
    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua của khối"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    document_job = models.ForeignKey(
        DocumentJob,
        verbose_name=_("văn bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    error = models.TextField(_("lỗi"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    started_at = models.DateTimeField(_("bắt đầu lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khối trong lượt tạo")
        verbose_name_plural = _("khối trong lượt tạo")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "bloc_year"], name="province_batch_item_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "running", "done", "failed"]),
                name="province_batch_item_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(document_job__isnull=False),
                name="province_batch_item_done_has_job",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}: {self.bloc_year} ({self.status})"
