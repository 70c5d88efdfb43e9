"""Writes of meetings (DESIGN.md §8): the meeting itself, its people and agenda, the
attendance per member unit, and the invitations by e-mail.

Every function validates its input and raises `ValidationError` with a Vietnamese message
keyed by the form field that is wrong (nothing is saved in part), runs in one transaction
and records who did it in the audit trail. Who may call them (the bloc-year's
secretariat, administrators) is decided by the views through
`meetings.selectors.meetings.meeting_get_for_user(manage=True)` and
`meetings.permissions.can_run_meeting`.

Once the first ballot of a meeting opens (`attendance_frozen_at` is set) the attendance is
what entitled the voters: it no longer changes, and of the meeting itself only the
summary may change.
"""

import calendar
import datetime as dt
import logging
import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership, RoleAssignment, Unit
from core.services import actor_user, actor_username, audit_event_record

from ..models import AgendaItem, Attendance, Meeting, MeetingPerson

PLACE_MAX = 255
SOURCE_MAX = 255
SUMMARY_MAX = 20000
PERSON_NAME_MAX = 100
PERSON_TITLE_MAX = 200
PERSON_NOTE_MAX = 255
PEOPLE_MAX = 50
AGENDA_TITLE_MAX = 300
AGENDA_PRESENTER_MAX = 200
AGENDA_MAX_ITEMS = 30

logger = logging.getLogger(__name__)


