"""Meeting pages: create, the meeting page, edit, people, agenda, attendance, invitations.
Views parse input, call one selector or service and render; the selectors check access
(meetings.selectors.meetings.meeting_get_for_user), the services decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blocs import selectors as bloc_selectors
from core.forms import form_errors_apply
from core.permissions import access_rule

from .. import forms
from ..models import MeetingPerson
from ..permissions import can_run_meeting
from ..selectors import meetings as selectors
from ..services import meetings as services


def _members(bloc_year) -> list:
    return [m.unit for m in bloc_selectors.bloc_year_roster(bloc_year=bloc_year)]


# --- create and edit --------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """The bloc-year's secretariat (and administrators) prepare a meeting."""
    bloc_year = bloc_selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    if not can_run_meeting(request.user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này tổ chức hội nghị."))
    roster = bloc_selectors.bloc_year_roster(bloc_year=bloc_year)
    members = [m.unit for m in roster]
    by_id = {u.pk: u for u in members}
    head = next((m.unit_id for m in roster if m.role == m.Role.HEAD), None)
    form = forms.MeetingForm(
        request.POST or None,
        members=members,
        initial={"kind": "year_end", "host_unit": head},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_create(
                    bloc_year=bloc_year,
                    kind=data["kind"],
                    held_on=data["held_on"],
                    starts_at=data["starts_at"],
                    place=data["place"],
                    host_unit=by_id.get(data["host_unit"]),
                    summary=data["summary"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã tạo hội nghị."))
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/meeting_form.html",
        {"bloc_year": bloc_year, "form": form, "meeting": None},
        status=status,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    members = _members(meeting.bloc_year)
    by_id = {u.pk: u for u in members}
    initial = {
        "kind": meeting.kind,
        "held_on": meeting.held_on,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "host_unit": meeting.host_unit_id,
        "summary": meeting.summary,
    }
    form = forms.MeetingForm(request.POST or None, members=members, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["host_unit"] = by_id.get(data["host_unit"])
            try:
                services.meeting_update(meeting=meeting, actor=request.user, **data)
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã lưu thông tin hội nghị."))
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/meeting_form.html",
        {"bloc_year": meeting.bloc_year, "form": form, "meeting": meeting},
        status=status,
    )


# --- the meeting page -------------------------------------------------------------------------


def _minutes_current(meeting):
    return meeting.minutes.order_by("-version").first()


@access_rule("object")
@require_GET
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Everyone who reads the bloc-year reads its meetings; actions for the secretariat."""
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    bloc_year = meeting.bloc_year
    by_role = selectors.meeting_people(meeting=meeting)
    rows = selectors.meeting_attendance_rows(meeting=meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "bloc_year": bloc_year,
            "people": [(MeetingPerson.Role(r).label, r, by_role[r]) for r in forms.PEOPLE_ROLES],
            "agenda": list(meeting.agenda_items.all()),
            "rows": rows,
            "recorded": sum(1 for r in rows if r.attendance is not None),
            "quorum": selectors.meeting_quorum(meeting=meeting),
            "minutes": _minutes_current(meeting),
            "can_run": can_run_meeting(request.user, bloc_year),
        },
    )


# --- people and agenda ------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def meeting_people(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Four lists on one page: chair(s), secretary, guests, counting committee. Saved
    together: one wrong cell and nothing is saved."""
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    choices = forms.people_choices(bloc_year=meeting.bloc_year)
    kw = {"unit_choices": choices["unit_choices"], "user_choices": choices["user_choices"]}
    current = list(meeting.people.all())
    data = request.POST if request.method == "POST" else None
    formsets = []
    for role in forms.PEOPLE_ROLES:
        initial = [
            {
                "name": p.name,
                "title": p.title,
                "unit": p.unit_id,
                "user": p.user_id,
                "note": p.note,
            }
            for p in current
            if p.role == role
        ]
        formsets.append(
            (
                MeetingPerson.Role(role).label,
                role,
                forms.PersonFormSet(data, prefix=role, initial=None if data else initial, **kw),
            )
        )
    status = 200
    if data is not None:
        valid = [fs.is_valid() for _label, _role, fs in formsets]
        if all(valid):
            try:
                with transaction.atomic():
                    for _label, role, fs in formsets:
                        failed = fs
                        people = [
                            {
                                **p,
                                "unit": choices["units"].get(p["unit"]),
                                "user": choices["users"].get(p["user"]),
                            }
                            for p in fs.people()
                        ]
                        services.meeting_people_set(
                            meeting=meeting, role=role, people=people, actor=request.user
                        )
            except ValidationError as exc:
                left = errors_to_rows(
                    exc, {str(i): f for i, f in enumerate(failed.filled_forms())}, None
                )
                if left:
                    failed._non_form_errors = failed.error_class(left)
            else:
                messages.success(request, _("Đã lưu thành phần hội nghị."))
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/meeting_people.html",
        {"meeting": meeting, "bloc_year": meeting.bloc_year, "formsets": formsets},
        status=status,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def meeting_agenda(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The agenda in order: rows may be added (the empty rows), removed (the box) and
    reordered (the order column, or the arrows)."""
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    status = 200
    if request.method == "POST":
        formset = forms.AgendaFormSet(request.POST, prefix="a")
        if formset.is_valid():
            try:
                services.meeting_agenda_set(
                    meeting=meeting, items=formset.items(), actor=request.user
                )
            except ValidationError as exc:
                left = errors_to_rows(
                    exc, {str(i): f for i, f in enumerate(formset.kept_forms())}, None
                )
                if left:
                    formset._non_form_errors = formset.error_class(left)
            else:
                messages.success(request, _("Đã lưu chương trình hội nghị."))
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        status = 400
    else:
        formset = forms.AgendaFormSet(
            prefix="a",
            initial=[
                {"title": item.title, "presenter": item.presenter, "ORDER": i}
                for i, item in enumerate(meeting.agenda_items.all(), start=1)
            ],
        )
    return render(
        request,
        "meetings/meeting_agenda.html",
        {"meeting": meeting, "bloc_year": meeting.bloc_year, "formset": formset},
        status=status,
    )


# --- attendance -------------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """One form, a row per member unit; saved all together or not at all. Once a ballot has
    opened, the attendance is what entitled the voters: the page is read-only."""
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    rows = [
        {"unit": r.unit, "membership": r.membership, "attendance": r.attendance}
        for r in selectors.meeting_attendance_rows(meeting=meeting)
    ]
    members = [r["unit"] for r in rows]
    ctx = {"meeting": meeting, "bloc_year": meeting.bloc_year}
    if meeting.attendance_frozen_at is not None:
        if request.method == "POST":
            messages.error(request, _("Không lưu: danh sách dự họp đã chốt khi mở bỏ phiếu."))
        return render(
            request,
            "meetings/meeting_attendance.html",
            {
                **ctx,
                "frozen": True,
                "rows": rows,
                "quorum": selectors.meeting_quorum(meeting=meeting),
            },
            status=400 if request.method == "POST" else 200,
        )
    accounts = forms.unit_account_choices(unit_ids=[u.pk for u in members])
    users = {}
    if request.method == "POST":
        from django.contrib.auth import get_user_model

        wanted = {pk for choices in accounts.values() for pk, _label in choices}
        users = get_user_model().objects.in_bulk(wanted) if wanted else {}
    data = request.POST if request.method == "POST" else None
    for row in rows:
        a = row["attendance"]
        row["form"] = forms.AttendanceRowForm(
            data,
            prefix=f"u{row['unit'].pk}",
            user_choices=accounts.get(row["unit"].pk, []),
            initial={
                "status": a.status if a else "",
                "representative_name": a.representative_name if a else "",
                "representative_title": a.representative_title if a else "",
                "representative_user": a.representative_user_id if a else None,
            },
        )
    status = 200
    if data is not None:
        valid = [row["form"].is_valid() for row in rows]  # every row, for every error
        if all(valid):
            records = [
                {
                    "unit": row["unit"],
                    "status": row["form"].cleaned_data["status"],
                    "representative_name": row["form"].cleaned_data["representative_name"],
                    "representative_title": row["form"].cleaned_data["representative_title"],
                    "representative_user": users.get(
                        row["form"].cleaned_data["representative_user"]
                    ),
                }
                for row in rows
            ]
            try:
                services.attendance_record_many(meeting=meeting, rows=records, actor=request.user)
            except ValidationError as exc:
                errors_to_rows(
                    exc,
                    {str(row["unit"].pk): row["form"] for row in rows},
                    rows[0]["form"] if rows else None,
                )
            else:
                messages.success(request, _("Đã lưu điểm danh."))
                return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
        status = 400
    return render(
        request,
        "meetings/meeting_attendance.html",
        {
            **ctx,
            "frozen": False,
            "rows": rows,
            "has_errors": status == 400,
            "quorum": selectors.meeting_quorum(meeting=meeting),
        },
        status=status,
    )


def errors_to_rows(exc: ValidationError, by_suffix: dict, fallback) -> list[str]:
    """A service's errors keyed "<field>_<row>" (the row: a unit id or a 0-based index) go
    next to that field of that row's form; the others above the form (`fallback`, a form
    or None). Returns the messages that found no form."""
    left: list[str] = []
    if not hasattr(exc, "error_dict"):
        left.extend(exc.messages)
    else:
        for key, errors in exc.message_dict.items():
            field, _sep, suffix = key.rpartition("_")
            form = by_suffix.get(suffix)
            if form is not None and field in form.fields:
                form.add_error(field, errors)
            else:
                left.extend(errors)
    if left and fallback is not None:
        fallback.add_error(None, left)
        return []
    return left


# --- invitations ------------------------------------------------------------------------------


@access_rule("object")
@require_POST
def meeting_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    try:
        services.meeting_invitations_send(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã gửi giấy mời qua thư điện tử tới các đơn vị thành viên."))
    return redirect("meetings:meeting_detail", meeting_id=meeting.pk)
