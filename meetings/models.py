from django.db import models
from django.utils.translation import gettext_lazy as _

from blocs.models import BlocYear, Unit


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

    class Meta:
        verbose_name = _("hội nghị")
        verbose_name_plural = _("hội nghị")
        ordering = ["-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["bloc_year", "kind", "held_on"], name="meeting_unique_per_day"
            )
        ]

    def __str__(self) -> str:
        # The bloc-year (with its province) tells apart the year-end meetings of look-alike
        # blocs held on the same day.
        return f"{self.get_kind_display()} {self.held_on:%d/%m/%Y} – {self.bloc_year}"
