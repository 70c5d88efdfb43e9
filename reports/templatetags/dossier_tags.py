from django import template

from reports.dossier import DOSSIER, can_request_dossier

register = template.Library()


@register.inclusion_tag("reports/dossier_panel.html", takes_context=True)
def dossier_panel(context, bloc_year) -> dict:
    """The "Tạo hồ sơ cuối năm" button (for who may make it) and the latest dossier. One
    query for the latest job, none for the permission (scopes are cached on the user)."""
    from documents.models import DocumentJob

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "csrf_token": context.get("csrf_token"),
        "bloc_year": bloc_year,
        "can_request": user is not None and can_request_dossier(user, bloc_year),
        "latest": DocumentJob.objects.filter(bloc_year=bloc_year, kind=DOSSIER)
        .order_by("-created_at", "-id")
        .first(),
    }
