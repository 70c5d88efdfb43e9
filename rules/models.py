from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import Province


def default_classification_bands() -> list[dict]:
    """Example bands, in percent of the maximum score; each province sets its own."""
    return [
        {"code": "excellent", "label": "Hoàn thành xuất sắc nhiệm vụ", "min_percent": 95},
        {"code": "good", "label": "Hoàn thành tốt nhiệm vụ", "min_percent": 80},
        {"code": "done", "label": "Hoàn thành nhiệm vụ", "min_percent": 50},
        {"code": "not_done", "label": "Không hoàn thành nhiệm vụ", "min_percent": 0},
    ]


def default_tie_break_order() -> list[str]:
    return ["verified_total", "penalty_total", "bonus_total"]


class RuleSet(models.Model):
    """What the law leaves to each province's bloc regulation (quy chế hoạt động cụm, khối),
    per province and year (DESIGN.md §4). Never hard-code these numbers elsewhere.

    A rule set without a province is the shipped example, used where a province has none."""

    province = models.ForeignKey(
        Province,
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rule_sets",
    )
    year = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    name = models.CharField(_("tên quy chế"), max_length=255)
    is_example = models.BooleanField(
        _("quy chế mẫu"),
        default=False,
        help_text=_("Quy chế mẫu đi kèm phần mềm; tỉnh cần thay bằng quy chế của mình."),
    )
    classification_bands = models.JSONField(
        _("ngưỡng xếp loại"), default=default_classification_bands
    )
    tie_break_order = models.JSONField(
        _("thứ tự tiêu chí phân định khi bằng điểm"), default=default_tie_break_order
    )
    pledge_signing_after_deadline = models.BooleanField(
        _("cho phép ký giao ước sau hạn"), default=False
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("quy chế thi đua")
        verbose_name_plural = _("quy chế thi đua")
        ordering = ["province__name", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(province__isnull=False),
                name="ruleset_unique_province_year",
                violation_error_message=_("Tỉnh đã có quy chế cho năm này."),
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(province__isnull=True),
                name="ruleset_unique_example_year",
                violation_error_message=_("Đã có quy chế mẫu cho năm này."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"
