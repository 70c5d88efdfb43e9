from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.permissions import (
    access_rule,
    can_create_bloc_year,
    can_manage_bloc_year,
    can_manage_registry,
    can_set_up_bloc_year,
)
from documents.selectors import document_jobs_for_bloc_year

from . import cycle_selectors, selectors


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
