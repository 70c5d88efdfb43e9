from decimal import Decimal
from typing import Any

from django import template

from ..totals import fmt

register = template.Library()


@register.filter
def vn(value: Any) -> str:
    """A number the Vietnamese way: 8,5 and 10 (decimal comma, no trailing zeros)."""
    if value is None or value == "":
        return ""
    try:
        return fmt(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def attr_total(totals: Any) -> Any:
    return getattr(totals, "total", None)


@register.inclusion_tag("scoring/_panel.html", takes_context=True)
def scoring_panel(context: dict, bloc_year: Any) -> dict:
    from ..selectors import scoring_panel_data

    return {
        **scoring_panel_data(user=context["request"].user, bloc_year=bloc_year),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }


@register.inclusion_tag("scoring/_dashboard.html", takes_context=True)
def scoring_dashboard(context: dict) -> dict:
    from ..selectors import scoring_dashboard_data

    return scoring_dashboard_data(user=context["request"].user)
