from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
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


TIE_BREAK_KEYS = ("verified_total", "penalty_total", "bonus_total", "regular_total")


def validate_classification_bands(value) -> None:
    """A list of {"code", "label", and "min_percent" (of the table's maximum) or
    "min_points"}; the band with the highest threshold reached applies."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Ngưỡng xếp loại phải là một danh sách khác rỗng."))
    for i, band in enumerate(value, start=1):
        if not isinstance(band, dict) or not band.get("label") or not band.get("code"):
            raise ValidationError(
                _("Ngưỡng thứ %(n)s phải có mã (code) và tên xếp loại (label).") % {"n": i}
            )
        keys = {"min_percent", "min_points"} & set(band)
        if len(keys) != 1:
            raise ValidationError(
                _("Ngưỡng thứ %(n)s cần đúng một trong min_percent hoặc min_points.") % {"n": i}
            )
        try:
            limit = Decimal(str(band[keys.pop()]))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Ngưỡng thứ %(n)s không phải là số.") % {"n": i}) from None
        if limit < 0:
            raise ValidationError(_("Ngưỡng thứ %(n)s không được âm.") % {"n": i})


def validate_tie_break_order(value) -> None:
    """Keys applied in order when totals are equal: verified_total, penalty_total (fewer
    first), bonus_total, regular_total, or "group:<mã nhóm>"."""
    if not isinstance(value, list):
        raise ValidationError(_("Thứ tự phân định phải là một danh sách."))
    for key in value:
        if not isinstance(key, str) or not (
            key in TIE_BREAK_KEYS or (key.startswith("group:") and len(key) > 6)
        ):
            raise ValidationError(
                _(
                    "Tiêu chí phân định không hợp lệ: %(key)s. "
                    "Dùng một trong: %(keys)s, group:<mã nhóm>."
                )
                % {"key": key, "keys": ", ".join(TIE_BREAK_KEYS)}
            )


class VoteBase(models.TextChoices):
    """What a ballot's percentages are taken of (DESIGN.md §8)."""

    MEMBERS = "members", _("tổng số đơn vị thành viên")
    PRESENT = "present", _("số đơn vị có mặt")
    VALID = "valid", _("số phiếu hợp lệ")


class TieRule(models.TextChoices):
    SECOND_ROUND = "second_round", _("Bỏ phiếu lại giữa các đơn vị bằng phiếu")
    SCORE_RANKING = "score_ranking", _("Theo thứ hạng điểm thi đua")


