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


# --- proposals (tờ trình) and the board's review (DESIGN.md §9) ---------------------------


class AwardProposal(models.Model):
    """One proposal (tờ trình) per award type per bloc-year. Its content lives in versions:
    a version is drafted, submitted (sealed) and, when the board returns items, followed
    by a corrected version; old versions stay readable."""

    bloc_year = models.ForeignKey(
        "blocs.BlocYear",
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.PROTECT,
        related_name="award_proposals",
    )
    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("danh hiệu, hình thức khen thưởng"),
        on_delete=models.PROTECT,
        related_name="proposals",
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
    created_by_username = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("tờ trình đề nghị khen thưởng")
        verbose_name_plural = _("tờ trình đề nghị khen thưởng")
        ordering = ["bloc_year", "award_type__order", "award_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "award_type"],
                name="award_proposal_unique",
                violation_error_message=_("Khối đã có tờ trình cho danh hiệu này trong năm."),
            ),
            username_kept("created_by", "award_proposal_created_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.award_type.name} – {self.bloc_year}"


class ProposalVersion(models.Model):
    """A version of a proposal. Submitting seals it: its snapshot and hash, and its items,
    never change again (service check and database triggers, migration 0004)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        SUBMITTED = "submitted", _("Đã gửi Ban Thi đua - Khen thưởng")

    proposal = models.ForeignKey(
        AwardProposal,
        verbose_name=_("tờ trình"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("ghi chú của phiên bản"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by_username = models.CharField(max_length=150, blank=True, editable=False)
    snapshot = models.JSONField(_("bản chụp khi gửi"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("phiên bản tờ trình")
        verbose_name_plural = _("phiên bản tờ trình")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "number"], name="proposal_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(status="draft"),
                name="proposal_version_one_draft",
                violation_error_message=_("Tờ trình đã có một phiên bản dự thảo."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="proposal_version_number_positive"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="draft", submitted_at__isnull=True, snapshot__isnull=True, sha256="")
                    | (
                        Q(status="submitted", submitted_at__isnull=False, snapshot__isnull=False)
                        & ~Q(sha256="")
                    )
                ),
                name="proposal_version_sealed_when_submitted",
            ),
            username_kept("submitted_by", "proposal_version_submitted_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} – phiên bản {self.number}"

    @property
    def sealed(self) -> bool:
        return self.status == self.Status.SUBMITTED


def report_upload_to(instance: "ProposalItem", filename: str) -> str:
    return f"awards/reports/{instance.version.proposal.bloc_year_id}/{filename}"


class ProposalItem(models.Model):
    """A unit in a version of a proposal, with its achievement report (báo cáo thành tích:
    an uploaded file, or the structured Mẫu số 02 for collectives) and, once the version is
    submitted, the frozen snapshot of its scores, rank, classification, ballot result and
    eligibility reasons."""

    class Source(models.TextChoices):
        BALLOT = "ballot", _("Theo kết quả bỏ phiếu")
        ADDED = "added", _("Thư ký khối bổ sung")
        CARRIED = "carried", _("Chuyển từ phiên bản trước")

    version = models.ForeignKey(
        ProposalVersion,
        verbose_name=_("phiên bản tờ trình"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=Source.choices, default=Source.BALLOT
    )
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("từ mục của phiên bản trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("bỏ khỏi tờ trình lúc"), null=True, blank=True)
    removed_reason = models.TextField(_("lý do bỏ khỏi tờ trình"), blank=True)
    report_file = models.FileField(
        _("báo cáo thành tích (tệp)"), upload_to=report_upload_to, blank=True, max_length=300
    )
    report_name = models.CharField(_("tên tệp báo cáo"), max_length=200, blank=True)
    report_size = models.PositiveIntegerField(_("dung lượng tệp"), null=True, blank=True)
    report_sha256 = models.CharField(_("mã băm tệp"), max_length=64, blank=True)
    report_form = models.JSONField(_("báo cáo thành tích (Mẫu số 02)"), null=True, blank=True)
    snapshot = models.JSONField(_("bản chụp khi gửi"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("đơn vị được đề nghị")
        verbose_name_plural = _("đơn vị được đề nghị")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "unit"], name="proposal_item_unique_unit"),
            models.CheckConstraint(
                condition=Q(source__in=["ballot", "added", "carried"]),
                name="proposal_item_source_valid",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True, removed_reason="")
                | (Q(removed_at__isnull=False) & ~Q(removed_reason="")),
                name="proposal_item_removed_with_reason",
                violation_error_message=_("Bỏ đơn vị khỏi tờ trình cần ghi lý do."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.version}"

    @property
    def has_report(self) -> bool:
        return bool(self.report_file) or bool(self.report_form)


class ItemDecision(models.Model):
    """A decision on one item: the board's review (accept for the provincial council,
    return for correction, reject) or the council's outcome (approved or cut, with the
    decision's number, date and signer). Append-only (migration 0004)."""

    class Stage(models.TextChoices):
        BOARD = "board", _("Ban Thi đua - Khen thưởng thẩm định")
        COUNCIL = "council", _("Hội đồng Thi đua - Khen thưởng tỉnh")

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Trình Hội đồng Thi đua - Khen thưởng tỉnh")
        RETURNED = "returned", _("Trả lại để hoàn thiện")
        REJECTED = "rejected", _("Không đề nghị")
        APPROVED = "approved", _("Được khen thưởng")
        CUT = "cut", _("Không được khen thưởng")

    class RejectReason(models.TextChoices):
        WRONG_SUBJECT = "wrong_subject", _("Không đúng đối tượng")
        STANDARD_NOT_MET = "standard_not_met", _("Không đạt tiêu chuẩn")
        INCOMPLETE = "incomplete_dossier", _("Hồ sơ chưa đầy đủ")
        LEGAL = "legal_violation", _("Vi phạm quy định của pháp luật")
        OTHER = "other", _("Lý do khác")

    item = models.ForeignKey(
        ProposalItem,
        verbose_name=_("đơn vị được đề nghị"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    stage = models.CharField(_("cấp xét"), max_length=10, choices=Stage.choices)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    reject_reason = models.CharField(
        _("lý do không đề nghị"), max_length=20, choices=RejectReason.choices, blank=True
    )
    reason = models.TextField(_("lý do, ghi chú"), blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    signer = models.CharField(_("người ký quyết định"), max_length=200, blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("giữ từ quyết định trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_username = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("quyết định về đơn vị được đề nghị")
        verbose_name_plural = _("quyết định về đơn vị được đề nghị")
        ordering = ["item", "decided_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "stage"],
                name="item_decision_one_per_stage",
                violation_error_message=_("Đơn vị này đã có quyết định ở cấp xét này."),
            ),
            models.CheckConstraint(
                condition=Q(stage="board", outcome__in=["accepted", "returned", "rejected"])
                | Q(stage="council", outcome__in=["approved", "cut"]),
                name="item_decision_outcome_matches_stage",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="rejected", reject_reason="")
                & (Q(outcome="rejected") | Q(reject_reason="")),
                name="item_decision_reject_reason",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="returned", reason="") & ~Q(reject_reason="other", reason=""),
                name="item_decision_reason_given",
            ),
            models.CheckConstraint(
                condition=Q(stage="board")
                | (Q(decision_date__isnull=False) & ~Q(decision_number="") & ~Q(signer="")),
                name="item_decision_council_document",
            ),
            username_kept("decided_by", "item_decision_decided_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.item} – {self.get_outcome_display()}"


class ProposalEvent(models.Model):
    """The append-only history of a proposal: every status change of the proposal or of an
    item (who, when, from, to, reason). Shown on the proposal."""

    proposal = models.ForeignKey(
        AwardProposal,
        verbose_name=_("tờ trình"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    version = models.ForeignKey(
        ProposalVersion,
        verbose_name=_("phiên bản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    item = models.ForeignKey(
        ProposalItem,
        verbose_name=_("đơn vị được đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("hành động"), max_length=30)
    from_status = models.CharField(_("từ trạng thái"), max_length=20, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True, editable=False)

    class Meta:
        verbose_name = _("lịch sử tờ trình")
        verbose_name_plural = _("lịch sử tờ trình")
        ordering = ["proposal", "at", "id"]
        constraints = [username_kept("actor", "proposal_event_actor_username")]

    def __str__(self) -> str:
        return f"{self.proposal} – {self.action}"
