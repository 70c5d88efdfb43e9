"""The year-end summary report (báo cáo tổng kết, BC) and the mid-year report (sơ kết 6
tháng) of a bloc-year (DESIGN.md §10).

One row is one version. A draft holds the narrative sections the secretariat writes; its
facts are composed from the data on every view (reports.compose) until the report is
approved at the meeting, when they are frozen into `facts` with the SHA-256 of facts and
narrative (`sha256`). The head unit's leader then signs (password re-entry) and the version
is sealed: no service changes it, and a database trigger refuses any UPDATE or DELETE of a
signed row (reports/migrations/0002_report_guards.py). An approved version that has to
change is superseded by a new draft (report_new_version); a signed one never is.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit

# The narrative sections and their limits (characters), also enforced by the forms.
NARRATIVE_FIELDS = ("results_text", "shortcomings_text", "tasks_text")
NARRATIVE_MAX = 20000


class Report(models.Model):
    class Kind(models.TextChoices):
        YEAR_END = "year_end", _("Báo cáo tổng kết năm")
        MID_YEAR = "mid_year", _("Báo cáo sơ kết 6 tháng")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        APPROVED = "approved", _("Đã thông qua")
        SIGNED = "signed", _("Đã ký")
        SUPERSEDED = "superseded", _("Đã thay thế")

    bloc_year = models.ForeignKey(
        BlocYear, verbose_name=_("năm thi đua"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("loại báo cáo"), max_length=10, choices=Kind.choices)
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    results_text = models.TextField(_("kết quả thực hiện theo từng lĩnh vực"), blank=True)
    shortcomings_text = models.TextField(_("tồn tại, hạn chế và nguyên nhân"), blank=True)
    tasks_text = models.TextField(_("phương hướng, nhiệm vụ năm tới"), blank=True)
    # Who presents it at the meeting (Bắc Kạn: the deputy presents the six-month draft).
    presenter = models.CharField(_("người trình bày"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("hội nghị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem",
        verbose_name=_("nội dung chương trình"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    # The facts frozen at approval (reports.compose.report_facts_compose, JSON-safe).
    facts = models.JSONField(_("số liệu đã chốt"), default=dict, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    approved_at = models.DateTimeField(_("thông qua lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thông qua"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by_username = models.CharField(max_length=150, blank=True, editable=False)
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ký"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_by_username = models.CharField(max_length=150, blank=True, editable=False)
    signer_name = models.CharField(_("họ và tên người ký"), max_length=100, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    signer_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị ký"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signer_ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    signer_user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by_username = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["bloc_year", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "kind", "version"], name="report_unique_version"
            ),
            models.UniqueConstraint(
                fields=["bloc_year", "kind"],
                condition=~Q(status="superseded"),
                name="report_one_current",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "superseded"])
                | (Q(approved_at__isnull=False) & ~Q(sha256="")),
                name="report_approved_has_snapshot",
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_at__isnull=False),
                name="report_signed_has_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.bloc_year} (v{self.version})"

    @property
    def sealed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


from .models_jobs import *  # noqa: E402, F401, F403
