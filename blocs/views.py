from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.permissions import (
    access_rule,
    can_create_bloc_year,
    can_manage_bloc_year,
    can_manage_registry,
    can_set_up_bloc_year,
)
from documents.selectors import document_jobs_for_bloc_year
from meetings.permissions import can_run_meeting

from . import cycle_selectors, selectors, services
from .leader_forms import LeaderForm


@access_rule("object")
@require_GET
def province_detail(request: HttpRequest, province_id: int) -> HttpResponse:
    province = selectors.province_get_for_user(user=request.user, province_id=province_id)
    blocs = selectors.blocs_for_province(province=province)
    return render(
        request,
        "blocs/province_detail.html",
        {
            "province": province,
            "blocs": blocs,
            "can_manage_registry": can_manage_registry(request.user, province),
        },
    )


@access_rule("object")
@require_GET
def bloc_detail(request: HttpRequest, bloc_id: int) -> HttpResponse:
    bloc = selectors.bloc_get_for_user(user=request.user, bloc_id=bloc_id)
    years = selectors.bloc_years_for_bloc(bloc=bloc)
    return render(
        request,
        "blocs/bloc_detail.html",
        {
            "bloc": bloc,
            "years": years,
            "can_create_year": can_create_bloc_year(
                request.user, bloc, years[0] if years else None
            ),
        },
    )


@access_rule("object")
@require_GET
def bloc_year_detail(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    return render(
        request,
        "blocs/bloc_year_detail.html",
        {
            "bloc_year": bloc_year,
            "roster": selectors.bloc_year_roster(bloc_year=bloc_year),
            "meetings": bloc_year.meetings.select_related("host_unit").order_by("held_on"),
            # The published election of this year's head and deputy (meetings, DESIGN.md §8).
            "elections": bloc_year.elections.filter(status="published").select_related("meeting"),
            "can_run_meeting": can_run_meeting(request.user, bloc_year),
            "jobs": document_jobs_for_bloc_year(bloc_year=bloc_year),
            "can_manage": can_manage_bloc_year(request.user, bloc_year),
            "can_set_up": can_set_up_bloc_year(request.user, bloc_year),
            "cycle": cycle_selectors.bloc_year_cycle(user=request.user, bloc_year=bloc_year),
        },
    )


@access_rule("object")
@require_GET
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, unit_id=unit_id)
    return render(
        request,
        "blocs/unit_detail.html",
        {"unit": unit, **selectors.unit_history_for_user(user=request.user, unit=unit)},
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def bloc_year_leaders(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """The head (thủ trưởng: name, title) of each member unit in this year: who signs the
    bloc's documents for the head unit. The bloc-year's secretariat, the board, admins."""
    bloc_year = selectors.bloc_year_get_for_user(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    roster = selectors.bloc_year_roster(bloc_year=bloc_year)
    data = request.POST if request.method == "POST" else None
    rows = [
        (
            m,
            LeaderForm(
                data,
                prefix=f"u{m.unit_id}",
                initial={"leader_name": m.leader_name, "leader_title": m.leader_title},
            ),
        )
        for m in roster
    ]
    if data is not None:
        valid = [form.is_valid() for _m, form in rows]  # every form, for every error
        if all(valid):
            try:
                services.bloc_year_leaders_set(
                    bloc_year=bloc_year,
                    leaders={
                        m.unit_id: (
                            form.cleaned_data["leader_name"],
                            form.cleaned_data["leader_title"],
                        )
                        for m, form in rows
                    },
                    actor=request.user,
                )
            except ValidationError as exc:
                forms_by_unit = {str(m.unit_id): form for m, form in rows}
                for key, messages_ in exc.message_dict.items():
                    unit_id, _sep, field = key.partition("-")
                    form = forms_by_unit.get(unit_id)
                    if form is not None and field in form.fields:
                        form.add_error(field, messages_)
                    else:
                        rows[0][1].add_error(None, messages_)
            else:
                messages.success(request, _("Đã ghi nhận thủ trưởng các đơn vị."))
                return redirect("blocs:bloc_year_detail", bloc_year_id=bloc_year.pk)
    has_errors = any(form.errors for _m, form in rows)
    return render(
        request,
        "blocs/bloc_year_leaders.html",
        {"bloc_year": bloc_year, "rows": rows, "has_errors": has_errors},
        status=400 if has_errors else 200,
    )
