from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from blocs.models import Province, Unit
from core.models import username_kept


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


# --- conditions of an award in a rule set (DESIGN.md §4, §9) -------------------------------


def validate_quota(value) -> None:
    """A list of {"min_members": n, "quota": q}: a bloc of at least n members may propose at
    most q units for the award; the entry with the largest n reached applies. An empty list:
    no quota beyond the ballot's maximum number of winners."""
    if not isinstance(value, list):
        raise ValidationError(_("Chỉ tiêu phải là một danh sách."))
    seen = set()
    for i, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"min_members", "quota"}:
            raise ValidationError(
                _(
                    "Dòng chỉ tiêu thứ %(n)s phải có đúng hai khóa min_members (số thành viên "
                    "tối thiểu của khối) và quota (số đơn vị được đề nghị)."
                )
                % {"n": i}
            )
        for key in ("min_members", "quota"):
            v = entry[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 1000:
                raise ValidationError(
                    _("Dòng chỉ tiêu thứ %(n)s: %(key)s phải là số nguyên từ 0 đến 1000.")
                    % {"n": i, "key": key}
                )
        if entry["min_members"] in seen:
            raise ValidationError(
                _("Dòng chỉ tiêu thứ %(n)s lặp lại số thành viên tối thiểu %(m)s.")
                % {"n": i, "m": entry["min_members"]}
            )
        seen.add(entry["min_members"])


def quota_for(quota: list[dict], members: int) -> int | None:
    """The number of units a bloc of `members` members may propose, None when unlimited."""
    if not quota:
        return None
    applicable = [e for e in quota if e["min_members"] <= members]
    if not applicable:
        return 0
    return max(applicable, key=lambda e: e["min_members"])["quota"]


class AwardRule(models.Model):
    """The conditions of one award type in one rule set (per province and year; the shipped
    example rule set holds the example conditions). Eligibility is computed from these by
    awards/eligibility.py, never ticked by hand."""

    class MergerRule(models.TextChoices):
        ALL = "all", _("Mọi đơn vị tiền thân đều phải đạt")
        ANY = "any", _("Chỉ cần một đơn vị tiền thân đạt")

    class PrerequisiteMode(models.TextChoices):
        STANDARD = "standard", _("Đạt tiêu chuẩn của danh hiệu tiên quyết trong cùng năm")
        SELECTED = "selected", _("Được bình xét danh hiệu tiên quyết trong cùng năm")

    class Rounding(models.TextChoices):
        UP = "up", _("Làm tròn lên")
        DOWN = "down", _("Làm tròn xuống")

    rule_set = models.ForeignKey(
        "rules.RuleSet",
        verbose_name=_("quy chế thi đua"),
        on_delete=models.CASCADE,
        related_name="award_rules",
    )
    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("danh hiệu, hình thức khen thưởng"),
        on_delete=models.PROTECT,
        related_name="rules",
    )
    required_classification = models.CharField(
        _("xếp loại tối thiểu của năm"),
        max_length=20,
        blank=True,
        help_text=_(
            "Mã ngưỡng xếp loại của quy chế (excellent, good, done, not_done); đạt từ mức này "
            "trở lên. Để trống: không yêu cầu."
        ),
    )
    max_rank = models.PositiveSmallIntegerField(
        _("thứ hạng tối thiểu"),
        null=True,
        blank=True,
        help_text=_(
            "Ví dụ 1: phải xếp thứ Nhất của khối theo điểm thẩm định. Để trống: không yêu cầu."
        ),
    )
    ballot_pass_required = models.BooleanField(
        _("phải đạt tỷ lệ phiếu bình xét"),
        default=True,
        help_text=_("Tỷ lệ và cách tính theo quy định bỏ phiếu của quy chế."),
    )
    consecutive_years = models.PositiveSmallIntegerField(
        _("số năm liên tục"),
        default=0,
        help_text=_(
            "Số năm liên tục (tính cả năm xét) đạt xếp loại dưới đây trở lên, kể cả các năm "
            "của đơn vị tiền thân khi đổi tên, hợp nhất. 0: không yêu cầu."
        ),
    )
    consecutive_classification = models.CharField(
        _("xếp loại của các năm liên tục"), max_length=20, default="good", blank=True
    )
    merger_rule = models.CharField(
        _("đơn vị hình thành do hợp nhất"),
        max_length=10,
        choices=MergerRule.choices,
        default=MergerRule.ALL,
        help_text=_("Các năm trước khi hợp nhất được tính thế nào cho đơn vị mới."),
    )
    quota = models.JSONField(
        _("chỉ tiêu của khối"),
        default=list,
        blank=True,
        validators=[validate_quota],
        help_text=_(
            'Ví dụ [{"min_members": 0, "quota": 1}, {"min_members": 10, "quota": 2}]: khối '
            "dưới 10 thành viên đề nghị 1 đơn vị, từ 10 thành viên đề nghị 2. Để trống: "
            "không giới hạn."
        ),
    )
    ceiling_percent = models.DecimalField(
        _("trần toàn tỉnh (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Ví dụ 20: số đơn vị toàn tỉnh được đề nghị không quá 20% số đơn vị đạt danh hiệu "
            "làm cơ sở trong cùng năm. Để trống: không có trần."
        ),
    )
    ceiling_base_award = models.ForeignKey(
        AwardType,
        verbose_name=_("danh hiệu làm cơ sở tính trần"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ceiling_rounding = models.CharField(
        _("làm tròn trần"), max_length=4, choices=Rounding.choices, default=Rounding.UP
    )
    prerequisite_award = models.ForeignKey(
        AwardType,
        verbose_name=_("danh hiệu tiên quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Ví dụ: Cờ thi đua của Chính phủ chỉ xét cho đơn vị đạt Cờ thi đua của UBND tỉnh."
        ),
    )
    prerequisite_mode = models.CharField(
        _("cách xét danh hiệu tiên quyết"),
        max_length=10,
        choices=PrerequisiteMode.choices,
        default=PrerequisiteMode.STANDARD,
    )
    exclusive_group = models.CharField(
        _("nhóm loại trừ"),
        max_length=40,
        blank=True,
        help_text=_(
            "Các danh hiệu cùng nhóm không được đề nghị cho cùng một đơn vị trong cùng năm "
            "(một thành tích chỉ đề nghị một hình thức khen thưởng)."
        ),
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("điều kiện khen thưởng")
        verbose_name_plural = _("điều kiện khen thưởng")
        ordering = ["rule_set", "award_type__order", "award_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "award_type"],
                name="award_rule_unique",
                violation_error_message=_("Quy chế đã có điều kiện cho danh hiệu này."),
            ),
            models.CheckConstraint(
                condition=Q(ceiling_percent__isnull=True)
                | (
                    Q(ceiling_percent__gt=0)
                    & Q(ceiling_percent__lte=100)
                    & Q(ceiling_base_award__isnull=False)
                ),
                name="award_rule_ceiling_valid",
                violation_error_message=_(
                    "Trần toàn tỉnh phải lớn hơn 0%, không quá 100% và có danh hiệu làm cơ sở."
                ),
            ),
            models.CheckConstraint(
                condition=Q(prerequisite_award__isnull=True)
                | ~Q(prerequisite_award=models.F("award_type")),
                name="award_rule_prerequisite_not_self",
                violation_error_message=_(
                    "Danh hiệu không thể là điều kiện tiên quyết của chính nó."
                ),
            ),
            models.CheckConstraint(
                condition=Q(consecutive_years__lte=30), name="award_rule_consecutive_years"
            ),
            models.CheckConstraint(
                condition=Q(merger_rule__in=["all", "any"])
                & Q(prerequisite_mode__in=["standard", "selected"])
                & Q(ceiling_rounding__in=["up", "down"]),
                name="award_rule_choices_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type.name} – {self.rule_set}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        rule_set = self.rule_set if self.rule_set_id else None
        codes = (
            {b.get("code") for b in (rule_set.classification_bands or [])} if rule_set else set()
        )
        for name in ("required_classification", "consecutive_classification"):
            code = getattr(self, name)
            if code and codes and code not in codes:
                errors[name] = _("Mã xếp loại %(code)s không có trong quy chế (có: %(codes)s).") % {
                    "code": code,
                    "codes": ", ".join(sorted(c for c in codes if c)),
                }
        if self.consecutive_years and not self.consecutive_classification:
            errors["consecutive_classification"] = _("Cần chọn xếp loại của các năm liên tục.")
        province_id = rule_set.province_id if rule_set else None
        for name in ("award_type", "ceiling_base_award", "prerequisite_award"):
            award = getattr(self, name) if getattr(self, f"{name}_id") else None
            if award is None:
                continue
            if province_id and award.province_id != province_id:
                errors[name] = _("Danh hiệu thuộc tỉnh khác với tỉnh của quy chế.")
            elif (
                self.award_type_id
                and name != "award_type"
                and (award.province_id != self.award_type.province_id)
            ):
                errors[name] = _("Danh hiệu phải cùng tỉnh với danh hiệu được xét.")
        if self.prerequisite_award_id and self.prerequisite_award_id == self.award_type_id:
            errors["prerequisite_award"] = _(
                "Danh hiệu không thể là điều kiện tiên quyết của chính nó."
            )
        if self.ceiling_percent is not None:
            try:
                percent = Decimal(str(self.ceiling_percent))
            except (InvalidOperation, ValueError):
                percent = Decimal("-1")
            if not (0 < percent <= 100):
                errors["ceiling_percent"] = _("Trần toàn tỉnh phải lớn hơn 0% và không quá 100%.")
            elif not self.ceiling_base_award_id:
                errors["ceiling_base_award"] = _("Cần chọn danh hiệu làm cơ sở tính trần.")
        if errors:
            raise ValidationError(errors)


class ClassificationRecord(models.Model):
    """A unit's classification for a year the product did not score (from the board's
    decisions on paper, before the deployment): counted for "N consecutive years" only when
    the year has no verified scores in the product."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    classification = models.CharField(
        _("mã xếp loại"),
        max_length=20,
        help_text=_("Mã ngưỡng xếp loại của quy chế năm đó (excellent, good, done, not_done)."),
    )
    source = models.CharField(
        _("căn cứ"),
        max_length=300,
        help_text=_("Ví dụ: Quyết định số 123/QĐ-UBND ngày 15/01/2019 của UBND tỉnh."),
    )
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_username = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("kết quả xếp loại ghi nhận từ hồ sơ")
        verbose_name_plural = _("kết quả xếp loại ghi nhận từ hồ sơ")
        ordering = ["unit", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="classification_record_unique",
                violation_error_message=_("Đơn vị đã có kết quả xếp loại ghi nhận cho năm này."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1945) & Q(year__lte=2200),
                name="classification_record_year_range",
            ),
            username_kept("recorded_by", "classification_record_recorded_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}: {self.classification}"
