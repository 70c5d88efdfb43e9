"""Forms of the year's set-up and of the registry. They parse input only; the services in
blocs/setup.py and blocs/cycle.py decide. Every choice of a unit is limited to the
province, with a Vietnamese message for anything else."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from core.names import person_full_name, person_sort_key

from .models import RoleAssignment, Unit

NOT_IN_PROVINCE = _("Đơn vị không thuộc tỉnh này hoặc đã ngừng hoạt động.")


class _UnitChoices:
    """A unit's label names its province (Unit.__str__): every province has a "Sở Công
    Thương", and an administrator works across provinces. The province comes in the same
    query."""

    def _set_queryset(self, queryset) -> None:
        if queryset is not None:
            queryset = queryset.select_related("province")
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, obj: Unit) -> str:
        return str(obj)


class UnitChoiceField(_UnitChoices, forms.ModelChoiceField):
    pass


class UnitMultipleChoiceField(_UnitChoices, forms.ModelMultipleChoiceField):
    def clean(self, value):
        # An id the database cannot hold (99999999999999999999999) is "not a choice",
        # not an OverflowError from the driver.
        for pk in value or []:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text[:40]},
                )
        return super().clean(value)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Cần nêu lý do."),
            "max_length": _("Lý do quá dài (tối đa %(limit_value)d ký tự)."),
        },
    )


class NewYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Năm thi đua"),
        min_value=1945,
        max_value=2200,
        error_messages={
            "required": _("Hãy ghi năm thi đua."),
            "invalid": _("Năm phải là một số, ví dụ 2021."),
            "min_value": _("Năm không hợp lệ."),
            "max_value": _("Năm không hợp lệ."),
        },
    )
    members = UnitMultipleChoiceField(
        label=_("Đơn vị thành viên"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Khối phải có ít nhất một đơn vị thành viên."),
            "invalid_choice": NOT_IN_PROVINCE,
            "invalid_pk_value": NOT_IN_PROVINCE,
        },
    )

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = units if units is not None else Unit.objects.none()


class MemberAddForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Thêm đơn vị thành viên"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Hãy chọn đơn vị."), "invalid_choice": NOT_IN_PROVINCE},
    )

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()


class LeadershipForm(forms.Form):
    head = UnitChoiceField(
        label=_("Trưởng khối"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("Đơn vị Trưởng khối phải là thành viên của khối trong năm.")
        },
    )
    deputy = UnitChoiceField(
        label=_("Phó khối"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={
            "invalid_choice": _("Đơn vị Phó khối phải là thành viên của khối trong năm.")
        },
    )

    def __init__(self, *args, members=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("head", "deputy"):
            self.fields[name].queryset = members if members is not None else Unit.objects.none()


class _PeopleByGivenName(ModelChoiceIterator):
    """People listed as Vietnamese lists do: by given name (core.names)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=person_sort_key):
            yield self.choice(obj)


class PersonChoiceField(forms.ModelChoiceField):
    iterator = _PeopleByGivenName

    def label_from_instance(self, obj) -> str:
        full = person_full_name(obj)
        return f"{full} ({obj.username})" if full else obj.username


class SecretariatForm(forms.Form):
    user = PersonChoiceField(
        label=_("Người của đơn vị Trưởng khối"),
        queryset=get_user_model().objects.none(),
        error_messages={
            "required": _("Hãy chọn người."),
            "invalid_choice": _(
                "Chỉ giao vai trò thư ký cho lãnh đạo, cán bộ của đơn vị Trưởng khối."
            ),
        },
    )

    def __init__(self, *args, people=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            people if people is not None else get_user_model().objects.none()
        )


class UnitCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Tên đơn vị"), max_length=255, error_messages={"required": _("Hãy ghi tên.")}
    )
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=60, required=False)


class BlocCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Tên khối"), max_length=255, error_messages={"required": _("Hãy ghi tên.")}
    )
    number = forms.IntegerField(
        label=_("Số hiệu"),
        required=False,
        min_value=1,
        max_value=999,
        error_messages={
            "invalid": _("Số hiệu phải là một số."),
            "min_value": _("Số hiệu khối phải lớn hơn 0."),
            "max_value": _("Số hiệu quá lớn."),
        },
    )


class SuccessionForm(forms.Form):
    units = UnitMultipleChoiceField(
        label=_("Đơn vị đổi tên hoặc hợp nhất"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Hãy chọn ít nhất một đơn vị."),
            "invalid_choice": NOT_IN_PROVINCE,
            "invalid_pk_value": NOT_IN_PROVINCE,
        },
    )
    successor = UnitChoiceField(
        label=_("Đơn vị kế thừa (có sẵn)"),
        queryset=Unit.objects.none(),
        required=False,
        error_messages={"invalid_choice": NOT_IN_PROVINCE},
    )
    new_name = forms.CharField(label=_("hoặc tên đơn vị mới"), max_length=255, required=False)
    on = forms.DateField(
        label=_("Ngày kế thừa"),
        # dd/mm/yyyy as typed (config/formats), not the browser's locale order of type="date".
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={
            "required": _("Hãy ghi ngày kế thừa."),
            "invalid": _("Ngày không hợp lệ."),
        },
    )

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("units", "successor"):
            self.fields[name].queryset = units if units is not None else Unit.objects.none()


class InviteForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"), max_length=150, error_messages={"required": _("Hãy ghi họ và tên.")}
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=150,
        error_messages={
            "required": _("Hãy ghi địa chỉ thư điện tử."),
            "invalid": _("Địa chỉ thư điện tử không hợp lệ."),
        },
    )
    unit = UnitChoiceField(
        label=_("Đơn vị"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Hãy chọn đơn vị."), "invalid_choice": NOT_IN_PROVINCE},
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=[
            (RoleAssignment.Role.LEADER, RoleAssignment.Role.LEADER.label),
            (RoleAssignment.Role.STAFF, RoleAssignment.Role.STAFF.label),
        ],
        error_messages={
            "required": _("Hãy chọn vai trò."),
            "invalid_choice": _("Chỉ mời lãnh đạo hoặc cán bộ đơn vị."),
        },
    )

    def __init__(self, *args, units=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
