"""Forms of the meeting and minutes pages. They parse input only; the services in
meetings/services/ decide. Choices of units and accounts are built once per page from lists
the view loads (one query each), so a page costs the same number of queries whatever the
number of member units; anything outside those lists is refused with a Vietnamese message
next to the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Attendance, Meeting, MeetingPerson

NOT_A_MEMBER = _("Đơn vị này không phải thành viên của khối trong năm thi đua này.")
NOT_A_UNIT = _("Hãy chọn một đơn vị trong danh sách.")
NOT_AN_ACCOUNT = _("Tài khoản này không thuộc danh sách được chọn.")
BAD_DATE = _("Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 11/12/2019.")
BAD_TIME = _("Giờ không hợp lệ; hãy nhập theo dạng giờ:phút, ví dụ 08:00.")
BAD_DATETIME = _(
    "Thời điểm không hợp lệ; hãy nhập theo dạng ngày/tháng/năm giờ:phút, ví dụ 20/12/2019 17:00."
)


TOO_LONG = {"max_length": _("Quá dài (tối đa %(limit_value)d ký tự).")}


def _id_choices(pairs, empty_label) -> list[tuple[str, str]]:
    return [("", empty_label), *((str(pk), label) for pk, label in pairs)]


class IdChoiceField(forms.TypedChoiceField):
    """A select over ids the view loaded; an id not among them (another province's unit,
    a forged number, 99999999999999999999) is "not a choice", never a database lookup."""

    def __init__(self, *, invalid_message, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)
        self.error_messages["invalid_choice"] = invalid_message


class BootstrapRow:
    """Bootstrap classes on the widgets of forms the pages draw cell by cell (rows of a
    table), with is-invalid and aria-invalid on the fields in error."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{css} {css}-sm"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"


# --- the meeting ------------------------------------------------------------------------------


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại hội nghị"),
        choices=Meeting.Kind.choices,
        error_messages={
            "required": _("Hãy chọn loại hội nghị."),
            "invalid_choice": _("Loại hội nghị không hợp lệ."),
        },
    )
    held_on = forms.DateField(
        label=_("Ngày họp"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"}),
        error_messages={"required": _("Hãy nhập ngày họp."), "invalid": BAD_DATE},
    )
    starts_at = forms.TimeField(
        label=_("Giờ bắt đầu"),
        required=False,
        widget=forms.TimeInput(
            format="%H:%M", attrs={"placeholder": "hh:mm", "autocomplete": "off"}
        ),
        error_messages={"invalid": BAD_TIME},
    )
    place = forms.CharField(
        label=_("Địa điểm"), required=False, max_length=255, error_messages=TOO_LONG
    )
    host_unit = IdChoiceField(label=_("Đơn vị đăng cai"), invalid_message=NOT_A_MEMBER)
    summary = forms.CharField(
        label=_("Tóm tắt"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=TOO_LONG,
    )

    def __init__(self, *args, members=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host_unit"].choices = _id_choices(
            ((u.pk, u.name) for u in members), _("— chưa chọn —")
        )


# --- people ---------------------------------------------------------------------------------


class PersonForm(BootstrapRow, forms.Form):
    name = forms.CharField(
        label=_("Họ và tên"), required=False, max_length=100, error_messages=TOO_LONG
    )
    title = forms.CharField(
        label=_("Chức vụ"), required=False, max_length=200, error_messages=TOO_LONG
    )
    unit = IdChoiceField(label=_("Đơn vị"), invalid_message=NOT_A_UNIT)
    user = IdChoiceField(label=_("Tài khoản"), invalid_message=NOT_AN_ACCOUNT)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, max_length=255, error_messages=TOO_LONG
    )

    def __init__(self, *args, unit_choices=(), user_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices
        self.fields["user"].choices = user_choices

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(
            (data.get(k) or "") if isinstance(data.get(k), str) else data.get(k)
            for k in ("name", "title", "unit", "user", "note")
        )

    def clean(self):
        data = super().clean()
        if not self.errors and not self.is_blank() and not (data.get("name") or "").strip():
            self.add_error("name", _("Hãy ghi họ và tên."))
        return data


class _PersonRows(forms.BaseFormSet):
    def __init__(self, *args, unit_choices=(), user_choices=(), **kwargs) -> None:
        self._choices = {"unit_choices": unit_choices, "user_choices": user_choices}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), **self._choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            **self._choices,
        )
        self.add_fields(form, None)
        return form

    def filled_forms(self) -> list:
        return [form for form in self.forms if not form.is_blank()]

    def people(self) -> list[dict]:
        """The filled rows, in order, as the service takes them (units and users as ids)."""
        rows = []
        for form in self.filled_forms():
            data = form.cleaned_data
            rows.append(
                {
                    "name": data["name"].strip(),
                    "title": data.get("title") or "",
                    "unit": data.get("unit"),
                    "user": data.get("user"),
                    "note": data.get("note") or "",
                }
            )
        return rows


