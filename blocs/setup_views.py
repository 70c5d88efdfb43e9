"""Pages of the year's cycle, its set-up and the registry. Views parse input, call one
selector or service and render; errors of a service go next to their field (400)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import form_errors_apply
from core.permissions import access_rule, can_take_step

from . import cycle, cycle_selectors, selectors, services, setup, setup_selectors
from .forms import (
    BlocCreateForm,
    InviteForm,
    LeadershipForm,
    MemberAddForm,
    NewYearForm,
    ReasonForm,
    SecretariatForm,
    SuccessionForm,
    UnitCreateForm,
)
from .models import Unit


def _render(request, template, context, form=None):
    status = 400 if request.method == "POST" and form is not None and form.errors else 200
    return render(request, template, context, status=status)


# --- the cycle --------------------------------------------------------------------------------


@access_rule("object")
@require_POST
def bloc_year_advance(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """Take the next step of the year; `close_signing` closes pledge signing early."""
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    transition = cycle.TRANSITIONS.get(bloc_year.status)
    if transition is None or not can_take_step(request.user, bloc_year, transition.who):
        raise PermissionDenied(_("Bạn không có quyền chuyển bước này của năm thi đua."))
    options = {}
    if request.POST.get("close_signing") and bloc_year.status == cycle.S.PLEDGING:
        options["close_signing"] = True
    try:
        cycle.bloc_year_advance(
            bloc_year=bloc_year,
            to=request.POST.get("to", ""),
            actor=request.user,
            **options,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Năm thi đua đã chuyển sang bước “%(step)s”.")
            % {"step": cycle.status_label(bloc_year.status)},
        )
    return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_step_back(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    view = cycle_selectors.bloc_year_cycle(user=request.user, bloc_year=bloc_year)
    if view.back_status is None or not view.may_step_back:
        raise PermissionDenied(_("Bạn không có quyền quay lại bước trước của năm thi đua này."))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle.bloc_year_step_back(
                bloc_year=bloc_year, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Năm thi đua đã quay lại bước “%(step)s”.")
                % {"step": cycle.status_label(bloc_year.status)},
            )
            return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)
    return _render(
        request,
        "blocs/step_back.html",
        {"bloc_year": bloc_year, "cycle": view, "form": form},
        form,
    )


@access_rule("object")
@require_GET
def province_cycle(request: HttpRequest, province_id: int) -> HttpResponse:
    data = cycle_selectors.province_cycles_for_user(user=request.user, province_id=province_id)
    return render(request, "blocs/province_cycle.html", data)


# --- the year's set-up ------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_new(request: HttpRequest, bloc_id: int) -> HttpResponse:
    """Next year's bloc-year from the bloc's latest one."""
    bloc, latest = setup_selectors.bloc_get_for_new_year(user=request.user, bloc_id=bloc_id)
    units = setup_selectors.province_active_units(province=bloc.province)
    defaults = setup_selectors.new_year_defaults(latest=latest)
    form = NewYearForm(
        request.POST or None,
        units=units,
        initial={"year": defaults["year"], "members": [u.pk for u in defaults["members"]]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            bloc_year = setup.bloc_year_create_next(
                bloc=bloc,
                year=form.cleaned_data["year"],
                members=form.cleaned_data["members"],
                source=latest,
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã tạo năm thi đua %(year)s với %(n)s đơn vị thành viên.")
                % {"year": bloc_year.year, "n": len(form.cleaned_data["members"])},
            )
            return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)
    return _render(
        request,
        "blocs/bloc_year_new.html",
        {"bloc": bloc, "latest": latest, "form": form, "replaced": defaults["replaced"]},
        form,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_members(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = setup_selectors.bloc_year_get_for_setup(
        user=request.user, bloc_year_id=bloc_year_id
    )
    units = Unit.objects.filter(province=bloc_year.bloc.province).order_by("name")
    form = MemberAddForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            setup.bloc_year_member_add(
                bloc_year=bloc_year, unit=form.cleaned_data["unit"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request, _("Đã thêm %(unit)s.") % {"unit": form.cleaned_data["unit"].name}
            )
            return redirect("blocs:bloc_year_members", bloc_year_id=bloc_year.pk)
    return _render(
        request,
        "blocs/bloc_year_members.html",
        {
            "bloc_year": bloc_year,
            "form": form,
            "roster": selectors.bloc_year_roster(bloc_year=bloc_year),
        },
        form,
    )


@access_rule("object")
@require_POST
def bloc_year_member_remove(request: HttpRequest, bloc_year_id: int, unit_id: int) -> HttpResponse:
    bloc_year = setup_selectors.bloc_year_get_for_setup(
        user=request.user, bloc_year_id=bloc_year_id
    )
    unit = setup_selectors.bloc_year_member_get(bloc_year=bloc_year, unit_id=unit_id)
    try:
        setup.bloc_year_member_remove(bloc_year=bloc_year, unit=unit, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Đã bỏ %(unit)s khỏi khối.") % {"unit": unit.name})
    return redirect("blocs:bloc_year_members", bloc_year_id=bloc_year.pk)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_leadership(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = setup_selectors.bloc_year_get_for_setup(
        user=request.user, bloc_year_id=bloc_year_id
    )
    members = Unit.objects.filter(memberships__bloc_year=bloc_year).order_by("name")
    form = LeadershipForm(
        request.POST or None,
        members=members,
        initial={"head": bloc_year.head_unit, "deputy": bloc_year.deputy_unit},
    )
    if request.method == "POST" and form.is_valid():
        try:
            setup.bloc_year_leadership_set(
                bloc_year=bloc_year,
                head=form.cleaned_data["head"],
                deputy=form.cleaned_data["deputy"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã ghi nhận Trưởng khối và Phó khối."))
            return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)
    return _render(
        request, "blocs/bloc_year_leadership.html", {"bloc_year": bloc_year, "form": form}, form
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_secretariat(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = setup_selectors.bloc_year_get_for_setup(
        user=request.user, bloc_year_id=bloc_year_id
    )
    form = SecretariatForm(request.POST or None, people=setup.head_unit_people(bloc_year))
    if request.method == "POST" and form.is_valid():
        try:
            setup.secretariat_assign(
                bloc_year=bloc_year, user=form.cleaned_data["user"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã giao vai trò thư ký khối."))
            return redirect("blocs:bloc_year_secretariat", bloc_year_id=bloc_year.pk)
    return _render(
        request,
        "blocs/bloc_year_secretariat.html",
        {
            "bloc_year": bloc_year,
            "form": form,
            "assignments": setup_selectors.bloc_year_secretariat(bloc_year=bloc_year),
        },
        form,
    )


@access_rule("object")
@require_POST
def bloc_year_secretariat_remove(
    request: HttpRequest, bloc_year_id: int, assignment_id: int
) -> HttpResponse:
    bloc_year = setup_selectors.bloc_year_get_for_setup(
        user=request.user, bloc_year_id=bloc_year_id
    )
    assignment = setup_selectors.secretariat_assignment_get(
        bloc_year=bloc_year, assignment_id=assignment_id
    )
    setup.role_revoke(assignment=assignment, actor=request.user)
    messages.success(request, _("Đã thu hồi vai trò thư ký khối."))
    return redirect("blocs:bloc_year_secretariat", bloc_year_id=bloc_year.pk)


# --- the registry -------------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def province_units(request: HttpRequest, province_id: int) -> HttpResponse:
    """Units of the province with their history; a new unit."""
    province = setup_selectors.province_get_for_registry(user=request.user, province_id=province_id)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(province=province, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã thêm đơn vị %(unit)s.") % {"unit": unit.name})
            return redirect("blocs:province_units", province_id=province.pk)
    return _render(
        request,
        "blocs/province_units.html",
        {
            "province": province,
            "form": form,
            "units": setup_selectors.province_units_with_history(province=province),
        },
        form,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def unit_succession(request: HttpRequest, province_id: int) -> HttpResponse:
    """Record a rename or a merge, with its date and the units it joins."""
    province = setup_selectors.province_get_for_registry(user=request.user, province_id=province_id)
    form = SuccessionForm(
        request.POST or None, units=setup_selectors.province_active_units(province=province)
    )
    if request.method == "POST" and form.is_valid():
        try:
            successor = setup.unit_succession_record(
                province=province,
                units=form.cleaned_data["units"],
                successor=form.cleaned_data["successor"],
                new_name=form.cleaned_data["new_name"],
                on=form.cleaned_data["on"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã ghi nhận: %(units)s → %(successor)s.")
                % {
                    "units": "; ".join(u.name for u in form.cleaned_data["units"]),
                    "successor": successor.name,
                },
            )
            return redirect("blocs:province_units", province_id=province.pk)
    return _render(
        request, "blocs/unit_succession.html", {"province": province, "form": form}, form
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_new(request: HttpRequest, province_id: int) -> HttpResponse:
    province = setup_selectors.province_get_for_registry(user=request.user, province_id=province_id)
    form = BlocCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bloc = services.bloc_create(province=province, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã thêm %(bloc)s.") % {"bloc": bloc.name})
            return redirect("blocs:bloc_detail", bloc_id=bloc.pk)
    return _render(request, "blocs/bloc_new.html", {"province": province, "form": form}, form)


@access_rule("object")
@require_GET
def province_users(request: HttpRequest, province_id: int) -> HttpResponse:
    province = setup_selectors.province_get_for_registry(user=request.user, province_id=province_id)
    return render(
        request,
        "blocs/province_users.html",
        {
            "province": province,
            "assignments": setup_selectors.province_role_assignments(province=province),
        },
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest, province_id: int) -> HttpResponse:
    province = setup_selectors.province_get_for_registry(user=request.user, province_id=province_id)
    form = InviteForm(
        request.POST or None, units=setup_selectors.province_active_units(province=province)
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = setup.user_invite(province=province, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã gửi thư mời đến %(email)s; đường dẫn đặt mật khẩu chỉ dùng được một lần.")
                % {"email": user.email},
            )
            return redirect("blocs:province_users", province_id=province.pk)
    return _render(request, "blocs/user_invite.html", {"province": province, "form": form}, form)


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The one-time link of an invitation: Django's password-reset token, which no longer
    verifies once the password is set."""

    template_name = "blocs/invite_accept.html"
    success_url = reverse_lazy("login")
    title = gettext_lazy("Đặt mật khẩu")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đặt mật khẩu. Mời bạn đăng nhập."))
        return response


invite_accept = access_rule("public")(login_not_required(InviteAcceptView.as_view()))
