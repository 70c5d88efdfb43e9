from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    name = models.CharField(_("tên tỉnh"), max_length=100, unique=True)
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    board_name = models.CharField(
        _("cơ quan thi đua - khen thưởng"),
        max_length=200,
        help_text=_("Ví dụ: Ban Thi đua - Khen thưởng tỉnh (Sở Nội vụ)"),
    )
    authority_name = models.CharField(
        _("cơ quan chủ quản"), max_length=200, help_text=_("Ví dụ: UBND tỉnh Quảng Bình")
    )

    class Meta:
        verbose_name = _("tỉnh")
        verbose_name_plural = _("tỉnh")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Bloc(models.Model):
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="blocs"
    )
    name = models.CharField(_("tên khối"), max_length=255)
    number = models.PositiveSmallIntegerField(_("số hiệu"), null=True, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("khối thi đua")
        verbose_name_plural = _("khối thi đua")
        ordering = ["province__name", "number", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="bloc_unique_name"),
            models.UniqueConstraint(
                fields=["province", "number"],
                condition=Q(number__isnull=False),
                name="bloc_unique_number",
                violation_error_message=_("Tỉnh đã có khối thi đua mang số hiệu này."),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="bloc_number_positive",
                violation_error_message=_("Số hiệu khối phải lớn hơn 0."),
            ),
        ]

    def __str__(self) -> str:
        # Provinces name their blocs alike ("Khối thi đua Kinh tế ngành"): every picker and
        # admin list names the province; pages that already show it use `name`.
        return f"{self.name} ({self.province.name})"


