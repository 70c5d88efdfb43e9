"""Giao ước thi đua: one pledge per bloc-year, in versions. A version that has left the
draft state is frozen (the service layer refuses changes and database triggers, created in
migration 0002, refuse them too); an amendment is a new version that must be signed again.
Signatures are append-only rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit
from core.models import username_kept


class Pledge(models.Model):
    bloc_year = models.OneToOneField(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.PROTECT,
        related_name="pledge",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_username = models.CharField(
        _("tên đăng nhập người tạo"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")
        ordering = ["-bloc_year__year", "bloc_year__bloc__name"]
        constraints = [username_kept("created_by", "pledge_created_by_username")]

    def __str__(self) -> str:
        return f"{_('Giao ước thi đua')} {self.bloc_year}"


class PledgeVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        OPEN = "open", _("Đang ký kết")
        SIGNED = "signed", _("Đã ký đủ")
        SUPERSEDED = "superseded", _("Đã được thay thế")

    pledge = models.ForeignKey(
        Pledge, verbose_name=_("giao ước"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("phiên bản số"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("tiêu đề"), max_length=255)
    preamble = models.TextField(_("lời mở đầu"), max_length=4000, blank=True)
    deadline = models.DateField(_("hạn ký"), null=True, blank=True)
    verification_code = models.CharField(_("mã xác thực"), max_length=16, unique=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("phiên bản trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    amendment_reason = models.TextField(_("lý do sửa đổi"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_username = models.CharField(
        _("tên đăng nhập người tạo"), max_length=150, blank=True, editable=False
    )
    opened_at = models.DateTimeField(_("mở ký lúc"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người mở ký"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_by_username = models.CharField(
        _("tên đăng nhập người mở ký"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("phiên bản giao ước")
        verbose_name_plural = _("phiên bản giao ước")
        ordering = ["pledge", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "number"], name="pledge_version_unique"),
            models.UniqueConstraint(
                fields=["pledge"],
                condition=~Q(status="superseded"),
                name="pledge_one_current_version",
                violation_error_message=_("Mỗi giao ước chỉ có một phiên bản hiện hành."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "signed", "superseded"]),
                name="pledge_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(deadline__isnull=False, opened_at__isnull=False),
                name="pledge_version_opened_has_deadline",
            ),
            username_kept("created_by", "pledge_version_created_by_username"),
            username_kept("opened_by", "pledge_version_opened_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} – {_('phiên bản')} {self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def code_display(self) -> str:
        c = self.verification_code
        return "-".join(c[i : i + 4] for i in range(0, len(c), 4))


class Commitment(models.Model):
    """One common commitment (nội dung giao ước chung), with an optional target figure."""

    version = models.ForeignKey(
        PledgeVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.PROTECT,
        related_name="commitments",
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    text = models.TextField(_("nội dung"), max_length=2000)
    target_value = models.DecimalField(
        _("chỉ tiêu"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("nội dung giao ước chung")
        verbose_name_plural = _("nội dung giao ước chung")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="pledge_commitment_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text[:60]}"


class UnitTarget(models.Model):
    """One target a member unit registers (đăng ký chỉ tiêu) in a pledge version."""

    version = models.ForeignKey(
        PledgeVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="pledge_targets"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    description = models.TextField(_("nội dung chỉ tiêu"), max_length=2000)
    target_value = models.DecimalField(_("chỉ tiêu"), max_digits=14, decimal_places=2)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=50)

    class Meta:
        verbose_name = _("chỉ tiêu đăng ký")
        verbose_name_plural = _("chỉ tiêu đăng ký")
        ordering = ["version", "unit__name", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit", "position"], name="pledge_target_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.position}. {self.description[:60]}"


class Signature(models.Model):
    """A leader's signature for one unit on one version. Append-only (database triggers).
    A signature of a superseded version is void but stays readable and verifiable."""

    version = models.ForeignKey(
        PledgeVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.PROTECT,
        related_name="signatures",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="pledge_signatures"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.PROTECT,
        related_name="pledge_signatures",
    )
    signer_username = models.CharField(
        _("tên đăng nhập người ký"), max_length=150, blank=True, editable=False
    )
    signer_name = models.CharField(_("họ tên người ký"), max_length=255)
    unit_name = models.CharField(_("tên đơn vị khi ký"), max_length=255)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    user_agent = models.CharField(_("trình duyệt"), max_length=500, blank=True)
    content_hash = models.CharField(_("mã băm nội dung (SHA-256)"), max_length=64)
    record_hash = models.CharField(_("mã băm bản ghi chữ ký (SHA-256)"), max_length=64)

    class Meta:
        verbose_name = _("chữ ký giao ước")
        verbose_name_plural = _("chữ ký giao ước")
        ordering = ["version", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "unit"],
                name="pledge_signature_once_per_unit",
                violation_error_message=_("Đơn vị đã ký phiên bản giao ước này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} – {self.signer_name} ({self.signed_at:%d/%m/%Y %H:%M})"


class Reminder(models.Model):
    """A reminder e-mail sent to one leader for one version on one day (idempotency)."""

    version = models.ForeignKey(
        PledgeVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người nhận"), on_delete=models.CASCADE
    )
    email = models.EmailField(_("địa chỉ e-mail"))
    sent_on = models.DateField(_("ngày gửi"))
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("nhắc ký giao ước")
        verbose_name_plural = _("nhắc ký giao ước")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "recipient", "sent_on"], name="pledge_reminder_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.sent_on:%d/%m/%Y}"
