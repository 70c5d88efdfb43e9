"""Forms of the ballot pages. They parse input only; meetings.services.ballots decides.

Field names match the keys of the services' ValidationError dicts, so that
core.forms.form_errors_apply puts each message next to its field: the paper counts are
`issued`, `returned`, `valid`, `invalid` and `candidate_<id>_yes|no|blank`; a vote's choice
for a candidate is `candidate_<id>`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Ballot, BallotCandidate

REQUIRED = _("Thông tin này là bắt buộc.")
WHOLE_NUMBER = _("Hãy nhập một số nguyên không âm, ví dụ 0 hoặc 12.")
NOT_A_MEMBER = _("Đơn vị này không phải thành viên của khối.")
CHOICES = (("yes", _("Đồng ý")), ("no", _("Không đồng ý")))


class IdMultipleChoiceField(forms.TypedMultipleChoiceField):
    """Checkboxes over ids the view loaded; an id not among them (another bloc's unit, a
    forged or overlong number) is "not a choice", never a database lookup."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class IdChoiceField(forms.TypedChoiceField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("empty_value", None)
        super().__init__(**kwargs)


def _count_field(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=9999,
        required=True,
        error_messages={
            "required": REQUIRED,
            "invalid": WHOLE_NUMBER,
            "min_value": _("Số phiếu không được là số âm."),
            "max_value": _("Số quá lớn."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class BallotSettingsForm(forms.Form):
    """What the secretariat sets on a new ballot (and may change while it is created)."""

    kind = forms.ChoiceField(
        label=_("Loại phiếu"),
        choices=Ballot.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Hãy chọn loại phiếu."), "invalid_choice": REQUIRED},
    )
    award_type = IdChoiceField(
        label=_("Danh hiệu, hình thức khen thưởng"),
        required=False,
        error_messages={"invalid_choice": _("Danh hiệu này không thuộc tỉnh của khối.")},
    )
    title = forms.CharField(
        label=_("Tên cuộc bỏ phiếu"),
        max_length=300,
        required=False,
        help_text=_("Để trống: đặt theo loại phiếu và danh hiệu."),
        error_messages={"max_length": _("Tên dài tối đa 300 ký tự.")},
    )
    method = forms.ChoiceField(
        label=_("Hình thức bỏ phiếu"),
        choices=Ballot.Method.choices,
        widget=forms.RadioSelect,
        initial=Ballot.Method.ONLINE,
        error_messages={"required": _("Hãy chọn hình thức bỏ phiếu."), "invalid_choice": REQUIRED},
    )
    candidates = IdMultipleChoiceField(
        label=_("Đơn vị được đưa ra bình xét"),
        error_messages={"invalid_choice": NOT_A_MEMBER},
    )
    head_candidates = IdMultipleChoiceField(
        label=_("Ứng cử Trưởng khối"),
        error_messages={"invalid_choice": NOT_A_MEMBER},
    )
    deputy_candidates = IdMultipleChoiceField(
        label=_("Ứng cử Phó khối"),
        error_messages={"invalid_choice": NOT_A_MEMBER},
    )
    max_winners = forms.IntegerField(
        label=_("Số đơn vị tối đa được chọn"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("Bình xét: số đơn vị được đề nghị tối đa; để trống là 1 đơn vị."),
        error_messages={
            "invalid": WHOLE_NUMBER,
            "min_value": _("Phải chọn ít nhất 1 đơn vị."),
            "max_value": _("Số quá lớn."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )

    def __init__(self, *args, members, award_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {u.pk: u for u in members}
        self.award_types = {a.pk: a for a in award_types}
        unit_choices = [(u.pk, u.name) for u in members]
        for name in ("candidates", "head_candidates", "deputy_candidates"):
            self.fields[name].choices = unit_choices
        self.fields["award_type"].choices = [
            ("", _("— Chọn danh hiệu —")),
            *((a.pk, a.name) for a in award_types),
        ]

    def award_type_obj(self):
        return self.award_types.get(self.cleaned_data.get("award_type"))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Ballot.Kind.NOMINATION:
            if not data.get("award_type") and "award_type" not in self.errors:
                self.add_error("award_type", _("Hãy chọn danh hiệu được bình xét."))
            if not data.get("candidates") and "candidates" not in self.errors:
                self.add_error("candidates", _("Hãy chọn ít nhất một đơn vị được bình xét."))
        elif kind == Ballot.Kind.ELECTION:
            if not data.get("head_candidates") and "head_candidates" not in self.errors:
                self.add_error(
                    "head_candidates", _("Hãy chọn ít nhất một đơn vị ứng cử Trưởng khối.")
                )
            if not data.get("deputy_candidates") and "deputy_candidates" not in self.errors:
                self.add_error(
                    "deputy_candidates", _("Hãy chọn ít nhất một đơn vị ứng cử Phó khối.")
                )
        return data

    def candidate_pairs(self) -> list[tuple]:
        """(unit, position) for ballot_create / ballot_update, in the members' order."""
        data = self.cleaned_data
        if data.get("kind") == Ballot.Kind.ELECTION:
            return [
                (self.members[pk], BallotCandidate.Position.HEAD) for pk in data["head_candidates"]
            ] + [
                (self.members[pk], BallotCandidate.Position.DEPUTY)
                for pk in data["deputy_candidates"]
            ]
        return [(self.members[pk], BallotCandidate.Position.NONE) for pk in data["candidates"]]


class BallotRulesForm(forms.Form):
    """The pass rules copied from the rule set; editable while the ballot is created."""

    threshold_numerator = forms.IntegerField(
        label=_("Tỷ lệ: tử số"),
        min_value=0,
        max_value=99,
        error_messages={"required": REQUIRED, "invalid": WHOLE_NUMBER},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    threshold_denominator = forms.IntegerField(
        label=_("Tỷ lệ: mẫu số"),
        min_value=1,
        max_value=99,
        error_messages={
            "required": REQUIRED,
            "invalid": WHOLE_NUMBER,
            "min_value": _("Mẫu số phải từ 1 trở lên."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    threshold_strict = forms.TypedChoiceField(
        label=_("Cách so với tỷ lệ"),
        choices=(
            ("1", _("Phải trên tỷ lệ (ví dụ trên 1/2)")),
            ("0", _("Từ tỷ lệ trở lên (ví dụ từ 2/3)")),
        ),
        coerce=lambda v: v == "1",
        error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
    )
    base = forms.ChoiceField(
        label=_("Tỷ lệ tính trên"),
        choices=Ballot.Base.choices,
        error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
    )
    self_vote_allowed = forms.BooleanField(
        label=_("Đơn vị được bỏ phiếu cho chính mình"), required=False
    )
    tie_rule = forms.ChoiceField(
        label=_("Khi bằng phiếu"),
        choices=Ballot.TieRule.choices,
        error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
    )
    publication = forms.ChoiceField(
        label=_("Công bố sau kiểm phiếu"),
        choices=Ballot.Publication.choices,
        error_messages={"required": REQUIRED, "invalid_choice": REQUIRED},
    )

    def clean(self):
        data = super().clean()
        num, den = data.get("threshold_numerator"), data.get("threshold_denominator")
        if num is not None and den is not None and num > den:
            self.add_error("threshold_numerator", _("Tử số không được lớn hơn mẫu số."))
        return data


class ResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy kết quả và làm lại"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Hãy ghi lý do làm lại cuộc bỏ phiếu."),
            "max_length": _("Lý do dài tối đa 1000 ký tự."),
        },
    )

    def clean_reason(self):
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError(_("Hãy ghi lý do làm lại cuộc bỏ phiếu."))
        return reason


class PaperIssueForm(forms.Form):
    unit = IdChoiceField(
        label=_("Phát phiếu giấy cho đơn vị"),
        error_messages={
            "required": _("Hãy chọn đơn vị nhận phiếu giấy."),
            "invalid_choice": _("Đơn vị này không có quyền bỏ phiếu hoặc đã bỏ phiếu."),
        },
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in units}
        self.fields["unit"].choices = [
            ("", _("— Chọn đơn vị —")),
            *((u.pk, u.name) for u in units),
        ]

    def unit_obj(self):
        return self.units[self.cleaned_data["unit"]]


class PaperCountsForm(forms.Form):
    """The counting committee's figures for the paper ballots: the totals, then per
    candidate yes / no / blank."""

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued"] = _count_field(_("Số phiếu phát ra"))
        self.fields["returned"] = _count_field(_("Số phiếu thu về"))
        self.fields["valid"] = _count_field(_("Số phiếu hợp lệ"))
        self.fields["invalid"] = _count_field(_("Số phiếu không hợp lệ"))
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"candidate_{c.pk}_yes"] = _count_field(_("Đồng ý"))
            self.fields[f"candidate_{c.pk}_no"] = _count_field(_("Không đồng ý"))
            self.fields[f"candidate_{c.pk}_blank"] = _count_field(_("Để trống"))

    def candidate_rows(self):
        return [
            {
                "candidate": c,
                "yes": self[f"candidate_{c.pk}_yes"],
                "no": self[f"candidate_{c.pk}_no"],
                "blank": self[f"candidate_{c.pk}_blank"],
            }
            for c in self.candidates
        ]

    def per_candidate(self) -> dict[int, tuple[int, int, int]]:
        d = self.cleaned_data
        return {
            c.pk: (
                d[f"candidate_{c.pk}_yes"],
                d[f"candidate_{c.pk}_no"],
                d[f"candidate_{c.pk}_blank"],
            )
            for c in self.candidates
        }


class VoteForm(forms.Form):
    """One ballot paper: for each candidate Đồng ý / Không đồng ý (both required), and the
    unit voted for when the user may vote for several."""

    def __init__(self, *args, candidates, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.fields["unit"] = forms.TypedChoiceField(
            label=_("Bỏ phiếu cho đơn vị"),
            choices=[(u.pk, u.name) for u in self.units],
            coerce=int,
            widget=forms.RadioSelect if len(self.units) > 1 else forms.HiddenInput,
            error_messages={
                "required": _("Hãy chọn đơn vị mà bạn bỏ phiếu thay."),
                "invalid_choice": _("Bạn không được bỏ phiếu thay đơn vị này."),
            },
        )
        if len(self.units) == 1 and not self.is_bound:
            self.initial["unit"] = self.units[0].pk
        self.candidates = list(candidates)
        for c in self.candidates:
            self.fields[f"candidate_{c.pk}"] = forms.ChoiceField(
                label=c.unit.name,
                choices=CHOICES,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Hãy chọn Đồng ý hoặc Không đồng ý cho đơn vị này."),
                    "invalid_choice": _("Hãy chọn Đồng ý hoặc Không đồng ý cho đơn vị này."),
                },
            )

    def unit_value(self):
        """The unit the form says (the forged id included), or None when unreadable."""
        raw = self.data.get("unit") if self.is_bound else None
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def candidate_rows(self):
        return [{"candidate": c, "field": self[f"candidate_{c.pk}"]} for c in self.candidates]

    def choices(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"candidate_{c.pk}"] for c in self.candidates}