class Unit(models.Model):
    """A member agency. Renames and merges create a new unit linked by `successor`."""

    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), on_delete=models.PROTECT, related_name="units"
    )
    name = models.CharField(_("tên đơn vị"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=60, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        help_text=_("Đơn vị tiếp nhận khi đổi tên hoặc hợp nhất; lịch sử cũ được giữ nguyên."),
    )
    succeeded_on = models.DateField(_("ngày kế thừa"), null=True, blank=True)
    active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["province__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="unit_unique_name"),
            models.CheckConstraint(
                condition=~Q(successor=models.F("id")),
                name="unit_successor_not_self",
                violation_error_message=_("Đơn vị không thể kế thừa chính nó."),
            ),
            models.CheckConstraint(
                condition=Q(successor__isnull=True) | Q(active=False),
                name="unit_with_successor_inactive",
                violation_error_message=_(
                    "Đơn vị đã có đơn vị kế thừa phải ở trạng thái ngừng hoạt động."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Every province has a "Sở Công Thương": the label names the province (see Bloc).
        return f"{self.name} ({self.province.name})"


class BlocYear(models.Model):
    class Status(models.TextChoices):
        SETUP = "setup", _("Thiết lập")
        PLEDGING = "pledging", _("Ký kết giao ước")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        SCORING = "scoring", _("Chấm điểm")
        VOTING = "voting", _("Bình xét, bỏ phiếu")
        PROPOSED = "proposed", _("Đã đề nghị khen thưởng")
        REVIEWED = "reviewed", _("Đã thẩm định")
        CLOSED = "closed", _("Đã kết thúc")

    bloc = models.ForeignKey(
        Bloc, verbose_name=_("khối thi đua"), on_delete=models.PROTECT, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.SETUP
    )
    members = models.ManyToManyField(
        Unit, through="Membership", verbose_name=_("đơn vị thành viên"), related_name="bloc_years"
    )

    class Meta:
        verbose_name = _("năm thi đua của khối")
        verbose_name_plural = _("năm thi đua của khối")
        ordering = ["bloc", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="bloc_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1945) & Q(year__lte=2200),
                name="bloc_year_year_range",
                violation_error_message=_("Năm không hợp lệ."),
            ),
            # Only the services of blocs/cycle.py move it, along DESIGN.md §3.
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "setup",
                        "pledging",
                        "in_progress",
                        "scoring",
                        "voting",
                        "proposed",
                        "reviewed",
                        "closed",
                    ]
                ),
                name="bloc_year_status_valid",
                violation_error_message=_("Trạng thái năm thi đua không hợp lệ."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} – {self.year}"

    def _unit_with_role(self, role: str) -> "Unit | None":
        # Iterates memberships so that a prefetch serves it without a query.
        return next((m.unit for m in self.memberships.all() if m.role == role), None)

    @property
    def head_unit(self) -> "Unit | None":
        return self._unit_with_role(Membership.Role.HEAD)

    @property
    def deputy_unit(self) -> "Unit | None":
        return self._unit_with_role(Membership.Role.DEPUTY)


class Membership(models.Model):
    """A unit's seat in a bloc-year. Head and deputy are roles of a membership, so the
    database itself guarantees that they are members, that they differ and that there is
    at most one of each."""

    class Role(models.TextChoices):
        HEAD = "head", _("Trưởng khối")
        DEPUTY = "deputy", _("Phó khối")
        MEMBER = "member", _("Thành viên")

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("vai trò trong khối"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    # The unit's head (thủ trưởng) in this year: leaders change, so per bloc-year. The title
    # is written as it is signed ("Giám đốc Sở Giao thông Vận tải"); documents print it in
    # the signature block above the name.
    leader_name = models.CharField(_("họ và tên thủ trưởng"), max_length=100, blank=True)
    leader_title = models.CharField(_("chức vụ của thủ trưởng"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("đơn vị thành viên")
        verbose_name_plural = _("đơn vị thành viên")
        ordering = ["bloc_year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["bloc_year", "unit"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["bloc_year"],
                condition=Q(role="head"),
                name="membership_one_head",
                violation_error_message=_("Mỗi năm chỉ có một đơn vị Trưởng khối."),
            ),
            models.UniqueConstraint(
                fields=["bloc_year"],
                condition=Q(role="deputy"),
                name="membership_one_deputy",
                violation_error_message=_("Mỗi năm chỉ có một đơn vị Phó khối."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["head", "deputy", "member"]),
                name="membership_role_valid",
                violation_error_message=_("Vai trò trong khối không hợp lệ."),
            ),
            # A title without a name would sign for nobody.
            models.CheckConstraint(
                condition=Q(leader_title="") | ~Q(leader_name=""),
                name="membership_leader_title_has_name",
                violation_error_message=_("Chức vụ cần đi kèm họ và tên thủ trưởng."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_role_display()}"


class RoleAssignment(models.Model):
    """Who may do what, and where. Scope depends on the role; the database checks it."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Quản trị hệ thống")
        BOARD = "board", _("Cán bộ Ban Thi đua - Khen thưởng")
        SECRETARIAT = "secretariat", _("Thư ký khối")
        LEADER = "leader", _("Lãnh đạo đơn vị")
        STAFF = "staff", _("Cán bộ đơn vị")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.CASCADE
    )
    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua của khối"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(_("ngày giao"), auto_now_add=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role="admin",
                        province__isnull=True,
                        bloc_year__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role="board",
                        province__isnull=False,
                        bloc_year__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role="secretariat",
                        province__isnull=True,
                        bloc_year__isnull=False,
                        unit__isnull=True,
                    )
                    | Q(
                        role__in=["leader", "staff"],
                        province__isnull=True,
                        bloc_year__isnull=True,
                        unit__isnull=False,
                    )
                ),
                name="role_assignment_scope_matches_role",
                violation_error_message=_(
                    "Phạm vi không khớp vai trò: cán bộ Ban TĐKT gắn với tỉnh, thư ký gắn với "
                    "năm thi đua của khối, lãnh đạo và cán bộ gắn với đơn vị."
                ),
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(role="admin"), name="role_unique_admin"
            ),
            models.UniqueConstraint(
                fields=["user", "province"], condition=Q(role="board"), name="role_unique_board"
            ),
            models.UniqueConstraint(
                fields=["user", "bloc_year"],
                condition=Q(role="secretariat"),
                name="role_unique_secretariat",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(role__in=["leader", "staff"]),
                name="role_unique_unit_role",
            ),
        ]

    def __str__(self) -> str:
        scope = self.province or self.bloc_year or self.unit or ""
        return f"{self.user} – {self.get_role_display()} {scope}".strip()
