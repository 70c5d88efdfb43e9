"""Meetings, their minutes, and the secret ballots held at them (DESIGN.md §8).

Secrecy of ballots rests on the shape of these tables, not only on the code:
- `BallotParticipation` says which unit cast a ballot (and how: online or paper);
- `StagedVote` (while the ballot is open) and `Vote` (after close) say what was voted;
- no vote row has a user, a unit, an IP, a timestamp or a foreign key other than its
  ballot, and its id is a random UUID, so neither a column nor the order of ids links a
  choice to a voter; at close the staged votes are shuffled into `Vote` and deleted.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awards.models import AwardType
from blocs.models import BlocYear, Unit
from core.models import username_kept
from rules.models import TieRule, VoteBase, VotePublication


class Meeting(models.Model):
    """A bloc meeting (sơ kết 6 tháng, tổng kết năm). Ballots and minutes attach here."""

    class Kind(models.TextChoices):
        MID_YEAR = "mid_year", _("Hội nghị sơ kết 6 tháng")
        YEAR_END = "year_end", _("Hội nghị tổng kết năm")
        OTHER = "other", _("Hội nghị khác")

    bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua được tổng kết"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("loại hội nghị"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("ngày họp"))
    starts_at = models.TimeField(_("giờ bắt đầu"), null=True, blank=True)
    host_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị đăng cai"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
    )
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    # Set by the first ballot that opens: from then on the attendance is what entitled the
    # voters and cannot change.
    attendance_frozen_at = models.DateTimeField(
        _("chốt danh sách dự họp lúc"), null=True, blank=True
    )
    # E-mail by the worker; the timestamps make the beat task idempotent.
    invitations_sent_at = models.DateTimeField(_("gửi giấy mời lúc"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("gửi nhắc lịch lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_username = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, null=True)

    class Meta:
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "kind", "held_on"], name="meeting_unique_per_day"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["mid_year", "year_end", "other"]), name="meeting_kind_valid"
            ),
            username_kept("created_by", "meeting_created_by_username"),
        ]

    def __str__(self) -> str:
        # The bloc-year (with its province) tells apart the year-end meetings of look-alike
        # blocs held on the same day.
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y} – {self.bloc_year}"


class MeetingPerson(models.Model):
    """Who holds a part at the meeting besides the member units' representatives: the
    chair (one, or co-chairs), the secretary, guests (the board's representative, the
    provincial leader in charge of the bloc) and the counting committee (tổ kiểm phiếu).
    A person may be a user of the product (the chair and secretary approve the minutes)."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chủ trì")
        SECRETARY = "secretary", _("Thư ký hội nghị")
        GUEST = "guest", _("Khách mời")
        COUNTING = "counting", _("Tổ kiểm phiếu")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("hội nghị"), on_delete=models.CASCADE, related_name="people"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    name = models.CharField(_("họ và tên"), max_length=100)
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_roles",
    )
    # What the person does at the meeting ("phát biểu chỉ đạo, kết luận hội nghị").
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("thành phần hội nghị")
        verbose_name_plural = _("thành phần hội nghị")
        ordering = ["meeting", "role", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["chair", "secretary", "guest", "counting"]),
                name="meeting_person_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("hội nghị"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("nội dung"), max_length=300)
    presenter = models.CharField(_("người trình bày"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("nội dung chương trình")
        verbose_name_plural = _("chương trình hội nghị")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_item_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    """One member unit at one meeting. The representative named here may vote for the
    unit when `representative_user` is set; otherwise the unit's leader votes."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Có mặt")
        ABSENT = "absent", _("Vắng")
        EXCUSED = "excused", _("Vắng có lý do")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("hội nghị"), on_delete=models.CASCADE, related_name="attendances"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(_("tình trạng"), max_length=10, choices=Status.choices)
    representative_name = models.CharField(_("người dự"), max_length=100, blank=True)
    representative_title = models.CharField(_("chức vụ người dự"), max_length=200, blank=True)
    representative_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản bỏ phiếu thay đơn vị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by_username = models.CharField(max_length=150, blank=True, editable=False)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now=True)

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        ordering = ["meeting", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "unit"], name="attendance_unique_unit"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "absent", "excused"]),
                name="attendance_status_valid",
            ),
            username_kept("recorded_by", "attendance_recorded_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_status_display()}"


# --- minutes ---------------------------------------------------------------------------------


class Minutes(models.Model):
    """Biên bản hội nghị, one row per version. Drafted from the meeting's data; units
    present may propose amendments until `amend_until`; chair and secretary approve; then
    sealed: `content` holds the frozen text, `sha256` its hash, and nothing changes
    (services and database triggers). A correction after sealing is a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        AMENDING = "amending", _("Đang lấy ý kiến")
        APPROVED = "approved", _("Đã thông qua")
        SEALED = "sealed", _("Đã niêm phong")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("hội nghị"), on_delete=models.PROTECT, related_name="minutes"
    )
    version = models.PositiveSmallIntegerField(_("phiên bản"), default=1)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    opening = models.TextField(_("phần mở đầu"), blank=True)
    closing = models.TextField(_("phần kết thúc"), blank=True)
    amend_until = models.DateTimeField(_("hạn góp ý"), null=True, blank=True)
    chair_approved_at = models.DateTimeField(_("chủ trì thông qua lúc"), null=True, blank=True)
    chair_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ trì thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    chair_approved_by_username = models.CharField(max_length=150, blank=True, editable=False)
    secretary_approved_at = models.DateTimeField(_("thư ký thông qua lúc"), null=True, blank=True)
    secretary_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thư ký thông qua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    secretary_approved_by_username = models.CharField(max_length=150, blank=True, editable=False)
    sealed_at = models.DateTimeField(_("niêm phong lúc"), null=True, blank=True)
    content = models.JSONField(_("nội dung đã niêm phong"), null=True, blank=True)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by_username = models.CharField(max_length=150, blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("biên bản hội nghị")
        verbose_name_plural = _("biên bản hội nghị")
        ordering = ["meeting", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_unique_version"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "amending", "approved", "sealed"]),
                name="minutes_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sealed")
                | (Q(sealed_at__isnull=False) & Q(content__isnull=False) & ~Q(sha256="")),
                name="minutes_sealed_complete",
            ),
            username_kept("chair_approved_by", "minutes_chair_username"),
            username_kept("secretary_approved_by", "minutes_secretary_username"),
            username_kept("created_by", "minutes_created_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} – v{self.version}"


class MinutesSection(models.Model):
    """The free text recorded under one agenda item."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("biên bản"), on_delete=models.CASCADE, related_name="sections"
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("nội dung chương trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    title = models.CharField(_("tiêu đề"), max_length=300)
    text = models.TextField(_("diễn biến"), blank=True)

    class Meta:
        verbose_name = _("mục biên bản")
        verbose_name_plural = _("mục biên bản")
        ordering = ["minutes", "order"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "order"], name="minutes_section_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class MinutesAmendment(models.Model):
    """An amendment a unit present proposes during the window; the secretariat takes it
    into the text or declines it, with a note."""

    class Resolution(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        ACCEPTED = "accepted", _("Đã tiếp thu")
        DECLINED = "declined", _("Không tiếp thu")

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("biên bản"), on_delete=models.PROTECT, related_name="amendments"
    )
    section = models.ForeignKey(
        MinutesSection,
        verbose_name=_("mục"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="amendments",
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người góp ý"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    author_username = models.CharField(max_length=150, blank=True, editable=False)
    text = models.TextField(_("nội dung góp ý"))
    created_at = models.DateTimeField(_("góp ý lúc"), auto_now_add=True)
    resolution = models.CharField(
        _("xử lý"), max_length=10, choices=Resolution.choices, default=Resolution.PENDING
    )
    resolution_note = models.CharField(_("ghi chú xử lý"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("góp ý biên bản")
        verbose_name_plural = _("góp ý biên bản")
        ordering = ["minutes", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolution__in=["pending", "accepted", "declined"]),
                name="minutes_amendment_resolution_valid",
            ),
            username_kept("author", "minutes_amendment_author_username"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.get_resolution_display()}"


# --- ballots ---------------------------------------------------------------------------------


class Ballot(models.Model):
    """One secret ballot at a meeting: an award nomination (candidates are units, yes / no
    per candidate, at most `max_winners` pass) or the election of next year's head and
    deputy (candidates per position). The pass rules are copied from the rule set when the
    ballot is created and may be changed only while it is `created`."""

    class Kind(models.TextChoices):
        NOMINATION = "nomination", _("Bình xét, suy tôn khen thưởng")
        ELECTION = "election", _("Bầu Trưởng khối, Phó khối")

    class Method(models.TextChoices):
        ONLINE = "online", _("Bỏ phiếu trực tuyến")
        PAPER = "paper", _("Phiếu giấy")
        MIXED = "mixed", _("Trực tuyến và phiếu giấy")

    class Status(models.TextChoices):
        CREATED = "created", _("Đã tạo")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc bỏ phiếu")
        PUBLISHED = "published", _("Đã công bố")

    # The pass rules' choices are the rule set's (rules.models).
    Base = VoteBase
    TieRule = TieRule
    Publication = VotePublication

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("hội nghị"), on_delete=models.PROTECT, related_name="ballots"
    )
    kind = models.CharField(_("loại phiếu"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tên cuộc bỏ phiếu"), max_length=300)
    award_type = models.ForeignKey(
        AwardType,
        verbose_name=_("danh hiệu, hình thức khen thưởng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ballots",
    )
    method = models.CharField(_("hình thức bỏ phiếu"), max_length=10, choices=Method.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.CREATED
    )
    # A second round among tied candidates points to the ballot it settles.
    round = models.PositiveSmallIntegerField(_("vòng"), default=1)
    previous_round = models.ForeignKey(
        "self",
        verbose_name=_("vòng trước"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
    )
    # Pass rules (copied from the rule set at creation).
    max_winners = models.PositiveSmallIntegerField(_("số đơn vị tối đa được chọn"), default=1)
    threshold_numerator = models.PositiveSmallIntegerField(_("tỷ lệ tối thiểu: tử số"), default=1)
    threshold_denominator = models.PositiveSmallIntegerField(
        _("tỷ lệ tối thiểu: mẫu số"), default=2
    )
    # True: more than the fraction ("trên 50%"); False: at least ("từ 2/3 trở lên").
    threshold_strict = models.BooleanField(_("phải vượt tỷ lệ"), default=True)
    base = models.CharField(_("tính trên"), max_length=10, choices=Base.choices)
    self_vote_allowed = models.BooleanField(_("được tự bỏ phiếu cho đơn vị mình"), default=True)
    tie_rule = models.CharField(_("khi bằng phiếu"), max_length=20, choices=TieRule.choices)
    publication = models.CharField(_("công bố"), max_length=10, choices=Publication.choices)
    # Counts vote rows do not hold, frozen at open: the base of the percentages.
    members_count = models.PositiveSmallIntegerField(
        _("số đơn vị thành viên"), null=True, blank=True
    )
    present_count = models.PositiveSmallIntegerField(_("số đơn vị có mặt"), null=True, blank=True)
    # Paper counts entered by the counting committee (method paper or mixed).
    paper_issued = models.PositiveSmallIntegerField(
        _("số phiếu giấy phát ra"), null=True, blank=True
    )
    paper_returned = models.PositiveSmallIntegerField(
        _("số phiếu giấy thu về"), null=True, blank=True
    )
    paper_valid = models.PositiveSmallIntegerField(_("số phiếu giấy hợp lệ"), null=True, blank=True)
    paper_invalid = models.PositiveSmallIntegerField(
        _("số phiếu giấy không hợp lệ"), null=True, blank=True
    )
    # Counts of the online votes, fixed at close from the shuffled vote rows.
    online_returned = models.PositiveSmallIntegerField(
        _("số phiếu trực tuyến"), null=True, blank=True
    )
    # The figures of a demo ballot that a seed report does not give.
    illustrative = models.BooleanField(_("số liệu minh họa"), default=False)
    tie_note = models.TextField(_("cách xử lý khi bằng phiếu"), blank=True)
    # The election writes next year's bloc-year; at most one published election each.
    elected_bloc_year = models.ForeignKey(
        BlocYear,
        verbose_name=_("năm thi đua được bầu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="elections",
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
    opened_at = models.DateTimeField(_("mở bỏ phiếu lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc bỏ phiếu lúc"), null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("cuộc bỏ phiếu")
        verbose_name_plural = _("cuộc bỏ phiếu")
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["nomination", "election"]), name="ballot_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["online", "paper", "mixed"]), name="ballot_method_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["created", "open", "closed", "published"]),
                name="ballot_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(base__in=["members", "present", "valid"]), name="ballot_base_valid"
            ),
            models.CheckConstraint(
                condition=Q(tie_rule__in=["second_round", "score_ranking"]),
                name="ballot_tie_rule_valid",
            ),
            models.CheckConstraint(
                condition=Q(publication__in=["choices", "receipts", "none"]),
                name="ballot_publication_valid",
            ),
            models.CheckConstraint(
                condition=Q(threshold_denominator__gte=1)
                & Q(threshold_numerator__lte=models.F("threshold_denominator")),
                name="ballot_threshold_fraction",
            ),
            models.CheckConstraint(condition=Q(max_winners__gte=1), name="ballot_max_winners"),
            # An award nomination names its award; an election names none.
            models.CheckConstraint(
                condition=(Q(kind="nomination") & Q(award_type__isnull=False))
                | (Q(kind="election") & Q(award_type__isnull=True)),
                name="ballot_award_type_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["elected_bloc_year"],
                condition=Q(elected_bloc_year__isnull=False),
                name="ballot_one_election_per_year",
                violation_error_message=_(
                    "Năm thi đua này đã có kết quả bầu Trưởng khối, Phó khối."
                ),
            ),
            username_kept("created_by", "ballot_created_by_username"),
        ]

    def __str__(self) -> str:
        return f"{self.title} – {self.meeting}"


class BallotCandidate(models.Model):
    """A unit on the ballot paper, for a position (election: head or deputy; nomination:
    blank). The counts are filled at close: online votes plus the paper counts."""

    class Position(models.TextChoices):
        NONE = "", _("Đề nghị khen thưởng")
        HEAD = "head", _("Trưởng khối")
        DEPUTY = "deputy", _("Phó khối")

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("cuộc bỏ phiếu"), on_delete=models.CASCADE, related_name="candidates"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(
        _("vị trí"), max_length=10, choices=Position.choices, blank=True, default=""
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    paper_yes = models.PositiveSmallIntegerField(_("đồng ý (phiếu giấy)"), null=True, blank=True)
    paper_no = models.PositiveSmallIntegerField(
        _("không đồng ý (phiếu giấy)"), null=True, blank=True
    )
    paper_blank = models.PositiveSmallIntegerField(
        _("để trống (phiếu giấy)"), null=True, blank=True
    )
    yes_count = models.PositiveSmallIntegerField(_("số phiếu đồng ý"), null=True, blank=True)
    no_count = models.PositiveSmallIntegerField(_("số phiếu không đồng ý"), null=True, blank=True)
    blank_count = models.PositiveSmallIntegerField(_("số phiếu để trống"), null=True, blank=True)
    # Reached the threshold; `elected` (or chosen) once quotas and ties are applied.
    passed = models.BooleanField(_("đạt tỷ lệ"), null=True, blank=True)
    elected = models.BooleanField(_("trúng cử / được đề nghị"), null=True, blank=True)

    class Meta:
        verbose_name = _("đơn vị được bỏ phiếu")
        verbose_name_plural = _("đơn vị được bỏ phiếu")
        # Head before deputy ("head" > "deputy" > "" backwards), then as entered.
        ordering = ["ballot", "-position", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "unit", "position"], name="ballot_candidate_unique"
            ),
            models.CheckConstraint(
                condition=Q(position__in=["", "head", "deputy"]),
                name="ballot_candidate_position_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.ballot_id})"


class BallotParticipation(models.Model):
    """Who may vote and who did: one row per entitled unit, written when the ballot opens
    (the units present). It never says what was voted, and a vote row never says who."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Trực tuyến")
        PAPER = "paper", _("Phiếu giấy")

    ballot = models.ForeignKey(
        Ballot,
        verbose_name=_("cuộc bỏ phiếu"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: entitled, not voted yet. Online: a ballot was cast in the app; paper: a paper
    # ballot was handed to the unit (it can no longer vote online).
    voted_method = models.CharField(
        _("đã bỏ phiếu"), max_length=10, choices=Method.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("đơn vị có quyền bỏ phiếu")
        verbose_name_plural = _("đơn vị có quyền bỏ phiếu")
        ordering = ["ballot", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "unit"], name="ballot_participation_unique"),
            models.CheckConstraint(
                condition=Q(voted_method__in=["", "online", "paper"]),
                name="ballot_participation_method_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.ballot_id}"


class StagedVote(models.Model):
    """The ballot box while the ballot is open. Emptied (shuffled into Vote) at close.
    `choices`: {"<candidate id>": "yes" | "no" | "blank"}."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="+")
    receipt = models.CharField(max_length=16)
    choices = models.JSONField()

    class Meta:
        verbose_name = _("phiếu trong hòm phiếu")
        verbose_name_plural = _("hòm phiếu")
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "receipt"], name="staged_vote_receipt_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class Vote(models.Model):
    """A counted online vote. Append-only; see the module docstring for what it must never
    carry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.PROTECT, related_name="votes")
    receipt = models.CharField(max_length=16)
    choices = models.JSONField()

    class Meta:
        verbose_name = _("phiếu bầu")
        verbose_name_plural = _("phiếu bầu")
        constraints = [
            models.UniqueConstraint(fields=["ballot", "receipt"], name="vote_receipt_unique"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class BallotEvent(models.Model):
    """Append-only trail of a ballot's state changes, resets and paper count entries: who
    and when, never a choice."""

    ballot = models.ForeignKey(
        Ballot, verbose_name=_("cuộc bỏ phiếu"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("hành động"), max_length=40)
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
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("diễn biến cuộc bỏ phiếu")
        verbose_name_plural = _("diễn biến cuộc bỏ phiếu")
        ordering = ["ballot", "at", "id"]
        constraints = [username_kept("actor", "ballot_event_actor_username")]

    def __str__(self) -> str:
        return f"{self.ballot_id} {self.action}"