class VotePublication(models.TextChoices):
    """How much of the vote rows is published with the result."""

    CHOICES = "choices", _("Công bố mã phiếu và nội dung từng phiếu")
    RECEIPTS = "receipts", _("Chỉ công bố mã phiếu")
    NONE = "none", _("Chỉ công bố kết quả")


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
        _("ngưỡng xếp loại"),
        default=default_classification_bands,
        validators=[validate_classification_bands],
        help_text=_(
            'Danh sách ngưỡng, ví dụ {"code": "excellent", "label": "Hoàn thành xuất sắc nhiệm '
            'vụ", "min_percent": 95}; dùng min_percent (phần trăm điểm tối đa) hoặc min_points.'
        ),
    )
    tie_break_order = models.JSONField(
        _("thứ tự tiêu chí phân định khi bằng điểm"),
        default=default_tie_break_order,
        validators=[validate_tie_break_order],
        help_text=_(
            "Xếp theo tổng điểm thẩm định, rồi lần lượt: penalty_total (ít điểm trừ hơn xếp "
            "trên), bonus_total, regular_total, group:<mã nhóm>. Bằng nhau ở mọi tiêu chí thì "
            "đồng hạng."
        ),
    )
    pledge_signing_after_deadline = models.BooleanField(
        _("cho phép ký giao ước sau hạn"), default=False
    )
    # Whether the board may verify and lock while a stage is missing. When allowed, the
    # board still sees the units concerned and confirms them one by one (scoring_verify).
    verification_requires_self_assessment = models.BooleanField(
        _("thẩm định chỉ khi mọi đơn vị đã nộp tự chấm"),
        default=False,
        help_text=_(
            "Bật: Ban Thi đua - Khen thưởng không thể thẩm định và khóa khi còn đơn vị chưa nộp "
            "phiếu tự chấm. Tắt: vẫn thẩm định được (ví dụ phiếu đã nộp trên giấy) sau khi xác "
            "nhận danh sách đơn vị chưa nộp."
        ),
    )
    verification_requires_cross_scoring = models.BooleanField(
        _("thẩm định chỉ khi mọi phiếu đã hoàn tất chấm chéo"),
        default=False,
        help_text=_(
            "Bật: không thể thẩm định và khóa khi còn phiếu chưa hoàn tất chấm chéo. Tắt: vẫn "
            "thẩm định được sau khi xác nhận danh sách đơn vị chưa hoàn tất chấm chéo."
        ),
    )
    # Meetings and ballots (DESIGN.md §8). Fractions as two integers: 2/3 is exact.
    quorum_numerator = models.PositiveSmallIntegerField(
        _("số đơn vị có mặt tối thiểu: tử số"), default=2
    )
    quorum_denominator = models.PositiveSmallIntegerField(
        _("số đơn vị có mặt tối thiểu: mẫu số"),
        default=3,
        help_text=_(
            "Hội nghị hợp lệ khi số đơn vị có mặt đạt ít nhất tỷ lệ này của tổng số thành viên."
        ),
    )
    ballot_threshold_numerator = models.PositiveSmallIntegerField(
        _("tỷ lệ phiếu đồng ý: tử số"), default=1
    )
    ballot_threshold_denominator = models.PositiveSmallIntegerField(
        _("tỷ lệ phiếu đồng ý: mẫu số"), default=2
    )
    ballot_threshold_strict = models.BooleanField(
        _("phải vượt tỷ lệ"),
        default=True,
        help_text=_("Bật: phải trên tỷ lệ (ví dụ trên 50%). Tắt: từ tỷ lệ trở lên (ví dụ từ 2/3)."),
    )
    ballot_base = models.CharField(
        _("tỷ lệ phiếu tính trên"),
        max_length=10,
        choices=VoteBase.choices,
        default=VoteBase.MEMBERS,
    )
    ballot_self_vote_allowed = models.BooleanField(
        _("đơn vị được bỏ phiếu cho chính mình"), default=True
    )
    ballot_tie_rule = models.CharField(
        _("khi bằng phiếu"), max_length=20, choices=TieRule.choices, default=TieRule.SCORE_RANKING
    )
    ballot_publication = models.CharField(
        _("công bố sau kiểm phiếu"),
        max_length=10,
        choices=VotePublication.choices,
        default=VotePublication.CHOICES,
    )
    election_head_repeat_allowed = models.BooleanField(
        _("Trưởng khối được bầu lại năm liền kề"),
        default=False,
        help_text=_("Tắt: đơn vị đang là Trưởng khối không được bầu làm Trưởng khối năm sau."),
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
            models.CheckConstraint(
                condition=Q(quorum_denominator__gte=1)
                & Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & Q(ballot_threshold_denominator__gte=1)
                & Q(ballot_threshold_numerator__lte=models.F("ballot_threshold_denominator")),
                name="ruleset_fractions_valid",
                violation_error_message=_("Tỷ lệ không hợp lệ: tử số phải từ 0 đến mẫu số."),
            ),
            models.CheckConstraint(
                condition=Q(ballot_base__in=["members", "present", "valid"])
                & Q(ballot_tie_rule__in=["second_round", "score_ranking"])
                & Q(ballot_publication__in=["choices", "receipts", "none"]),
                name="ruleset_ballot_choices_valid",
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

    def clean(self) -> None:
        errors = {}
        for field in ("quorum", "ballot_threshold"):
            num = getattr(self, f"{field}_numerator")
            den = getattr(self, f"{field}_denominator")
            if num is not None and den is not None and (den < 1 or num > den):
                errors[f"{field}_numerator"] = _("Tử số phải từ 0 đến mẫu số, mẫu số từ 1 trở lên.")
        if errors:
            raise ValidationError(errors)
