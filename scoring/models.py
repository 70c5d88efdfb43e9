"""Scoring: criteria tables, score sheets with their three stages, history and locking.

Totals are never stored; they are computed in one place (scoring/totals.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Province, Unit
from core.models import username_kept

POINTS = {"max_digits": 7, "decimal_places": 2}


class Stage(models.TextChoices):
    SELF = "self", _("Tự chấm")
    CROSS = "cross", _("Chấm chéo")
    VERIFIED = "verified", _("Thẩm định")


class CriteriaTable(models.Model):
    """A bảng chấm điểm. It belongs to one bloc-year, or (bloc_year empty) is shared by
    every bloc of its province for that year."""

    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="criteria_tables"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="criteria_tables",
        help_text=_("Để trống: bảng dùng chung cho các khối của tỉnh trong năm."),
    )
    name = models.CharField(_("tên bảng chấm điểm"), max_length=255)
    bonus_cap = models.DecimalField(_("trần điểm cộng mỗi phiếu"), default=0, **POINTS)
    penalty_cap = models.DecimalField(_("trần điểm trừ mỗi phiếu"), default=0, **POINTS)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("sao chép từ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
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
        verbose_name = _("bảng chấm điểm")
        verbose_name_plural = _("bảng chấm điểm")
        ordering = ["province__name", "-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year"],
                condition=Q(bloc_year__isnull=False),
                name="criteria_table_one_per_bloc_year",
                violation_error_message=_("Năm thi đua này của khối đã có bảng chấm điểm."),
            ),
            models.UniqueConstraint(
                fields=["province", "year"],
                condition=Q(bloc_year__isnull=True),
                name="criteria_table_one_shared_per_province_year",
                violation_error_message=_("Tỉnh đã có bảng chấm điểm dùng chung cho năm này."),
            ),
            models.CheckConstraint(
                condition=Q(bonus_cap__gte=0) & Q(penalty_cap__gte=0),
                name="criteria_table_caps_not_negative",
                violation_error_message=_("Trần điểm cộng và điểm trừ không được âm."),
            ),
            username_kept("created_by", "criteria_table_created_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class CriterionGroup(models.Model):
    table = models.ForeignKey(
        CriteriaTable,
        verbose_name=_("bảng chấm điểm"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    code = models.CharField(_("mã nhóm"), max_length=20)
    name = models.CharField(_("tên nhóm tiêu chí"), max_length=500)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("nhóm tiêu chí")
        verbose_name_plural = _("nhóm tiêu chí")
        ordering = ["table", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="criterion_group_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Criterion(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Tiêu chí")
        BONUS = "bonus", _("Điểm cộng")
        PENALTY = "penalty", _("Điểm trừ")

    table = models.ForeignKey(
        CriteriaTable,
        verbose_name=_("bảng chấm điểm"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    group = models.ForeignKey(
        CriterionGroup, verbose_name=_("nhóm"), on_delete=models.CASCADE, related_name="criteria"
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    code = models.CharField(_("mã tiêu chí"), max_length=20)
    name = models.CharField(_("nội dung tiêu chí"), max_length=1000)
    max_points = models.DecimalField(
        _("điểm tối đa"),
        help_text=_("Với điểm cộng, điểm trừ: mức tối đa của từng khoản."),
        **POINTS,
    )
    guidance = models.TextField(_("hướng dẫn chấm"), blank=True)
    evidence_required = models.BooleanField(_("bắt buộc có minh chứng"), default=False)
    position = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["table", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["table", "code"], name="criterion_unique_code"),
            models.CheckConstraint(
                condition=Q(max_points__gt=0),
                name="criterion_max_points_positive",
                violation_error_message=_("Điểm tối đa phải lớn hơn 0."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["regular", "bonus", "penalty"]),
                name="criterion_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class ScoreSheet(models.Model):
    """The phiếu chấm điểm of one member unit in one bloc-year; its values carry a stage."""

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.PROTECT,
        related_name="score_sheets",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    self_submitted_at = models.DateTimeField(_("nộp tự chấm lúc"), null=True, blank=True)
    self_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp tự chấm"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_submitted_by_username = models.CharField(
        _("tên đăng nhập người nộp tự chấm"), max_length=150, blank=True, editable=False
    )
    cross_submitted_at = models.DateTimeField(_("hoàn tất chấm chéo lúc"), null=True, blank=True)
    cross_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người hoàn tất chấm chéo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cross_submitted_by_username = models.CharField(
        _("tên đăng nhập người hoàn tất chấm chéo"), max_length=150, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("phiếu chấm điểm")
        verbose_name_plural = _("phiếu chấm điểm")
        ordering = ["bloc_year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="score_sheet_unique"),
            username_kept("self_submitted_by", "score_sheet_self_submitted_by_username"),
            username_kept("cross_submitted_by", "score_sheet_cross_submitted_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.bloc_year}"

    def submitted_at(self, stage: str):
        return {Stage.SELF: self.self_submitted_at, Stage.CROSS: self.cross_submitted_at}.get(stage)


class ScoreValue(models.Model):
    """One cell: a criterion's points on a sheet at a stage. `version` grows by one with each
    saved change; a save that names an older version is refused (no lost updates)."""

    sheet = models.ForeignKey(
        ScoreSheet,
        verbose_name=_("phiếu chấm điểm"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT, related_name="values"
    )
    stage = models.CharField(_("bước chấm"), max_length=10, choices=Stage.choices)
    value = models.DecimalField(_("điểm"), null=True, blank=True, **POINTS)
    comment = models.TextField(_("ghi chú"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_by_username = models.CharField(
        _("tên đăng nhập người cập nhật"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion", "stage"], name="score_value_unique_cell"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="score_value_not_negative",
                violation_error_message=_("Điểm không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=["self", "cross", "verified"]), name="score_value_stage"
            ),
            username_kept("updated_by", "score_value_updated_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.criterion.code} · {self.stage}: {self.value}"


class ScoreChange(models.Model):
    """Append-only history of every change of a value (who, when, stage, old, new)."""

    score_value = models.ForeignKey(
        ScoreValue, verbose_name=_("ô điểm"), on_delete=models.PROTECT, related_name="changes"
    )
    stage = models.CharField(_("bước chấm"), max_length=10, choices=Stage.choices)
    old_value = models.DecimalField(_("giá trị cũ"), null=True, blank=True, **POINTS)
    new_value = models.DecimalField(_("giá trị mới"), null=True, blank=True, **POINTS)
    old_comment = models.TextField(_("ghi chú cũ"), blank=True)
    new_comment = models.TextField(_("ghi chú mới"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"))
    note = models.CharField(_("diễn giải"), max_length=255, blank=True)
    changed_at = models.DateTimeField(_("thời điểm"), db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thay đổi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_by_username = models.CharField(
        _("tên đăng nhập người thay đổi"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("lịch sử thay đổi điểm")
        verbose_name_plural = _("lịch sử thay đổi điểm")
        ordering = ["-changed_at", "-id"]
        constraints = [username_kept("changed_by", "score_change_changed_by_username")]

    def __str__(self) -> str:
        return f"{self.score_value_id} v{self.version}: {self.old_value} → {self.new_value}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    sheet = instance.score_value.sheet
    return f"scoring/evidence/{sheet.bloc_year_id}/{sheet.pk}/{instance.score_value_id}.{ext}"


class Evidence(models.Model):
    score_value = models.ForeignKey(
        ScoreValue, verbose_name=_("ô điểm"), on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField(_("tệp minh chứng"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by_username = models.CharField(
        _("tên đăng nhập người tải lên"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "id"]
        constraints = [username_kept("uploaded_by", "evidence_uploaded_by_username")]

    def __str__(self) -> str:
        return self.original_name


class CrossAssignment(models.Model):
    """The bloc assigns `scorer` to cross-score `target` (chấm chéo); never itself."""

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.CASCADE,
        related_name="cross_assignments",
    )
    scorer = models.ForeignKey(
        Unit, verbose_name=_("đơn vị chấm"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey(
        Unit, verbose_name=_("đơn vị được chấm"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("phân công chấm chéo")
        verbose_name_plural = _("phân công chấm chéo")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "scorer", "target"], name="cross_assignment_unique"
            ),
            models.CheckConstraint(
                condition=~Q(scorer=models.F("target")),
                name="cross_assignment_not_self",
                violation_error_message=_("Đơn vị không được chấm chéo chính mình."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scorer} → {self.target}"


class ScoringYear(models.Model):
    """Scoring state of one bloc-year: locked once the board verifies."""

    bloc_year = models.OneToOneField(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.CASCADE,
        related_name="scoring",
    )
    locked_at = models.DateTimeField(_("khóa lúc"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người khóa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_by_username = models.CharField(
        _("tên đăng nhập người khóa"), max_length=150, blank=True, editable=False
    )
    # A new random token after every write that changes what the grid shows; the grid's
    # cached data are keyed by it, so a cached grid is never stale.
    revision = models.CharField(_("phiên bản dữ liệu"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("trạng thái chấm điểm")
        verbose_name_plural = _("trạng thái chấm điểm")
        constraints = [username_kept("locked_by", "scoring_year_locked_by_username")]

    def __str__(self) -> str:
        return str(self.bloc_year)

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class ScoringYearEvent(models.Model):
    class Action(models.TextChoices):
        LOCK = "lock", _("Thẩm định và khóa")
        REOPEN = "reopen", _("Mở lại")

    scoring_year = models.ForeignKey(
        ScoringYear,
        verbose_name=_("trạng thái chấm điểm"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    action = models.CharField(_("hành động"), max_length=10, choices=Action.choices)
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
    actor_username = models.CharField(
        _("tên đăng nhập người thực hiện"), max_length=150, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("sự kiện khóa / mở lại")
        verbose_name_plural = _("sự kiện khóa / mở lại")
        ordering = ["-at", "-id"]
        constraints = [
            username_kept("actor", "scoring_year_event_actor_username"),
            # A re-opening always states why (the service asks for 10 characters or more).
            models.CheckConstraint(
                condition=Q(action="lock") | Q(GreaterThanOrEqual(Length(Trim("reason")), 10)),
                name="scoring_year_event_reopen_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
