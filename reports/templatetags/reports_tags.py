from django import template

from reports.models import Report
from reports.selectors import reports_for_bloc_year

register = template.Library()


@register.inclusion_tag("reports/_panel.html", takes_context=True)
def report_panel(context, bloc_year):
    """The bloc-year page's links to its year-end and mid-year reports (1 query), and the
    dossier's panel (reports/dossier_button.html, which reads request and csrf_token)."""
    current = reports_for_bloc_year(bloc_year=bloc_year)
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "bloc_year": bloc_year,
        "rows": [
            {"kind": kind, "label": Report.Kind(kind).label, "report": current.get(kind)}
            for kind in (Report.Kind.YEAR_END, Report.Kind.MID_YEAR)
        ],
    }
