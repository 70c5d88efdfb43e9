"""`{% load meetings_dashboard %}{% meetings_dashboard %}`: the dashboard's meetings
section (templates/core/dashboard.html): the open ballots the user may vote in and the
coming meetings of the user's blocs."""

from django import template

from ..selectors.dashboard import ballots_open_for_user, meetings_upcoming_for_user

register = template.Library()


@register.inclusion_tag("meetings/meeting_dashboard.html", takes_context=True)
def meetings_dashboard(context) -> dict:
    user = context["request"].user
    return {
        "open_ballots": ballots_open_for_user(user=user),
        "upcoming": meetings_upcoming_for_user(user=user),
    }
