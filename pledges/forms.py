"""Forms parse input only; services decide. Numbers accept the Vietnamese decimal comma."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.numbers import parse_vn_decimal


class VietnameseDecimalField(forms.CharField):
    """A target figure, read by the one parser (core.numbers): "8,5" and "8.5" are 8.5,
    "1.000.000" and "1 000 000" one million, "1.000" one thousand; ASCII digits only; at
    most 12 digits before the comma and 2 after, as the models store it."""

    default_error_messages = {
        "invalid": _("Hãy nhập một số, ví dụ 95 hoặc 8,5."),
        "negative": _("Chỉ tiêu không được là số âm."),
        "too_big": _("Số quá lớn."),
        "too_precise": _("Chỉ ghi tối đa 2 chữ số sau dấu phẩy."),
    }

    max_chars = 30

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return parse_vn_decimal(
            value,
            max_digits=14,
            decimal_places=2,
            messages={
                "invalid": self.error_messages["invalid"],
                "negative": self.error_messages["negative"],
                "decimals": self.error_messages["too_precise"],
                "too_big": self.error_messages["too_big"],
            },
        )

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs["inputmode"] = "decimal"
        attrs["maxlength"] = str(self.max_chars)
        return attrs


class DraftForm(forms.Form):
    title = forms.CharField(
        label=_("Tiêu đề"),
        max_length=255,
        error_messages={"required": _("Hãy nhập tiêu đề giao ước.")},
    )
    preamble = forms.CharField(
        label=_("Lời mở đầu"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label=_("Nội dung cam kết"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_value = VietnameseDecimalField(label=_("Chỉ tiêu (nếu có)"), required=False)
    target_unit = forms.CharField(label=_("Đơn vị tính"), required=False, max_length=50)

    def clean(self):
        data = super().clean()
        if data.get("target_value") is not None and not (data.get("text") or "").strip():
            self.add_error("text", _("Hãy ghi nội dung cho chỉ tiêu này."))
        if data.get("target_unit") and data.get("target_value") is None and not self.errors:
            self.add_error("target_value", _("Có đơn vị tính thì phải có chỉ tiêu."))
        return data


class TargetForm(forms.Form):
    description = forms.CharField(
        label=_("Nội dung chỉ tiêu"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    target_value = VietnameseDecimalField(label=_("Chỉ tiêu"), required=False)
    unit_of_measure = forms.CharField(label=_("Đơn vị tính"), required=False, max_length=50)

    def clean(self):
        data = super().clean()
        filled = (data.get("description") or "").strip()
        if not filled:
            if data.get("target_value") is not None or (data.get("unit_of_measure") or "").strip():
                self.add_error("description", _("Hãy ghi nội dung chỉ tiêu."))
            return data
        if data.get("target_value") is None and "target_value" not in self.errors:
            self.add_error("target_value", _("Hãy nhập chỉ tiêu (một số, ví dụ 100 hoặc 8,5)."))
        if not (data.get("unit_of_measure") or "").strip():
            self.add_error("unit_of_measure", _("Hãy ghi đơn vị tính, ví dụ %, hồ sơ, lượt."))
        return data


class _BaseRows(forms.BaseFormSet):
    min_filled = 0
    field_name = "text"
    empty_message = ""

    def clean(self):
        if any(self.errors):
            return
        filled = [
            f
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get(self.field_name) or "").strip()
        ]
        if len(filled) < self.min_filled:
            raise forms.ValidationError(self.empty_message)


class _CommitmentRows(_BaseRows):
    min_filled = 1
    field_name = "text"
    empty_message = _("Hãy nhập ít nhất một nội dung cam kết chung.")


class _TargetRows(_BaseRows):
    min_filled = 1
    field_name = "description"
    empty_message = _("Hãy đăng ký ít nhất một chỉ tiêu.")


CommitmentFormSet = forms.formset_factory(
    CommitmentForm, formset=_CommitmentRows, extra=3, max_num=60, validate_max=True
)
TargetFormSet = forms.formset_factory(
    TargetForm, formset=_TargetRows, extra=3, max_num=60, validate_max=True
)


class OpenForm(forms.Form):
    deadline = forms.DateField(
        label=_("Hạn ký"),
        # A text box in dd/mm/yyyy (config/formats): type="date" would show the browser's
        # locale order, e.g. mm/dd/yyyy in an English browser.
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={
            "required": _("Hãy chọn hạn ký."),
            "invalid": _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 31/01/2026."),
        },
    )

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError(_("Hạn ký không được trước ngày hôm nay."))
        return deadline


class SignForm(forms.Form):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("Tôi đã đọc toàn văn nội dung trên và đồng ý ký giao ước thay mặt đơn vị."),
        error_messages={"required": _("Hãy xác nhận đã đọc và đồng ý với nội dung giao ước.")},
    )
    password = forms.CharField(
        label=_("Nhập lại mật khẩu của bạn để ký"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu để xác nhận chữ ký.")},
    )


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do sửa đổi"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy ghi lý do sửa đổi.")},
    )


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Mã xác thực"), required=False, max_length=40)
    pdf = forms.FileField(label=_("Hoặc tải lên tệp PDF giao ước"), required=False)

    def clean_pdf(self):
        pdf = self.cleaned_data.get("pdf")
        if pdf is None:
            return None
        if pdf.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Tệp quá lớn (tối đa 20 MB)."))
        head = pdf.read(5)
        pdf.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("Tệp tải lên không phải là tệp PDF."))
        return pdf

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("code") or "").strip() and not data.get("pdf"):
            raise forms.ValidationError(_("Hãy nhập mã xác thực hoặc tải lên tệp PDF."))
        return data
