"""Forms of the provincial board's review (DESIGN.md §9): the board's decision on one unit of
a proposal and the provincial council's outcome, and the filters of the inbox. The services
(awards.services) hold every rule; these parse what was typed and say what is missing next
to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemDecision

REASON_MAX = 2000
BAD_DATE = _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy, ví dụ 15/01/2021.")

BOARD_OUTCOMES = [
    (ItemDecision.Outcome.ACCEPTED.value, ItemDecision.Outcome.ACCEPTED.label),
    (ItemDecision.Outcome.RETURNED.value, ItemDecision.Outcome.RETURNED.label),
    (ItemDecision.Outcome.REJECTED.value, ItemDecision.Outcome.REJECTED.label),
]
COUNCIL_OUTCOMES = [
    (ItemDecision.Outcome.APPROVED.value, ItemDecision.Outcome.APPROVED.label),
    (ItemDecision.Outcome.CUT.value, ItemDecision.Outcome.CUT.label),
]


class DecideForm(forms.Form):
    """Accept (to the council), return for correction with a reason, or reject with one of
    the reasons (other: with its text)."""

    outcome = forms.ChoiceField(
        label=_("Ý kiến thẩm định"),
        choices=BOARD_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn: trình Hội đồng, trả lại hoặc không đề nghị."),
            "invalid_choice": _("Hãy chọn: trình Hội đồng, trả lại hoặc không đề nghị."),
        },
    )
    reject_reason = forms.ChoiceField(
        label=_("Lý do không đề nghị"),
        choices=[("", _("— chọn lý do —")), *ItemDecision.RejectReason.choices],
        required=False,
        error_messages={"invalid_choice": _("Lý do không đề nghị không có trong danh sách.")},
    )
    reason = forms.CharField(
        label=_("Lý do, ghi chú"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REASON_MAX}),
        help_text=_("Bắt buộc khi trả lại hoặc khi chọn “Lý do khác”; tối đa 2000 ký tự."),
        error_messages={"max_length": _("Lý do quá dài (tối đa 2000 ký tự).")},
    )

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        reason = " ".join((data.get("reason") or "").split())
        data["reason"] = reason
        if (
            outcome == ItemDecision.Outcome.REJECTED
            and not data.get("reject_reason")
            and "reject_reason" not in self.errors
        ):
            self.add_error("reject_reason", _("Hãy chọn lý do không đề nghị."))
        if outcome != ItemDecision.Outcome.REJECTED:
            data["reject_reason"] = ""
        needs_text = outcome == ItemDecision.Outcome.RETURNED or (
            outcome == ItemDecision.Outcome.REJECTED
            and data.get("reject_reason") == ItemDecision.RejectReason.OTHER
        )
        if needs_text and not reason and "reason" not in self.errors:
            self.add_error(
                "reason",
                _("Cần ghi lý do trả lại.")
                if outcome == ItemDecision.Outcome.RETURNED
                else _("Lý do khác: cần ghi rõ lý do."),
            )
        return data


class CouncilForm(forms.Form):
    """The provincial council's outcome for a unit the board accepted."""

    outcome = forms.ChoiceField(
        label=_("Kết quả của Hội đồng"),
        choices=COUNCIL_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn: được khen thưởng hoặc không được khen thưởng."),
            "invalid_choice": _("Hãy chọn: được khen thưởng hoặc không được khen thưởng."),
        },
    )
    decision_number = forms.CharField(
        label=_("Số quyết định"),
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": "123/QĐ-UBND", "autocomplete": "off"}),
        error_messages={
            "required": _("Cần nhập số quyết định."),
            "max_length": _("Số quyết định quá dài (tối đa 60 ký tự)."),
        },
    )
    decision_date = forms.DateField(
        label=_("Ngày quyết định"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={"required": _("Cần nhập ngày quyết định."), "invalid": BAD_DATE},
    )
    signer = forms.CharField(
        label=_("Người ký quyết định"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Ví dụ: Chủ tịch UBND tỉnh Nguyễn Văn A")}),
        error_messages={
            "required": _("Cần nhập người ký quyết định."),
            "max_length": _("Tên người ký quá dài (tối đa 200 ký tự)."),
        },
    )
    reason = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
        error_messages={"max_length": _("Ghi chú quá dài (tối đa 2000 ký tự).")},
    )


class InboxFilterForm(forms.Form):
    """GET filters of the board's inbox; an unknown value is ignored (shows everything)."""

    bloc = forms.TypedChoiceField(label=_("Khối thi đua"), required=False, coerce=int)
    award = forms.TypedChoiceField(label=_("Danh hiệu"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    year = forms.TypedChoiceField(label=_("Năm"), required=False, coerce=int)

    def __init__(self, *args, blocs, awards, statuses, years, **kwargs):
        super().__init__(*args, **kwargs)
        every = [("", _("Tất cả"))]
        self.fields["bloc"].choices = every + [(b.pk, b.name) for b in blocs]
        self.fields["award"].choices = every + [(a.pk, a.name) for a in awards]
        self.fields["status"].choices = every + list(statuses)
        self.fields["year"].choices = every + [(y, str(y)) for y in years]
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-select form-select-sm"

    def values(self) -> dict:
        """The valid filters (empty ones dropped); invalid ones ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm thi đua"), required=False, coerce=int)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].widget.attrs["class"] = "form-select form-select-sm"
