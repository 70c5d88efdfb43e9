from decimal import Decimal

from django import template

from .. import selectors
from ..permissions import can_manage_pledge, can_view_pledge

register = template.Library()


@register.filter
def vn_number(value) -> str:
    """12345.5 -> "12.345,5": Vietnamese thousands dot and decimal comma."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    sign = "-" if number < 0 else ""
    text = format(abs(number), "f")
    whole, _dot, frac = text.partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return sign + ".".join(groups or ["0"]) + ("," + frac if frac else "")


@register.filter
def bs_input(field) -> str:
    css = "form-control form-control-sm" + (" is-invalid" if field.errors else "")
    return field.as_widget(attrs={"class": css})


@register.inclusion_tag("pledges/_panel.html", takes_context=True)
def pledge_panel(context, bloc_year) -> dict:
    user = context["request"].user
    version = selectors.current_version(bloc_year=bloc_year)
    data = {
        "bloc_year": bloc_year,
        "version": version,
        "can_manage": can_manage_pledge(user, bloc_year),
        "can_view": can_view_pledge(user, bloc_year),
    }
    if version is not None:
        content = selectors.version_content(version=version)
        data.update(signed=content.signed_count, members=content.member_count)
    return data


@register.inclusion_tag("pledges/_dashboard.html", takes_context=True)
def pledges_dashboard(context) -> dict:
    return selectors.pledges_for_dashboard(user=context["request"].user)
