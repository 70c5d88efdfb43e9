from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NARRATIVE_MAX
from .services import PRESENTER_MAX

_LIMIT = _("Tối đa %(limit_value)d ký tự (hiện có %(show_value)d).")


def _narrative(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        max_length=NARRATIVE_MAX,
        help_text=help_text,
        error_messages={"max_length": _LIMIT},
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": NARRATIVE_MAX}),
    )


class NarrativeForm(forms.Form):
    presenter = forms.CharField(
        label=_("Người (đơn vị) trình bày tại hội nghị"),
        required=False,
        max_length=PRESENTER_MAX,
        error_messages={"max_length": _LIMIT},
    )
    results_text = _narrative(
        _("Kết quả thực hiện theo từng lĩnh vực"),
        _(
            "Mỗi đoạn một dòng. Số liệu của khối (thành viên, giao ước, xếp loại, bỏ phiếu, "
            "khen thưởng) được tự động đưa vào báo cáo."
        ),
    )
    shortcomings_text = _narrative(_("Tồn tại, hạn chế và nguyên nhân"), "")
    tasks_text = _narrative(_("Phương hướng, nhiệm vụ"), "")


class AttachForm(forms.Form):
    meeting = forms.TypedChoiceField(
        label=_("Hội nghị"),
        coerce=int,
        error_messages={
            "required": _("Hãy chọn hội nghị."),
            "invalid_choice": _("Hội nghị không thuộc năm thi đua này."),
        },
    )

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].choices = [
            (m.pk, f"{m.get_kind_display()} {m.held_on:%d/%m/%Y}") for m in meetings
        ]


class SignForm(forms.Form):
    content_hash = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("Tôi đã đọc toàn văn báo cáo trên và ký thay mặt khối."),
        error_messages={"required": _("Hãy xác nhận đã đọc và đồng ý ký báo cáo.")},
    )
    password = forms.CharField(
        label=_("Nhập lại mật khẩu của bạn để ký"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Hãy nhập mật khẩu để xác nhận chữ ký.")},
    )