PersonFormSet = forms.formset_factory(
    PersonForm, formset=_PersonRows, extra=2, max_num=30, validate_max=True, absolute_max=60
)

# The four parts of the "people" page, in the order of a meeting's invitation.
PEOPLE_ROLES = [
    MeetingPerson.Role.CHAIR,
    MeetingPerson.Role.SECRETARY,
    MeetingPerson.Role.GUEST,
    MeetingPerson.Role.COUNTING,
]


# --- agenda ---------------------------------------------------------------------------------


class AgendaItemForm(BootstrapRow, forms.Form):
    title = forms.CharField(
        label=AgendaItem._meta.get_field("title").verbose_name.capitalize(),
        required=False,
        max_length=300,
        error_messages=TOO_LONG,
    )
    presenter = forms.CharField(
        label=_("Người trình bày"),
        required=False,
        max_length=200,
        error_messages=TOO_LONG,
    )

    def clean(self):
        data = super().clean()
        if (
            not self.errors
            and (data.get("presenter") or "").strip()
            and not (data.get("title") or "").strip()
        ):
            self.add_error("title", _("Hãy ghi nội dung cho người trình bày này."))
        return data


class _AgendaRows(forms.BaseFormSet):
    def kept_forms(self) -> list:
        """The rows kept (not deleted, not blank), in the order the user gave."""
        kept = [
            f
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("title") or "").strip()
        ]
        kept.sort(
            key=lambda f: (
                f.cleaned_data.get("ORDER") is None,
                f.cleaned_data.get("ORDER") or 0,
                self.forms.index(f),
            )
        )
        return kept

    def items(self) -> list[dict]:
        return [
            {
                "title": f.cleaned_data["title"].strip(),
                "presenter": (f.cleaned_data.get("presenter") or "").strip(),
            }
            for f in self.kept_forms()
        ]


AgendaFormSet = forms.formset_factory(
    AgendaItemForm,
    formset=_AgendaRows,
    extra=3,
    can_order=True,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=60,
)


# --- attendance -----------------------------------------------------------------------------


