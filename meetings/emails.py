"""The e-mails of a meeting (invitation, reminder the day before), in the site's language
(settings.LANGUAGE_CODE) whatever the language of the person who asked for them. Built from
templates/meetings/email/*.txt; sent by meetings.services.meetings."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.formats import date_format

from blocs.models import Membership, RoleAssignment
from core.names import person_name

from .models import Meeting

# The meeting page, by the name the meetings pages give it; the bloc-year page until
# they exist.
MEETING_URL_NAMES = ("meetings:meeting_detail", "meetings:detail")


def meeting_url(meeting: Meeting) -> str:
    """Absolute address of the meeting page, for e-mails (settings.PLEDGE_PUBLIC_BASE_URL,
    like the pledge's e-mails)."""
    for name in MEETING_URL_NAMES:
        try:
            path = reverse(name, args=[meeting.pk])
            break
        except NoReverseMatch:
            continue
    else:
        path = reverse("blocs:bloc_year_detail", args=[meeting.bloc_year_id])
    return settings.PLEDGE_PUBLIC_BASE_URL.rstrip("/") + path


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    to: str
    unit_id: int


def leader_recipients(meeting: Meeting) -> list[RoleAssignment]:
    """The active leaders with an e-mail address of the meeting's member units, one row per
    (leader, unit), by unit then login name."""
    units = Membership.objects.filter(bloc_year_id=meeting.bloc_year_id).values("unit_id")
    return list(
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.LEADER, unit_id__in=units, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("unit__name", "user__username")
    )


def _context(meeting: Meeting, agenda: list) -> dict[str, Any]:
    kind = meeting.get_kind_display()
    return {
        "meeting_kind": kind,
        "meeting_kind_lower": kind[:1].lower() + kind[1:],
        "held_on": date_format(meeting.held_on, "d/m/Y"),
        "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else "",
        "place": meeting.place,
        "host_name": meeting.host_unit.name if meeting.host_unit else "",
        "bloc_name": meeting.bloc_year.bloc.name,
        "year": meeting.bloc_year.year,
        "agenda": agenda,
        "url": meeting_url(meeting),
    }


def meeting_mails(meeting: Meeting, template: str) -> list[Mail]:
    """One mail per leader; `template` is "invitation" or "reminder"."""
    agenda = list(meeting.agenda_items.order_by("order"))
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        base = _context(meeting, agenda)
        subject = " ".join(render_to_string(f"meetings/email/{template}_subject.txt", base).split())
        for ra in leader_recipients(meeting):
            context = {**base, "recipient_name": person_name(ra.user), "unit_name": ra.unit.name}
            body = render_to_string(f"meetings/email/{template}.txt", context).strip() + "\n"
            mails.append(Mail(subject=subject, body=body, to=ra.user.email, unit_id=ra.unit_id))
    return mails
