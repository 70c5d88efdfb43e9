from django import forms
from django.utils.translation import gettext_lazy as _

from .models_jobs import ProvinceBatch


class BatchStartForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm thi đua"), coerce=int, choices=())
    kind = forms.ChoiceField(
        label=_("Tạo"), choices=ProvinceBatch.Kind.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].error_messages["invalid_choice"] = _(
            "Tỉnh chưa có khối thi đua nào trong năm này."
        )
        self.fields["year"].error_messages["required"] = _("Hãy chọn năm thi đua.")
        self.fields["kind"].error_messages["required"] = _(
            "Hãy chọn báo cáo tổng kết hoặc hồ sơ cuối năm."
        )
        self.fields["kind"].error_messages["invalid_choice"] = _(
            "Hãy chọn báo cáo tổng kết hoặc hồ sơ cuối năm."
        )
