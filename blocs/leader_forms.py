"""The form of one member unit's head (thủ trưởng) for a bloc-year; the rules are the
service's (blocs.services.leader_errors), so the page and the service never disagree."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import LEADER_NAME_MAX, LEADER_TITLE_MAX, leader_errors


class LeaderForm(forms.Form):
    leader_name = forms.CharField(
        label=_("Họ và tên thủ trưởng"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": LEADER_NAME_MAX, "autocomplete": "off"}),
    )
    leader_title = forms.CharField(
        label=_("Chức vụ (như ghi ở khối chữ ký)"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "maxlength": LEADER_TITLE_MAX,
                "autocomplete": "off",
                "placeholder": _("Ví dụ: Giám đốc Sở Giao thông Vận tải"),
            }
        ),
    )

    def clean(self):
        data = super().clean()
        errors = leader_errors(name=data.get("leader_name", ""), title=data.get("leader_title", ""))
        for field, messages in errors.items():
            for message in messages:
                self.add_error(field, message)
        return data