def clean_text(value: Any) -> str:
    """What every stored text goes through: NFC, Unix newlines, no outer blanks, no NUL."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", str(value)).replace("\x00", "")
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def clean_line(value: Any) -> str:
    """One line of text: `clean_text` with inner runs of blanks collapsed."""
    return " ".join(clean_text(value).split())


def _frozen_error(field: str | None = None) -> ValidationError:
    message = _("Danh sách dự họp đã chốt khi mở bỏ phiếu.")
    return ValidationError({field: message} if field else message)


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc__province", "host_unit")
        .get(pk=meeting.pk)
    )


def _member_ids(bloc_year: BlocYear) -> set[int]:
    return set(Membership.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True))


def _head_unit(bloc_year: BlocYear) -> Unit | None:
    membership = (
        Membership.objects.filter(bloc_year=bloc_year, role=Membership.Role.HEAD)
        .select_related("unit")
        .first()
    )
    return membership.unit if membership else None


def meeting_date_window(bloc_year: BlocYear, kind: str) -> tuple[dt.date, dt.date]:
    """The dates a meeting of `bloc_year` may be held on. A mid-year meeting falls in the
    year itself; a year-end meeting of year N is held in December N or in January or
    February N+1 (after Tết: Quảng Bình 13/01/2020 for 2019, Đắk Lắk 28/01/2021 for 2020);
    other meetings in the same span."""
    year = bloc_year.year
    first = dt.date(year, 1, 1)
    if kind == Meeting.Kind.MID_YEAR:
        return first, dt.date(year, 12, 31)
    return first, dt.date(year + 1, 2, calendar.monthrange(year + 1, 2)[1])


def _meeting_fields_clean(
    *,
    bloc_year: BlocYear,
    kind: Any,
    held_on: Any,
    starts_at: Any,
    place: Any,
    host_unit: Any,
    summary: Any,
    source: Any,
    errors: dict,
) -> dict:
    data: dict[str, Any] = {}
    if kind not in Meeting.Kind.values:
        errors["kind"] = _("Chọn loại hội nghị: sơ kết 6 tháng, tổng kết năm hoặc khác.")
    data["kind"] = kind
    if not isinstance(held_on, dt.date) or isinstance(held_on, dt.datetime):
        errors["held_on"] = _("Nhập ngày họp theo dạng dd/mm/yyyy.")
    elif kind in Meeting.Kind.values:
        first, last = meeting_date_window(bloc_year, kind)
        if not first <= held_on <= last:
            errors["held_on"] = _(
                "Ngày họp của năm thi đua %(year)s phải từ %(first)s đến %(last)s."
            ) % {
                "year": bloc_year.year,
                "first": date_format(first, "d/m/Y"),
                "last": date_format(last, "d/m/Y"),
            }
    data["held_on"] = held_on
    if starts_at is not None and (
        not isinstance(starts_at, dt.time) or starts_at.tzinfo is not None
    ):
        errors["starts_at"] = _("Nhập giờ bắt đầu theo dạng hh:mm, ví dụ 08:00.")
    data["starts_at"] = starts_at
    for field, value, limit in (
        ("place", place, PLACE_MAX),
        ("source", source, SOURCE_MAX),
    ):
        text = clean_line(value)
        if len(text) > limit:
            errors[field] = _("Tối đa %(max)s ký tự (đang có %(count)s).") % {
                "max": limit,
                "count": len(text),
            }
        data[field] = text
    text = clean_text(summary)
    if len(text) > SUMMARY_MAX:
        errors["summary"] = _("Tối đa %(max)s ký tự (đang có %(count)s).") % {
            "max": SUMMARY_MAX,
            "count": len(text),
        }
    data["summary"] = text
    if host_unit is None:
        data["host_unit"] = _head_unit(bloc_year)
    elif not isinstance(host_unit, Unit) or host_unit.pk not in _member_ids(bloc_year):
        errors["host_unit"] = _("Đơn vị không phải thành viên của khối trong năm này.")
    else:
        data["host_unit"] = host_unit
    return data


def _duplicate_error(kind: str) -> ValidationError:
    return ValidationError(
        {
            "held_on": _("Khối đã có %(kind)s vào ngày này.")
            % {"kind": Meeting.Kind(kind).label.lower()}
        }
    )


@transaction.atomic
def meeting_create(
    *,
    bloc_year: BlocYear,
    kind: str,
    held_on: dt.date,
    actor: Any,
    starts_at: dt.time | None = None,
    place: str = "",
    host_unit: Unit | None = None,
    summary: str = "",
    source: str = "",
) -> Meeting:
    """A meeting of `bloc_year`. The host defaults to the head unit; one meeting of a kind
    per day."""
    bloc_year = BlocYear.objects.select_related("bloc__province").get(pk=bloc_year.pk)
    errors: dict = {}
    data = _meeting_fields_clean(
        bloc_year=bloc_year,
        kind=kind,
        held_on=held_on,
        starts_at=starts_at,
        place=place,
        host_unit=host_unit,
        summary=summary,
        source=source,
        errors=errors,
    )
    if (
        not errors
        and Meeting.objects.filter(bloc_year=bloc_year, kind=kind, held_on=held_on).exists()
    ):
        errors.update(_duplicate_error(kind).message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                bloc_year=bloc_year,
                created_by=actor_user(actor),
                created_by_username=actor_username(actor),
                **data,
            )
    except IntegrityError:  # a concurrent twin
        raise _duplicate_error(kind) from None
    audit_event_record(
        actor=actor,
        action="meeting_create",
        target=meeting,
        data={
            "bloc_year": bloc_year.pk,
            "kind": kind,
            "held_on": held_on.isoformat(),
            "host_unit": data["host_unit"].pk if data["host_unit"] else None,
        },
    )
    return meeting


UPDATABLE = ("kind", "held_on", "starts_at", "place", "host_unit", "summary", "source")


@transaction.atomic
def meeting_update(*, meeting: Meeting, actor: Any, **fields: Any) -> Meeting:
    """Change some of kind, held_on, starts_at, place, host_unit, summary, source. After
    the attendance is frozen (a ballot opened) only the summary may change."""
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise TypeError(f"meeting_update: unknown fields {sorted(unknown)}")
    meeting = _lock(meeting)
    bloc_year = meeting.bloc_year
    current = {name: getattr(meeting, name) for name in UPDATABLE}
    if meeting.attendance_frozen_at is not None:
        changed = [
            name for name, value in fields.items() if name != "summary" and value != current[name]
        ]
        if changed:
            raise ValidationError(
                {
                    name: _(
                        "Danh sách dự họp đã chốt khi mở bỏ phiếu: chỉ còn sửa được phần tóm tắt."
                    )
                    for name in changed
                }
            )
    merged = {**current, **fields}
    if "host_unit" in fields and fields["host_unit"] is None:
        merged["host_unit"] = None
    errors: dict = {}
    data = _meeting_fields_clean(bloc_year=bloc_year, errors=errors, **merged)
    if "host_unit" not in fields:
        data["host_unit"] = meeting.host_unit  # keep it, even a host with no head default
    if (
        not errors
        and (data["kind"], data["held_on"]) != (meeting.kind, meeting.held_on)
        and Meeting.objects.filter(bloc_year=bloc_year, kind=data["kind"], held_on=data["held_on"])
        .exclude(pk=meeting.pk)
        .exists()
    ):
        errors.update(_duplicate_error(data["kind"]).message_dict)
    if errors:
        raise ValidationError(errors)
    changes = {}
    for name, value in data.items():
        if getattr(meeting, name) != value:
            old = getattr(meeting, name)
            changes[name] = [_audit_value(old), _audit_value(value)]
            setattr(meeting, name, value)
    if not changes:
        return meeting
    try:
        with transaction.atomic():
            meeting.save(update_fields=list(changes))
    except IntegrityError:
        raise _duplicate_error(data["kind"]) from None
    audit_event_record(actor=actor, action="meeting_update", target=meeting, data=changes)
    return meeting


def _audit_value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Unit):
        return value.pk
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


# --- people and agenda ---------------------------------------------------------------------


def _user_active(user: Any) -> bool:
    return isinstance(user, get_user_model()) and user.pk is not None and user.is_active


@transaction.atomic
def meeting_people_set(*, meeting: Meeting, role: str, people: list[dict], actor: Any) -> None:
    """Replace the people of one role (chair, secretary, guest, counting), in the given
    order. Each person: name (required, ≤ 100), title (≤ 200), unit (optional), user
    (optional, an active account: for the chair and the secretary it is what lets them
    approve the minutes), note (≤ 255). Errors are keyed "<field>_<index>" (0-based), or
    "people" for the list as a whole."""
    meeting = _lock(meeting)
    if role not in MeetingPerson.Role.values:
        raise ValidationError({"role": _("Vai trò không hợp lệ.")})
    if not isinstance(people, list | tuple):
        raise ValidationError({"people": _("Danh sách không hợp lệ.")})
    errors: dict = {}
    if len(people) > PEOPLE_MAX:
        errors["people"] = _("Tối đa %(max)s người.") % {"max": PEOPLE_MAX}
    if role == MeetingPerson.Role.SECRETARY and len(people) > 2:
        errors["people"] = _("Hội nghị có một thư ký (tối đa hai người).")
    rows = []
    users_seen: set[int] = set()
    for index, person in enumerate(people):
        person = person if isinstance(person, dict) else {}
        name = clean_line(person.get("name"))
        title = clean_line(person.get("title"))
        note = clean_line(person.get("note"))
        unit = person.get("unit")
        user = person.get("user")
        if not name:
            errors[f"name_{index}"] = _("Nhập họ và tên.")
        elif len(name) > PERSON_NAME_MAX:
            errors[f"name_{index}"] = _("Họ và tên tối đa %(max)s ký tự.") % {
                "max": PERSON_NAME_MAX
            }
        if len(title) > PERSON_TITLE_MAX:
            errors[f"title_{index}"] = _("Chức vụ tối đa %(max)s ký tự.") % {
                "max": PERSON_TITLE_MAX
            }
        if len(note) > PERSON_NOTE_MAX:
            errors[f"note_{index}"] = _("Ghi chú tối đa %(max)s ký tự.") % {"max": PERSON_NOTE_MAX}
        if unit is not None and (
            not isinstance(unit, Unit) or unit.province_id != meeting.bloc_year.bloc.province_id
        ):
            errors[f"unit_{index}"] = _("Đơn vị không thuộc tỉnh của khối.")
        if user is not None:
            if not _user_active(user):
                errors[f"user_{index}"] = _("Tài khoản không tồn tại hoặc đã bị khóa.")
            elif user.pk in users_seen:
                errors[f"user_{index}"] = _("Tài khoản này đã có trong danh sách.")
            else:
                users_seen.add(user.pk)
        rows.append((name, title, unit, user, note))
    # The minutes need two approvals by two people: the chair and the secretary differ.
    other_role = {
        MeetingPerson.Role.CHAIR: MeetingPerson.Role.SECRETARY,
        MeetingPerson.Role.SECRETARY: MeetingPerson.Role.CHAIR,
    }.get(role)
    if other_role and users_seen:
        clash = set(
            meeting.people.filter(role=other_role, user_id__in=users_seen).values_list(
                "user_id", flat=True
            )
        )
        for index, (_n, _t, _u, user, _no) in enumerate(rows):
            if user is not None and user.pk in clash:
                errors[f"user_{index}"] = _(
                    "Chủ trì và thư ký hội nghị phải là hai người khác nhau."
                )
    if errors:
        raise ValidationError(errors)
    meeting.people.filter(role=role).delete()
    MeetingPerson.objects.bulk_create(
        MeetingPerson(
            meeting=meeting,
            role=role,
            name=name,
            title=title,
            unit=unit,
            user=user,
            note=note,
            order=order,
        )
        for order, (name, title, unit, user, note) in enumerate(rows, start=1)
    )
    audit_event_record(
        actor=actor,
        action="meeting_people_set",
        target=meeting,
        data={
            "role": role,
            "people": [
                {"name": name, "user": user.pk if user else None} for name, _t, _u, user, _n in rows
            ],
        },
    )


@transaction.atomic
def meeting_agenda_set(*, meeting: Meeting, items: list[dict], actor: Any) -> list[AgendaItem]:
    """Replace the agenda by `items` in order: each {"title" (1-300), "presenter" (≤ 200)};
    at most 30. Items are kept by position (a minutes section points to its item): an item
    already used by minutes cannot be removed, only retitled. Errors are keyed
    "title_<index>", "presenter_<index>" (0-based) or "items"."""
    meeting = _lock(meeting)
    if not isinstance(items, list | tuple):
        raise ValidationError({"items": _("Danh sách không hợp lệ.")})
    errors: dict = {}
    if len(items) > AGENDA_MAX_ITEMS:
        errors["items"] = _("Chương trình tối đa %(max)s nội dung.") % {"max": AGENDA_MAX_ITEMS}
    cleaned = []
    for index, item in enumerate(items):
        item = item if isinstance(item, dict) else {}
        title = clean_line(item.get("title"))
        presenter = clean_line(item.get("presenter"))
        if not title:
            errors[f"title_{index}"] = _("Nhập nội dung chương trình.")
        elif len(title) > AGENDA_TITLE_MAX:
            errors[f"title_{index}"] = _("Nội dung tối đa %(max)s ký tự.") % {
                "max": AGENDA_TITLE_MAX
            }
        if len(presenter) > AGENDA_PRESENTER_MAX:
            errors[f"presenter_{index}"] = _("Người trình bày tối đa %(max)s ký tự.") % {
                "max": AGENDA_PRESENTER_MAX
            }
        cleaned.append((title, presenter))
    existing = list(meeting.agenda_items.order_by("order"))
    removed = existing[len(cleaned) :]
    if removed:
        from ..models import MinutesSection

        used = set(
            MinutesSection.objects.filter(agenda_item__in=removed).values_list(
                "agenda_item_id", flat=True
            )
        )
        if used:
            errors["items"] = _(
                "Không thể bớt nội dung chương trình đã có trong biên bản; hãy sửa tiêu đề."
            )
    if errors:
        raise ValidationError(errors)
    AgendaItem.objects.filter(pk__in=[i.pk for i in removed]).delete()
    result = []
    for order, (title, presenter) in enumerate(cleaned, start=1):
        if order <= len(existing):
            item = existing[order - 1]
            if (item.title, item.presenter) != (title, presenter):
                item.title, item.presenter = title, presenter
                item.save(update_fields=["title", "presenter"])
        else:
            item = AgendaItem.objects.create(
                meeting=meeting, order=order, title=title, presenter=presenter
            )
        result.append(item)
    audit_event_record(
        actor=actor,
        action="meeting_agenda_set",
        target=meeting,
        data={"items": [title for title, _p in cleaned]},
    )
    return result


# --- attendance ------------------------------------------------------------------------------


def _representative_ok(user: Any, unit: Unit) -> bool:
    return (
        _user_active(user)
        and RoleAssignment.objects.filter(
            user=user,
            unit=unit,
            role__in=[RoleAssignment.Role.LEADER, RoleAssignment.Role.STAFF],
        ).exists()
    )


def _attendance_clean(
    *,
    unit: Any,
    status: Any,
    representative_name: Any,
    representative_title: Any,
    representative_user: Any,
    members: set[int],
    suffix: str = "",
) -> tuple[dict, dict]:
    errors: dict = {}
    if not isinstance(unit, Unit) or unit.pk not in members:
        errors["unit" + suffix] = _("Đơn vị không phải thành viên của khối trong năm này.")
    if status not in Attendance.Status.values:
        errors["status" + suffix] = _("Chọn có mặt, vắng hoặc vắng có lý do.")
    name = clean_line(representative_name)
    title = clean_line(representative_title)
    user = representative_user
    if status == Attendance.Status.PRESENT:
        if not name:
            errors["representative_name" + suffix] = _("Nhập họ và tên người dự họp.")
        elif len(name) > PERSON_NAME_MAX:
            errors["representative_name" + suffix] = _("Họ và tên tối đa %(max)s ký tự.") % {
                "max": PERSON_NAME_MAX
            }
        if len(title) > PERSON_TITLE_MAX:
            errors["representative_title" + suffix] = _("Chức vụ tối đa %(max)s ký tự.") % {
                "max": PERSON_TITLE_MAX
            }
        if (
            user is not None
            and "unit" + suffix not in errors
            and not _representative_ok(user, unit)
        ):
            errors["representative_user" + suffix] = _(
                "Tài khoản bỏ phiếu thay phải là lãnh đạo hoặc cán bộ đang hoạt động của đơn vị."
            )
    else:
        # An absent unit has no representative.
        name, title, user = "", "", None
    return errors, {
        "status": status,
        "representative_name": name,
        "representative_title": title,
        "representative_user": user,
    }


def _attendance_write(*, meeting: Meeting, unit: Unit, data: dict, actor: Any) -> Attendance:
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        unit=unit,
        defaults={
            **data,
            "recorded_by": actor_user(actor),
            "recorded_by_username": actor_username(actor),
        },
    )
    return attendance


@transaction.atomic
def attendance_record(
    *,
    meeting: Meeting,
    unit: Unit,
    status: str,
    actor: Any,
    representative_name: str = "",
    representative_title: str = "",
    representative_user: Any = None,
) -> Attendance:
    """Record one member unit's attendance (present / absent / excused). Present needs the
    representative's name; `representative_user` (optional) must be a leader or staff
    account of the unit: it may then vote for the unit. Refused once the attendance is
    frozen (a ballot opened)."""
    meeting = _lock(meeting)
    if meeting.attendance_frozen_at is not None:
        raise _frozen_error("status")
    errors, data = _attendance_clean(
        unit=unit,
        status=status,
        representative_name=representative_name,
        representative_title=representative_title,
        representative_user=representative_user,
        members=_member_ids(meeting.bloc_year),
    )
    if errors:
        raise ValidationError(errors)
    attendance = _attendance_write(meeting=meeting, unit=unit, data=data, actor=actor)
    audit_event_record(
        actor=actor,
        action="attendance_record",
        target=meeting,
        data=_attendance_audit(unit, data),
    )
    return attendance


def _attendance_audit(unit: Unit, data: dict) -> dict:
    user = data["representative_user"]
    return {
        "unit": unit.pk,
        "status": data["status"],
        "representative_name": data["representative_name"],
        "representative_user": user.pk if user else None,
    }


@transaction.atomic
def attendance_record_many(*, meeting: Meeting, rows: list[dict], actor: Any) -> list[Attendance]:
    """The one-form attendance page: all rows or none. Each row: {"unit", "status",
    "representative_name", "representative_title", "representative_user"}; a row whose
    status is "" clears that unit's record (not recorded yet). Errors are keyed
    "<field>_<unit id>" (e.g. "representative_name_12"), so the page shows each next to
    its row; "rows" for the list as a whole."""
    meeting = _lock(meeting)
    if meeting.attendance_frozen_at is not None:
        raise _frozen_error("rows")
    if not isinstance(rows, list | tuple):
        raise ValidationError({"rows": _("Danh sách không hợp lệ.")})
    members = _member_ids(meeting.bloc_year)
    errors: dict = {}
    cleaned: list[tuple[Unit, dict | None]] = []
    seen: set[int] = set()
    for row in rows:
        row = row if isinstance(row, dict) else {}
        unit = row.get("unit")
        key = str(unit.pk) if isinstance(unit, Unit) else "x"
        if isinstance(unit, Unit):
            if unit.pk in seen:
                errors["rows"] = _("Mỗi đơn vị chỉ được ghi một lần.")
                continue
            seen.add(unit.pk)
        status = row.get("status") or ""
        if status == "" and isinstance(unit, Unit) and unit.pk in members:
            cleaned.append((unit, None))
            continue
        row_errors, data = _attendance_clean(
            unit=unit,
            status=status,
            representative_name=row.get("representative_name"),
            representative_title=row.get("representative_title"),
            representative_user=row.get("representative_user"),
            members=members,
            suffix=f"_{key}",
        )
        errors.update(row_errors)
        cleaned.append((unit, data))
    if errors:
        raise ValidationError(errors)
    result = []
    audit_rows = []
    for unit, data in cleaned:
        if data is None:
            deleted, _d = Attendance.objects.filter(meeting=meeting, unit=unit).delete()
            if deleted:
                audit_rows.append({"unit": unit.pk, "status": ""})
            continue
        result.append(_attendance_write(meeting=meeting, unit=unit, data=data, actor=actor))
        audit_rows.append(_attendance_audit(unit, data))
    audit_event_record(
        actor=actor, action="attendance_record_many", target=meeting, data={"rows": audit_rows}
    )
    return result


# --- e-mail ------------------------------------------------------------------------------------


def meeting_invitations_send(*, meeting: Meeting, actor: Any) -> None:
    """Invite the leaders of the member units by e-mail: the worker sends the mails after
    the commit (meetings.tasks.meeting_invitations_send_task) and stamps
    invitations_sent_at. Asking again (the date or place changed) sends again; a task run
    twice for one request sends once."""
    from .. import tasks

    with transaction.atomic():
        meeting = _lock(meeting)
        requested_at = timezone.now()
        audit_event_record(
            actor=actor,
            action="meeting_invitations_send",
            target=meeting,
            data={"requested_at": requested_at.isoformat()},
        )
        meeting_id = meeting.pk
        transaction.on_commit(
            lambda: tasks.meeting_invitations_send_task.delay(meeting_id, requested_at.isoformat())
        )


def _mails_send(meeting: Meeting, template: str) -> int:
    from ..emails import meeting_mails

    sent = 0
    for mail in meeting_mails(meeting, template):
        try:
            send_mail(mail.subject, mail.body, None, [mail.to])
        except Exception:  # one mail server error must not stop the others
            logger.exception(
                "Could not send the meeting %s %s to %s", template, meeting.pk, mail.to
            )
            continue
        sent += 1
    return sent


def meeting_invitations_deliver(*, meeting_id: int, requested_at: dt.datetime | None = None) -> int:
    """The worker's half of meeting_invitations_send: claim the request (an UPDATE that
    only one run wins: invitations_sent_at is empty or older than the request), then
    e-mail every leader. Returns the number of mails sent (0 when already done)."""
    claim = Meeting.objects.filter(pk=meeting_id)
    if requested_at is not None:
        claim = claim.filter(
            Q(invitations_sent_at__isnull=True) | Q(invitations_sent_at__lt=requested_at)
        )
    else:
        claim = claim.filter(invitations_sent_at__isnull=True)
    if not claim.update(invitations_sent_at=timezone.now()):
        return 0
    meeting = Meeting.objects.select_related("bloc_year__bloc", "host_unit").get(pk=meeting_id)
    sent = _mails_send(meeting, "invitation")
    audit_event_record(
        actor=None, action="meeting_invitations_sent", target=meeting, data={"sent": sent}
    )
    return sent


def meeting_reminder_deliver(*, meeting_id: int) -> int:
    """Remind the leaders of one meeting, at most once (claimed by an UPDATE ... WHERE
    reminder_sent_at IS NULL). Returns the number of mails sent."""
    if not Meeting.objects.filter(pk=meeting_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    ):
        return 0
    meeting = Meeting.objects.select_related("bloc_year__bloc", "host_unit").get(pk=meeting_id)
    sent = _mails_send(meeting, "reminder")
    audit_event_record(
        actor=None, action="meeting_reminder_sent", target=meeting, data={"sent": sent}
    )
    return sent


def meeting_reminders_send(*, today: dt.date | None = None) -> int:
    """Run by Celery beat (settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]): e-mail the
    leaders of every meeting held tomorrow (local date, Asia/Ho_Chi_Minh) not reminded
    yet. Idempotent: a meeting is reminded once, however often this runs."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    ids = list(
        Meeting.objects.filter(held_on=tomorrow, reminder_sent_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(meeting_reminder_deliver(meeting_id=pk) for pk in ids)


def meeting_attendance_freeze(*, meeting: Meeting, actor: Any) -> Meeting:
    """Freeze the attendance (the first ballot opens). Idempotent; the ballots' service
    may set the field itself in its own transaction instead."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.attendance_frozen_at is None:
            meeting.attendance_frozen_at = timezone.now()
            meeting.save(update_fields=["attendance_frozen_at"])
            audit_event_record(actor=actor, action="meeting_attendance_freeze", target=meeting)
        return meeting
