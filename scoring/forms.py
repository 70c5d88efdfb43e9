from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import uploads


class TableImportForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp bảng chấm điểm (.xlsx)"),
        help_text=_("Dùng đúng mẫu của tệp xuất từ phần mềm: mỗi dòng một nhóm hoặc tiêu chí."),
    )
    shared = forms.BooleanField(
        label=_("Dùng chung cho các khối của tỉnh trong năm này"), required=False
    )
    replace = forms.BooleanField(
        label=_("Thay bảng hiện có (chỉ khi bảng đó chưa có điểm)"), required=False
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx."))
        limit = settings.SCORING_IMPORT_MAX_BYTES
        if f.size > limit:
            raise forms.ValidationError(uploads.limit_message(uploads.Limit(limit, upload=True)))
        return f


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
        max_length=2000,
        error_messages={
            "required": _("Cần nêu lý do."),
            "min_length": _("Lý do cần ít nhất %(limit_value)d ký tự."),
        },
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Tệp minh chứng"), required=False)
