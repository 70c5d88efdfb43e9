"""Forms of the secretariat's proposal pages: they parse the input; the services
(awards/services.py) decide what is allowed and say what is wrong."""

from django import forms
from django.utils.translation import gettext_lazy as _

REASON_MAX = 2000
TEXT_MAX = 20000
ROW_TEXT_MAX = 2000


class ItemRemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do bỏ đơn vị khỏi tờ trình"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Cần ghi lý do bỏ đơn vị khỏi tờ trình.")},
    )


class ItemAddForm(forms.Form):
    """`units`: the members of the bloc-year not in the version (a forged id, another
    province's unit or a non-member, is not a choice)."""

    unit = forms.ModelChoiceField(
        label=_("Đơn vị thành viên"),
        queryset=None,
        empty_label=_("— Chọn đơn vị —"),
        error_messages={
            "required": _("Hãy chọn đơn vị cần bổ sung."),
            "invalid_choice": _("Đơn vị không thuộc danh sách thành viên có thể bổ sung."),
        },
    )

    def __init__(self, *args, units, labels: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = units
        labels = labels or {}
        field.label_from_instance = lambda u: labels.get(u.pk, u.name)


class ReportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp báo cáo thành tích (PDF, Word, ODT)"),
        required=False,  # the service says "Hãy chọn tệp ..." next to the field
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.odt"}),
    )


class ReportFormForm(forms.Form):
    """Mẫu số 02 (báo cáo thành tích của tập thể): the three sections, then rows of
    achievements by year (year, text) and of awards received (year, form, decision)."""

    unit_name = forms.CharField(label=_("Tên tập thể"), max_length=500)
    characteristics = forms.CharField(
        label=_("Đặc điểm, tình hình"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    achievements = forms.CharField(
        label=_("Thành tích đạt được"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    # Carriers of the service's errors about the rows, shown above each list of rows.
    by_year = forms.CharField(required=False, widget=forms.HiddenInput)
    awards_received = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, by_year_rows: int = 3, award_rows: int = 3, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key in ("unit_name", "characteristics", "achievements"):
            self.fields[key].required = False  # the service names the missing section
        self.by_year_rows = by_year_rows
        self.award_rows = award_rows
        for i in range(by_year_rows):
            self.fields[f"by_year_{i}_year"] = forms.CharField(
                label=_("Năm"), max_length=4, required=False
            )
            self.fields[f"by_year_{i}_text"] = forms.CharField(
                label=_("Thành tích"),
                max_length=ROW_TEXT_MAX,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for i in range(award_rows):
            self.fields[f"awards_{i}_year"] = forms.CharField(
                label=_("Năm"), max_length=4, required=False
            )
            self.fields[f"awards_{i}_form"] = forms.CharField(
                label=_("Hình thức khen thưởng"), max_length=ROW_TEXT_MAX, required=False
            )
            self.fields[f"awards_{i}_decision"] = forms.CharField(
                label=_("Số, ngày quyết định"), max_length=ROW_TEXT_MAX, required=False
            )

    @staticmethod
    def initial_from(report: dict | None) -> dict:
        report = report or {}
        initial = {k: report.get(k, "") for k in ("unit_name", "characteristics", "achievements")}
        for i, row in enumerate(report.get("by_year") or []):
            initial[f"by_year_{i}_year"] = row.get("year", "")
            initial[f"by_year_{i}_text"] = row.get("text", "")
        for i, row in enumerate(report.get("awards_received") or []):
            initial[f"awards_{i}_year"] = row.get("year", "")
            initial[f"awards_{i}_form"] = row.get("form", "")
            initial[f"awards_{i}_decision"] = row.get("decision", "")
        return initial

    def by_year_fields(self) -> list:
        return [
            (self[f"by_year_{i}_year"], self[f"by_year_{i}_text"]) for i in range(self.by_year_rows)
        ]

    def award_fields(self) -> list:
        return [
            (self[f"awards_{i}_year"], self[f"awards_{i}_form"], self[f"awards_{i}_decision"])
            for i in range(self.award_rows)
        ]

    def report(self) -> dict:
        """The dict the service takes (proposal_item_report_form_save); blank rows left out."""
        data = self.cleaned_data
        by_year, awards = [], []
        for i in range(self.by_year_rows):
            year, text = data.get(f"by_year_{i}_year", ""), data.get(f"by_year_{i}_text", "")
            if year or text:
                by_year.append({"year": year, "text": text})
        for i in range(self.award_rows):
            row = {f: data.get(f"awards_{i}_{f}", "") for f in ("year", "form", "decision")}
            if any(row.values()):
                awards.append(row)
        return {
            "unit_name": data.get("unit_name", ""),
            "characteristics": data.get("characteristics", ""),
            "achievements": data.get("achievements", ""),
            "by_year": by_year,
            "awards_received": awards,
        }


class VersionNewForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú của phiên bản mới"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
