from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import Province


class AwardType(models.Model):
    """A form of commendation a bloc may propose (DESIGN.md §9): Cờ thi đua của Chính phủ,
    Cờ thi đua của UBND tỉnh, Bằng khen... Per province: each names its own. The conditions
    of each live in the province's rule set."""

    class Level(models.TextChoices):
        GOVERNMENT = "government", _("Chính phủ")
        PRIME_MINISTER = "prime_minister", _("Thủ tướng Chính phủ")
        PROVINCE = "province", _("UBND tỉnh")
        PROVINCE_CHAIR = "province_chair", _("Chủ tịch UBND tỉnh")

    class Kind(models.TextChoices):
        FLAG = "flag", _("Cờ thi đua")
        CERTIFICATE = "certificate", _("Bằng khen")

    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="award_types"
    )
    name = models.CharField(_("tên danh hiệu, hình thức khen thưởng"), max_length=200)
    level = models.CharField(_("cấp khen thưởng"), max_length=20, choices=Level.choices)
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    # Higher awards first on ballots, proposals and reports.
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        ordering = ["province__name", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="award_type_unique_name"),
            models.CheckConstraint(
                condition=Q(
                    level__in=["government", "prime_minister", "province", "province_chair"]
                ),
                name="award_type_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["flag", "certificate"]), name="award_type_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.province.name})"