class AttendanceRowForm(BootstrapRow, forms.Form):
    """One member unit's row. A row left without a status is not recorded yet."""

    status = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=Attendance.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Tình trạng không hợp lệ.")},
    )
    representative_name = forms.CharField(
        label=_("Người dự"),
        required=False,
        max_length=100,
        error_messages=TOO_LONG,
    )
    representative_title = forms.CharField(
        label=_("Chức vụ"),
        required=False,
        max_length=200,
        error_messages=TOO_LONG,
    )
    representative_user = IdChoiceField(
        label=_("Tài khoản bỏ phiếu thay đơn vị"),
        invalid_message=_("Chỉ chọn tài khoản lãnh đạo, cán bộ của chính đơn vị này."),
    )

    def __init__(self, *args, user_choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["representative_user"].choices = _id_choices(
            user_choices, _("— lãnh đạo đơn vị —")
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        status = data.get("status")
        filled = (data.get("representative_name") or "").strip() or data.get("representative_user")
        if not status and filled:
            self.add_error("status", _("Hãy chọn tình trạng dự họp của đơn vị."))
        elif data.get("representative_user") and status != Attendance.Status.PRESENT:
            self.add_error(
                "representative_user",
                _("Chỉ đơn vị có mặt mới có người bỏ phiếu thay."),
            )
        return data


# --- minutes --------------------------------------------------------------------------------


class SectionForm(BootstrapRow, forms.Form):
    text = forms.CharField(
        label=_("Diễn biến"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=TOO_LONG,
    )


class MinutesTextForm(BootstrapRow, forms.Form):
    opening = forms.CharField(
        label=_("Phần mở đầu"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=TOO_LONG,
    )
    closing = forms.CharField(
        label=_("Phần kết thúc"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=TOO_LONG,
    )


class AmendmentsOpenForm(BootstrapRow, forms.Form):
    until = forms.DateTimeField(
        label=_("Hạn góp ý"),
        widget=forms.DateTimeInput(
            format="%d/%m/%Y %H:%M",
            attrs={"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off"},
        ),
        error_messages={"required": _("Hãy nhập hạn góp ý."), "invalid": BAD_DATETIME},
    )


class AmendmentProposeForm(BootstrapRow, forms.Form):
    unit = IdChoiceField(
        label=_("Góp ý thay mặt đơn vị"),
        required=True,
        invalid_message=_("Chỉ đơn vị có mặt tại hội nghị mà bạn thuộc về mới được góp ý."),
        error_messages={"required": _("Hãy chọn đơn vị.")},
    )
    section = IdChoiceField(
        label=_("Mục biên bản"), invalid_message=_("Mục này không thuộc biên bản.")
    )
    text = forms.CharField(
        label=_("Nội dung góp ý"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Hãy ghi nội dung góp ý."),
            "max_length": _("Quá dài (tối đa %(limit_value)d ký tự)."),
        },
    )

    def __init__(self, *args, units=(), sections=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]
        if len(units) == 1:
            self.fields["unit"].initial = str(units[0].pk)
        self.fields["section"].choices = _id_choices(
            ((s.pk, f"{s.order}. {s.title}") for s in sections), _("— cả biên bản —")
        )


class AmendmentResolveForm(BootstrapRow, forms.Form):
    decision = forms.ChoiceField(
        label=_("Xử lý"),
        choices=[("accept", _("Tiếp thu")), ("decline", _("Không tiếp thu"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Hãy chọn tiếp thu hoặc không tiếp thu."),
            "invalid_choice": _("Hãy chọn tiếp thu hoặc không tiếp thu."),
        },
    )
    note = forms.CharField(
        label=_("Ghi chú xử lý"),
        required=False,
        max_length=500,
        error_messages=TOO_LONG,
        widget=forms.TextInput(attrs={"placeholder": _("Ghi chú (bắt buộc khi không tiếp thu)")}),
    )


# --- the choices, loaded once per page --------------------------------------------------------


def unit_account_choices(*, unit_ids) -> dict[int, list[tuple[int, str]]]:
    """{unit id: [(user id, label)]}: each unit's leaders and staff, who may be named to
    cast the unit's ballot, in one query; people in the Vietnamese order of names."""
    from blocs.models import RoleAssignment
    from core.names import person_full_name, person_sort_key

    rows = (
        RoleAssignment.objects.filter(
            unit_id__in=list(unit_ids),
            role__in=[RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF],
            user__is_active=True,
        )
        .select_related("user")
        .order_by()
    )
    found: dict[int, dict[int, tuple]] = {}
    for ra in rows:
        role = ra.get_role_display()
        label = f"{person_full_name(ra.user) or ra.user.username} ({role})"
        found.setdefault(ra.unit_id, {})[ra.user_id] = (person_sort_key(ra.user), label)
    return {
        unit_id: [(pk, label) for pk, (_key, label) in sorted(users.items(), key=lambda x: x[1])]
        for unit_id, users in found.items()
    }


def people_choices(*, bloc_year) -> dict:
    """The unit and account choices of the people page, with the objects by id: the units
    of the province (a guest's unit need not be a member: the board, the provincial
    People's Committee) and the
    accounts that may chair or take the minutes (leaders and staff of the members, the
    bloc-year's secretariat, the board of the province). Two queries."""
    from django.db.models import Q

    from blocs.models import RoleAssignment, Unit
    from core.names import person_full_name, person_sort_key

    units = Unit.objects.filter(province_id=bloc_year.bloc.province_id).order_by("name")
    unit_choices = _id_choices(((u.pk, u.name) for u in units), _("— không ghi —"))
    R = RoleAssignment.Role
    assignments = (
        RoleAssignment.objects.filter(
            Q(role__in=[R.LEADER, R.STAFF], unit__memberships__bloc_year=bloc_year)
            | Q(role=R.SECRETARIAT, bloc_year=bloc_year)
            | Q(role=R.BOARD, province_id=bloc_year.bloc.province_id),
            user__is_active=True,
        )
        .select_related("user")
        .order_by()
    )
    users = {ra.user_id: ra.user for ra in assignments}
    ordered = sorted(users.values(), key=person_sort_key)
    user_choices = _id_choices(
        ((u.pk, f"{person_full_name(u) or u.username} ({u.username})") for u in ordered),
        _("— không có tài khoản —"),
    )
    return {
        "unit_choices": unit_choices,
        "user_choices": user_choices,
        "units": {u.pk: u for u in units},
        "users": users,
    }
