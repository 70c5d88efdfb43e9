"""The request of an official document: its issue date, number and signer. Parsing only;
the rules (a free number, a plausible date, a signer the year has) are the service's."""

import re
import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentJob
from .services import NUMBER_MAX

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).casefold()


class DocumentRequestForm(forms.Form):
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y",
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
        ),
        help_text=_("Ngày/tháng/năm. Để trống: ngày mặc định."),
        error_messages={
            "invalid": _(
                "Ngày không hợp lệ: nhập theo thứ tự ngày/tháng/năm (dd/mm/yyyy), ví dụ 11/12/2019."
            )
        },
    )
    number = forms.CharField(
        label=_("Số văn bản"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Để trống: hệ thống cấp số tiếp theo."),
    )
    signer = forms.ChoiceField(label=_("Người ký"), required=False)
    # The object a document is about (a ballot, a version of the minutes), for a kind with
    # a `subject`; its kind's clean_params checks it.
    subject = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        number_code: str,
        signers: list,
        signed: bool = True,
        copies_max: int = 0,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.number_code = number_code
        if copies_max:
            self.fields["copies"] = forms.IntegerField(
                label=_("Số phiếu cần in"),
                required=False,
                min_value=1,
                max_value=copies_max,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                help_text=_("Để trống: mỗi đơn vị thành viên một phiếu."),
                error_messages={
                    "invalid": _("Số phiếu là một số nguyên, ví dụ 12."),
                    "min_value": _("Số phiếu ít nhất là %(limit_value)s."),
                    "max_value": _("Số phiếu nhiều nhất là %(limit_value)s."),
                },
            )
        self.fields["number"].widget.attrs["placeholder"] = _("tự cấp") + f" /{number_code}"
        if not signed:
            del self.fields["signer"]
            return
        choices = []
        for m in signers:
            who = m.leader_name or _("chưa ghi nhận thủ trưởng")
            choices.append(
                (m.role, f"{DocumentJob.SignerRole(m.role).label}: {m.unit.name} – {who}")
            )
        choices.append(("", _("Để trống họ tên (ký tay)")))
        self.fields["signer"].choices = choices
        self.fields["signer"].initial = choices[0][0]

    def clean_number(self) -> int | None:
        """ "12", "012" or "12/BC-KTĐ" (the bloc's own code only)."""
        value = self.cleaned_data["number"].strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{1,6})\s*(?:/\s*(.+))?", value)
        if match is None:
            raise forms.ValidationError(
                _(
                    "Số văn bản là một số nguyên dương (ví dụ 12), hoặc để trống để hệ thống "
                    "cấp số tiếp theo."
                )
            )
        code = match.group(2)
        if code is not None and _nfc(code.strip()) != _nfc(self.number_code):
            raise forms.ValidationError(
                _("Ký hiệu của văn bản này là /%(code)s.") % {"code": self.number_code}
            )
        number = int(match.group(1))
        if not 1 <= number <= NUMBER_MAX:
            raise forms.ValidationError(
                _("Số văn bản là số nguyên từ 1 đến %(max)d.") % {"max": NUMBER_MAX}
            )
        return number

    def clean_subject(self) -> str:
        # Any text: the kind's clean_params names what is wrong with it (above the form,
        # since the field is hidden).
        return self.cleaned_data["subject"].strip()[:40]

    def clean_signer(self) -> str | None:
        # Not posted at all (a plain button): the default signer, the head unit's leader.
        if self.prefix is None and "signer" not in self.data:
            return None
        return self.cleaned_data["signer"]
