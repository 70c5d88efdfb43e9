"""URL x role rows of the meeting and minutes pages (keys of objects start with "meetings_").

build_objects(world) holds the year-end meeting of world.bloc_year through the services:
people (the chair is leader_member's account, the secretary secretariat_here's), an
agenda of two items, the three member units present, and minutes version 1 open for
amendments with one pending amendment by the head unit. Each URL's test gets these afresh.

Who:
- readers of the bloc-year (its members' leaders and staff, the board of the province, its
  secretariat, administrators) read the meeting and its minutes;
- running it (create, edit, people, agenda, attendance, invitations, minutes text, the
  window, resolving amendments, new version): the bloc-year's secretariat and
  administrators; the board reads but does not run;
- amendments: leaders and staff of a unit present (leader_member: the head unit;
  staff_member: Sở Xây dựng);
- approval: the chair's and the secretary's accounts.
Empty POSTs: a form with a required field answers 400 to those allowed, 403 to the others.
"""

import datetime as dt

from django.utils import timezone

from meetings.models import Minutes, MinutesSection
from meetings.services import meetings as services
from meetings.services import minutes as minutes_services

ROLES = [
    "anonymous",
    "norole",
    "admin",
    "board_here",
    "board_other",
    "secretariat_here",
    "secretariat_other",
    "leader_member",
    "staff_member",
    "leader_nonmember",
    "staff_nonmember",
]
LOGIN, OK, REDIRECT, BAD, FORBIDDEN = "login", 200, 302, 400, 403

READERS = {
    "anonymous": LOGIN,
    "norole": FORBIDDEN,
    "admin": OK,
    "board_here": OK,
    "board_other": FORBIDDEN,
    "secretariat_here": OK,
    "secretariat_other": FORBIDDEN,
    "leader_member": OK,
    "staff_member": OK,
    "leader_nonmember": FORBIDDEN,
    "staff_nonmember": FORBIDDEN,
}


def only(value, *roles) -> dict:
    """`value` for `roles`, 403 for every other logged-in role, the login page for anonymous."""
    return dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN} | dict.fromkeys(roles, value)


RUNNERS = ("admin", "secretariat_here")


def _meeting(w, o):
    return {"meeting_id": o["meetings_meeting"].pk}


def _minutes(w, o):
    return {"minutes_id": o["meetings_minutes"].pk}


def _section_text_reset(o):
    MinutesSection.objects.filter(pk=o["meetings_section"].pk).update(text="Diễn biến ban đầu.")


def _window_reopen(o):
    Minutes.objects.filter(pk=o["meetings_minutes"].pk).update(
        amend_until=timezone.now() + dt.timedelta(days=3)
    )


EXPECTED: dict = {
    "meetings:meeting_new": (
        "get",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        only(OK, *RUNNERS),
    ),
    "meetings:meeting_detail": ("get", _meeting, READERS),
    "meetings:meeting_edit": ("get", _meeting, only(OK, *RUNNERS)),
    "meetings:meeting_people": ("get", _meeting, only(OK, *RUNNERS)),
    "meetings:meeting_agenda": ("get", _meeting, only(OK, *RUNNERS)),
    "meetings:meeting_attendance": ("get", _meeting, only(OK, *RUNNERS)),
    # Sending again is allowed (the date or the place changed): no reset needed.
    "meetings:meeting_invite": ("post", _meeting, only(REDIRECT, *RUNNERS)),
    "meetings:minutes": ("get", _meeting, READERS),
    # Version 1 is not sealed yet: a second draft is refused with the reason.
    "meetings:minutes_draft": ("post", _meeting, only(BAD, *RUNNERS)),
    "meetings:minutes_text_save": ("post", _minutes, only(REDIRECT, *RUNNERS)),
    # An empty text is a valid text: saved, then put back for the next role.
    "meetings:minutes_section_save": (
        "post",
        lambda w, o: {
            "minutes_id": o["meetings_minutes"].pk,
            "section_id": o["meetings_section"].pk,
        },
        only(REDIRECT, *RUNNERS),
        _section_text_reset,
    ),
    "meetings:minutes_amendments_open": ("post", _minutes, only(BAD, *RUNNERS)),
    # Ends the window now; the next role finds it ended (400 with the reason) unless reset.
    "meetings:minutes_amendments_close": (
        "post",
        _minutes,
        only(REDIRECT, *RUNNERS),
        _window_reopen,
    ),
    "meetings:minutes_amendment_propose": (
        "post",
        _minutes,
        only(BAD, "leader_member", "staff_member"),
    ),
    "meetings:minutes_amendment_resolve": (
        "post",
        lambda w, o: {
            "minutes_id": o["meetings_minutes"].pk,
            "amendment_id": o["meetings_amendment"].pk,
        },
        only(BAD, *RUNNERS),
    ),
    # The window is still open: the chair and the secretary are told to wait.
    "meetings:minutes_approve": ("post", _minutes, only(BAD, "leader_member", "secretariat_here")),
    # Only sealed minutes get a new version.
    "meetings:minutes_new_version": ("post", _minutes, only(BAD, *RUNNERS)),
}


def build_objects(world) -> dict:
    secretariat = world.users["secretariat_here"]
    meeting = services.meeting_create(
        bloc_year=world.bloc_year,
        kind="year_end",
        held_on=dt.date(2020, 12, 20),
        starts_at=dt.time(8, 0),
        place="Hội trường Ban Quản lý Khu kinh tế",
        host_unit=world.head,
        actor=secretariat,
    )
    services.meeting_people_set(
        meeting=meeting,
        role="chair",
        people=[
            {
                "name": "Nguyễn Văn Chủ",
                "title": "Trưởng ban",
                "unit": world.head,
                "user": world.users["leader_member"],
            }
        ],
        actor=secretariat,
    )
    services.meeting_people_set(
        meeting=meeting,
        role="secretary",
        people=[{"name": "Trần Thị Thư", "title": "Thư ký khối", "user": secretariat}],
        actor=secretariat,
    )
    services.meeting_agenda_set(
        meeting=meeting,
        items=[
            {"title": "Báo cáo tổng kết công tác thi đua năm 2020", "presenter": "Trưởng khối"},
            {"title": "Bình xét, suy tôn các đơn vị dẫn đầu", "presenter": "Thư ký khối"},
        ],
        actor=secretariat,
    )
    services.attendance_record_many(
        meeting=meeting,
        rows=[
            {
                "unit": unit,
                "status": "present",
                "representative_name": f"Đại diện {unit.name}",
                "representative_title": "Phó Giám đốc",
            }
            for unit in (world.head, world.deputy, world.member)
        ],
        actor=secretariat,
    )
    minutes = minutes_services.minutes_draft(meeting=meeting, actor=secretariat)
    section = minutes.sections.order_by("order").first()
    minutes_services.minutes_section_update(
        section=section, text="Diễn biến ban đầu.", actor=secretariat
    )
    minutes = minutes_services.minutes_amendments_open(
        minutes=minutes, until=timezone.now() + dt.timedelta(days=3), actor=secretariat
    )
    amendment = minutes_services.minutes_amendment_propose(
        minutes=minutes,
        unit=world.head,
        user=world.users["leader_member"],
        text="Đề nghị ghi rõ tỷ lệ giải ngân.",
        section=section,
    )
    assert minutes.status == Minutes.Status.AMENDING
    return {
        "meetings_meeting": meeting,
        "meetings_minutes": minutes,
        "meetings_section": section,
        "meetings_amendment": amendment,
    }
