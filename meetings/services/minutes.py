"""Writes of the minutes (biên bản hội nghị, DESIGN.md §8): draft, edit, amendment window,
approval by chair and secretary, seal, new version.

Life of one version (a `Minutes` row):

    draft ──minutes_amendments_open──▶ amending ──(window over or closed)──┐
      │                                                                    ▼
      └──────────────minutes_approve (chair or secretary)─────────────▶ approved
                                                    (both approvals in) ──▶ sealed

- `draft` / `amending`: the secretariat edits the opening and the closing
  (`minutes_update`) and the text of each section (`minutes_section_update`); it opens
  the window (`minutes_amendments_open`, up to 30 days) and may end it early
  (`minutes_amendments_close`); during `amending` and before `amend_until` a
  leader or staff user of a unit PRESENT at the meeting proposes amendments; the
  secretariat accepts (and takes them into the text) or declines them, with a note.
- approval (`minutes_approve`) needs the window over (or never opened: minutes approved
  at the meeting itself), no pending amendment and no ballot of the meeting still open;
  only the user named on the meeting's chair or secretary (MeetingPerson.user) approves.
- `approved`: one of the two approvals is in; the text no longer changes.
- `sealed`: both approvals are in; `content` holds the frozen content (below), `sha256`
  its hash, `sealed_at` the time. Nothing of the row, its sections or its amendments
  changes again (these services refuse, and the triggers of migration 0003 refuse UPDATE
  and DELETE in the database). A correction is `minutes_new_version` (a new draft with the
  sections copied; the sealed version stays).

Sealed content (`Minutes.content`, built by `minutes_content`), the input of the minutes
PDF (document type BB). Plain JSON: strings, ints, bools, null, lists, objects. Dates are
ISO strings ("2019-12-11") with a ready "dd/mm/yyyy" twin; datetimes ISO 8601 with offset
in Asia/Ho_Chi_Minh; percentages are strings ("88.9", as the ballot's result rounds them)
with a ready Vietnamese label ("88,9%"), never floats.

    {
      "schema": "khoithidua/bien-ban-hoi-nghi/v1",
      "minutes": {"id": 7, "version": 1, "sealed_at": "2019-12-12T09:00:00+07:00" | null},
      "province": {"id", "name", "board_name", "authority_name"},
      "bloc": {"id", "name", "number": int | null},
      "bloc_year": {"id", "year"},
      "meeting": {
        "id", "kind": "mid_year" | "year_end" | "other",
        "kind_label": "Hội nghị tổng kết năm",
        "held_on": "2019-12-11", "held_on_display": "11/12/2019",
        "starts_at": "08:00" | null, "place": "...",
        "host_unit": {"id", "name"} | null, "summary": "..."
      },
      "people": {                      # each list in the meeting's order; may be empty
        "chair": [PERSON], "secretary": [PERSON], "guest": [PERSON], "counting": [PERSON]
      },                               # PERSON = {"name", "title", "unit": "" | name, "note"}
      "attendance": {
        "members": 9, "present": 8, "absent": 1, "excused": 0, "unrecorded": 0,
        "quorum": {"required": 6, "met": true, "numerator": 2, "denominator": 3,
                   "label": "Có mặt 8/9 đơn vị (yêu cầu ít nhất 6 = 2/3): đủ điều kiện ..."},
        "units": [                     # every member unit, head and deputy first, then by name
          {"unit_id", "unit": "Sở Công Thương", "role": "head" | "deputy" | "member",
           "status": "present" | "absent" | "excused" | "",   # "": not recorded
           "status_label": "Có mặt", "representative_name": "...",
           "representative_title": "..."}
        ]
      },
      "opening": "text (paragraphs separated by blank lines)",
      "sections": [                    # one per agenda item, in order
        {"order": 1, "title": "...", "presenter": "...", "text": "free text"}
      ],
      "ballots": [                     # each closed or published ballot of the meeting, by id
        {"id", "kind": "nomination" | "election", "kind_label", "title",
         "award_type": "" | "Cờ thi đua của UBND tỉnh", "method", "method_label",
         "status": "closed" | "published", "closed_at": iso | null,
         "illustrative": bool,          # true: "số liệu minh họa" must be printed
         "small_electorate": bool,
         "members", "present", "entitled", "issued", "returned", "valid", "invalid",
                                        # ints, or null when not known
         "base": "members" | "present" | "valid", "base_label", "base_count",
         "threshold_label": "trên 1/2", "tie_note": "",
         "rows": [{"unit_id", "unit", "position": "" | "head" | "deputy",
                   "position_label", "yes", "no", "blank", "percent": "88.9",
                   "percent_label": "88,9%",
                   "passed": bool, "elected": bool}]}
      ],
      "closing": "text",
      "amendments": [                  # every amendment with its resolution
        {"unit": "...", "section": "" | section title, "text": "...",
         "resolution": "pending" | "accepted" | "declined", "resolution_label", "note"}
      ],
      "approvals": {
        "chair": {"name", "username", "at": iso} | null,
        "secretary": {"name", "username", "at": iso} | null
      }
    }

The PDF prints: the header, "BIÊN BẢN HỘI NGHỊ" with meeting.kind_label, time and place,
the people ("Chủ trì", "Thư ký", "Khách mời"), the attendance (counts, units present and
absent, the quorum label), "opening", each section (title, text), "Kết quả bỏ phiếu" with
each ballot's table, "closing", then the signatures of chair and secretary.

`minutes_verify(minutes=...)` recomputes the hash: sha256 over the canonical JSON of
`content` (sort_keys, ensure_ascii=False, separators (",", ":"), strings NFC, UTF-8).
"""

import copy
import datetime as dt
import hashlib
import json
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from blocs.models import Unit
from core.names import person_name
from core.permissions import user_scopes
from core.services import actor_user, actor_username, audit_event_record

from ..models import (
    Attendance,
    Ballot,
    Meeting,
    MeetingPerson,
    Minutes,
    MinutesAmendment,
    MinutesSection,
)
from ..permissions import can_run_meeting
from .meetings import clean_text

SCHEMA = "khoithidua/bien-ban-hoi-nghi/v1"
TEXT_MAX = 20000
AMENDMENT_MAX = 5000
NOTE_MAX = 500
WINDOW_MAX_DAYS = 30
EDITABLE = (Minutes.Status.DRAFT, Minutes.Status.AMENDING)


# --- canonical JSON and the hash ---------------------------------------------------------------


def _nfc(obj: Any) -> Any:
    if isinstance(obj, str):
        return unicodedata.normalize("NFC", obj)
    if isinstance(obj, dict):
        return {_nfc(k): _nfc(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_nfc(v) for v in obj]
    return obj


def canonical_bytes(content: dict) -> bytes:
    """Sorted-key JSON without spaces, strings NFC-normalised, encoded as UTF-8."""
    return json.dumps(
        _nfc(content), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()


def minutes_verify(*, minutes: Minutes) -> bool:
    """Does the stored hash match the stored content (recomputed now)? False for minutes
    that are not sealed."""
    row = Minutes.objects.filter(pk=minutes.pk).values("status", "content", "sha256").first() or {}
    if row.get("status") != Minutes.Status.SEALED or not row.get("content"):
        return False
    return content_hash(row["content"]) == row["sha256"]


# --- errors and locks ------------------------------------------------------------------------


def _sealed_error(field: str | None = None) -> ValidationError:
    message = _("Biên bản đã niêm phong, không thể sửa. Hãy tạo phiên bản mới.")
    return ValidationError({field: message} if field else message)


def _not_editable_error(minutes: Minutes, field: str | None = None) -> ValidationError:
    if minutes.status == Minutes.Status.SEALED:
        return _sealed_error(field)
    message = _("Biên bản đã được thông qua, không thể sửa nội dung.")
    return ValidationError({field: message} if field else message)


def _lock(minutes: Minutes) -> Minutes:
    return (
        Minutes.objects.select_for_update(of=("self",))
        .select_related("meeting__bloc_year__bloc__province")
        .get(pk=minutes.pk)
    )


def _text_clean(value: Any, *, field: str, limit: int, errors: dict, required: bool = False):
    text = clean_text(value)
    if required and not text:
        errors[field] = _("Nhập nội dung.")
    elif len(text) > limit:
        errors[field] = _("Tối đa %(max)s ký tự (đang có %(count)s).") % {
            "max": limit,
            "count": len(text),
        }
    return text


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


# --- the draft ------------------------------------------------------------------------------


def _people_phrase(people: list[MeetingPerson]) -> str:
    parts = []
    for p in people:
        part = p.name
        if p.title:
            part += ", " + p.title
        if p.unit_id and p.unit and p.unit.name not in (p.title or ""):
            part += " (" + p.unit.name + ")"
        parts.append(part)
    return "; ".join(parts)


def _opening_text(meeting: Meeting) -> str:
    """The opening of a draft, from the meeting's data: time, place, people, attendance.
    The secretariat edits it freely before the approval."""
    from ..selectors.meetings import meeting_attendance_rows, meeting_quorum

    bloc_year = meeting.bloc_year
    people: dict[str, list[MeetingPerson]] = {r: [] for r in MeetingPerson.Role.values}
    for p in meeting.people.select_related("unit").order_by("role", "order", "id"):
        people[p.role].append(p)
    values = {
        "date": date_format(meeting.held_on, "d/m/Y"),
        "bloc": bloc_year.bloc.name,
        # "hội nghị tổng kết năm" + " năm 2019" would say "năm" twice.
        "kind": meeting.get_kind_display().lower().removesuffix(" năm"),
        "year": bloc_year.year,
        "place": meeting.place or (meeting.host_unit.name if meeting.host_unit else "…"),
    }
    if meeting.starts_at:
        values["time"] = meeting.starts_at.strftime("%H giờ %M")
        first = _(
            "Vào hồi %(time)s, ngày %(date)s, tại %(place)s, %(bloc)s tổ chức %(kind)s năm "
            "%(year)s."
        )
    else:
        first = _("Ngày %(date)s, tại %(place)s, %(bloc)s tổ chức %(kind)s năm %(year)s.")
    paragraphs = [first % values]
    lines = []
    if people[MeetingPerson.Role.CHAIR]:
        chairs = people[MeetingPerson.Role.CHAIR]
        label = _("Chủ trì hội nghị") if len(chairs) == 1 else _("Đồng chủ trì hội nghị")
        lines.append(label + ": " + _people_phrase(chairs) + ".")
    if people[MeetingPerson.Role.SECRETARY]:
        lines.append(
            _("Thư ký hội nghị") + ": " + _people_phrase(people[MeetingPerson.Role.SECRETARY]) + "."
        )
    if people[MeetingPerson.Role.GUEST]:
        lines.append(_("Khách mời") + ": " + _people_phrase(people[MeetingPerson.Role.GUEST]) + ".")
    if lines:
        paragraphs.append("\n".join(lines))
    rows = meeting_attendance_rows(meeting=meeting)
    quorum = meeting_quorum(meeting=meeting)
    present = [r.unit.name for r in rows if r.status == Attendance.Status.PRESENT]
    absent = [
        r.unit.name + (" " + _("(có lý do)") if r.status == Attendance.Status.EXCUSED else "")
        for r in rows
        if r.status in (Attendance.Status.ABSENT, Attendance.Status.EXCUSED)
    ]
    attendance = _("Đơn vị thành viên dự họp: %(present)s/%(members)s đơn vị.") % {
        "present": len(present),
        "members": len(rows),
    }
    if present:
        attendance += "\n" + _("Có mặt: %(units)s.") % {"units": ", ".join(present)}
    if absent:
        attendance += "\n" + _("Vắng mặt: %(units)s.") % {"units": ", ".join(absent)}
    attendance += "\n" + quorum.label + "."
    paragraphs.append(attendance)
    return "\n\n".join(paragraphs)


def _closing_text(meeting: Meeting) -> str:
    return _(
        "Hội nghị kết thúc vào hồi … giờ … cùng ngày. Biên bản được các đơn vị có mặt góp ý, "
        "chủ trì và thư ký hội nghị thông qua."
    )


def _latest(meeting: Meeting) -> Minutes | None:
    return Minutes.objects.filter(meeting=meeting).order_by("-version").first()


def _version_taken() -> ValidationError:
    return ValidationError(_("Biên bản vừa được tạo bởi người khác; hãy tải lại trang."))


@transaction.atomic
def minutes_draft(*, meeting: Meeting, actor: Any) -> Minutes:
    """Version 1 of the minutes (or the next version after a sealed one), drafted from the
    meeting's data: the opening (time, place, people, attendance), one section per agenda
    item, the closing. The ballots' results are not copied as text: they are inserted from
    the ballots when the content is built (`minutes_content`) and frozen at the seal."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("bloc_year__bloc__province", "host_unit")
        .get(pk=meeting.pk)
    )
    latest = _latest(meeting)
    if latest is not None and latest.status != Minutes.Status.SEALED:
        raise ValidationError(
            _("Hội nghị đã có biên bản phiên bản %(version)s chưa niêm phong.")
            % {"version": latest.version}
        )
    version = latest.version + 1 if latest else 1
    try:
        with transaction.atomic():
            minutes = Minutes.objects.create(
                meeting=meeting,
                version=version,
                opening=_opening_text(meeting),
                closing=_closing_text(meeting),
                created_by=actor_user(actor),
                created_by_username=actor_username(actor),
            )
    except IntegrityError:
        raise _version_taken() from None
    MinutesSection.objects.bulk_create(
        MinutesSection(minutes=minutes, agenda_item=item, order=item.order, title=item.title)
        for item in meeting.agenda_items.order_by("order")
    )
    audit_event_record(
        actor=actor, action="minutes_draft", target=minutes, data={"version": version}
    )
    return minutes


@transaction.atomic
def minutes_update(
    *, minutes: Minutes, actor: Any, opening: str | None = None, closing: str | None = None
) -> Minutes:
    """Edit the opening and/or the closing (draft or amending only; ≤ 20000 characters)."""
    minutes = _lock(minutes)
    if minutes.status not in EDITABLE:
        raise _not_editable_error(minutes)
    errors: dict = {}
    changed = []
    for field, value in (("opening", opening), ("closing", closing)):
        if value is None:
            continue
        text = _text_clean(value, field=field, limit=TEXT_MAX, errors=errors)
        if text != getattr(minutes, field):
            setattr(minutes, field, text)
            changed.append(field)
    if errors:
        raise ValidationError(errors)
    if changed:
        minutes.save(update_fields=changed)
        audit_event_record(
            actor=actor, action="minutes_update", target=minutes, data={"fields": changed}
        )
    return minutes


@transaction.atomic
def minutes_section_update(*, section: MinutesSection, text: str, actor: Any) -> MinutesSection:
    """The free text under one agenda item (draft or amending only; ≤ 20000 characters)."""
    minutes = _lock(section.minutes)
    if minutes.status not in EDITABLE:
        raise _not_editable_error(minutes, "text")
    section = MinutesSection.objects.select_for_update().get(pk=section.pk, minutes=minutes)
    errors: dict = {}
    cleaned = _text_clean(text, field="text", limit=TEXT_MAX, errors=errors)
    if errors:
        raise ValidationError(errors)
    if cleaned != section.text:
        section.text = cleaned
        section.save(update_fields=["text"])
        audit_event_record(
            actor=actor,
            action="minutes_section_update",
            target=minutes,
            data={"section": section.pk, "length": len(cleaned)},
        )
    return section


# --- the amendment window -------------------------------------------------------------------


@transaction.atomic
def minutes_amendments_open(*, minutes: Minutes, until: dt.datetime, actor: Any) -> Minutes:
    """Open (or move) the window in which the units present propose amendments: `until` an
    aware datetime in the future, at most 30 days away."""
    minutes = _lock(minutes)
    if minutes.status not in EDITABLE:
        raise _not_editable_error(minutes, "until")
    now = timezone.now()
    if not isinstance(until, dt.datetime) or timezone.is_naive(until):
        raise ValidationError({"until": _("Nhập hạn góp ý (ngày và giờ).")})
    if until <= now:
        raise ValidationError({"until": _("Hạn góp ý phải sau thời điểm hiện tại.")})
    if until > now + dt.timedelta(days=WINDOW_MAX_DAYS):
        raise ValidationError(
            {
                "until": _("Hạn góp ý tối đa %(days)s ngày kể từ hôm nay.")
                % {"days": WINDOW_MAX_DAYS}
            }
        )
    minutes.status = Minutes.Status.AMENDING
    minutes.amend_until = until
    minutes.save(update_fields=["status", "amend_until"])
    audit_event_record(
        actor=actor,
        action="minutes_amendments_open",
        target=minutes,
        data={"until": until.isoformat()},
    )
    return minutes


@transaction.atomic
def minutes_amendments_close(*, minutes: Minutes, actor: Any) -> Minutes:
    """End the window now (the secretariat, when every unit has answered)."""
    minutes = _lock(minutes)
    if minutes.status != Minutes.Status.AMENDING:
        if minutes.status == Minutes.Status.SEALED:
            raise _sealed_error()
        raise ValidationError(_("Biên bản không trong thời gian lấy ý kiến."))
    now = timezone.now()
    if minutes.amend_until and minutes.amend_until > now:
        minutes.amend_until = now
        minutes.save(update_fields=["amend_until"])
        audit_event_record(actor=actor, action="minutes_amendments_close", target=minutes)
    return minutes


def amendment_units(*, minutes: Minutes, user: Any) -> list[Unit]:
    """The units for which `user` may propose amendments: units PRESENT at the meeting of
    which the user is an active leader or staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    unit_ids = user_scopes(user).unit_ids
    if not unit_ids:
        return []
    return [
        a.unit
        for a in Attendance.objects.filter(
            meeting_id=minutes.meeting_id,
            status=Attendance.Status.PRESENT,
            unit_id__in=unit_ids,
        )
        .select_related("unit")
        .order_by("unit__name")
    ]


@transaction.atomic
def minutes_amendment_propose(
    *,
    minutes: Minutes,
    unit: Unit,
    user: Any,
    text: str,
    section: MinutesSection | None = None,
) -> MinutesAmendment:
    """An amendment by a leader or staff user of a unit present at the meeting, while the
    window is open. `section` (optional) is the section it concerns. Text 1-5000."""
    minutes = _lock(minutes)
    if minutes.status == Minutes.Status.SEALED:
        raise _sealed_error("text")
    if minutes.status != Minutes.Status.AMENDING:
        raise ValidationError({"text": _("Biên bản không trong thời gian lấy ý kiến.")})
    if minutes.amend_until is None or timezone.now() >= minutes.amend_until:
        raise ValidationError({"text": _("Hạn góp ý đã kết thúc.")})
    errors: dict = {}
    if not isinstance(unit, Unit) or unit.pk not in {
        u.pk for u in amendment_units(minutes=minutes, user=user)
    }:
        errors["unit"] = _(
            "Chỉ lãnh đạo, cán bộ của đơn vị có mặt tại hội nghị mới được góp ý biên bản."
        )
    if section is not None and (
        not isinstance(section, MinutesSection) or section.minutes_id != minutes.pk
    ):
        errors["section"] = _("Mục không thuộc biên bản này.")
    cleaned = _text_clean(text, field="text", limit=AMENDMENT_MAX, errors=errors, required=True)
    if errors:
        raise ValidationError(errors)
    amendment = MinutesAmendment.objects.create(
        minutes=minutes,
        section=section,
        unit=unit,
        author=user,
        author_username=user.get_username(),
        text=cleaned,
    )
    audit_event_record(
        actor=user,
        action="minutes_amendment_propose",
        target=minutes,
        data={"amendment": amendment.pk, "unit": unit.pk},
    )
    return amendment


@transaction.atomic
def minutes_amendment_resolve(
    *, amendment: MinutesAmendment, accepted: bool, note: str, actor: Any
) -> MinutesAmendment:
    """The secretariat takes an amendment into the text (accepted: it edits the section
    itself) or declines it (a note is required then). Only once per amendment."""
    minutes = _lock(amendment.minutes)
    if minutes.status == Minutes.Status.SEALED:
        raise _sealed_error("note")
    if getattr(actor, "is_authenticated", False) and not can_run_meeting(
        actor, minutes.meeting.bloc_year
    ):
        raise ValidationError(_("Chỉ thư ký khối mới xử lý được góp ý biên bản."))
    amendment = MinutesAmendment.objects.select_for_update().get(pk=amendment.pk)
    if amendment.resolution != MinutesAmendment.Resolution.PENDING:
        raise ValidationError({"note": _("Góp ý này đã được xử lý.")})
    errors: dict = {}
    cleaned = _text_clean(note, field="note", limit=NOTE_MAX, errors=errors)
    if not accepted and not cleaned and "note" not in errors:
        errors["note"] = _("Nhập lý do không tiếp thu.")
    if errors:
        raise ValidationError(errors)
    amendment.resolution = (
        MinutesAmendment.Resolution.ACCEPTED if accepted else MinutesAmendment.Resolution.DECLINED
    )
    amendment.resolution_note = cleaned
    amendment.save(update_fields=["resolution", "resolution_note"])
    audit_event_record(
        actor=actor,
        action="minutes_amendment_resolve",
        target=minutes,
        data={"amendment": amendment.pk, "resolution": amendment.resolution},
    )
    return amendment


# --- approval and seal ------------------------------------------------------------------------


def approver_roles(*, minutes: Minutes, user: Any) -> set[str]:
    """ "chair" and/or "secretary": the parts `user` holds at the minutes' meeting (an
    active account named on a MeetingPerson of that role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(
        MeetingPerson.objects.filter(
            meeting_id=minutes.meeting_id,
            user=user,
            role__in=[MeetingPerson.Role.CHAIR, MeetingPerson.Role.SECRETARY],
        ).values_list("role", flat=True)
    )


@transaction.atomic
def minutes_approve(*, minutes: Minutes, user: Any) -> Minutes:
    """Approval by the chair's user or the secretary's user (MeetingPerson of the meeting).
    Only when the amendment window is over (or none was opened), no amendment is pending
    and no ballot of the meeting is still open. From the first approval the text is
    frozen; with both, the minutes are sealed: the content (minutes_content) is frozen in
    `content`, hashed (sha256 of the canonical JSON) and `sealed_at` is set."""
    minutes = _lock(minutes)
    if minutes.status == Minutes.Status.SEALED:
        raise _sealed_error()
    roles = approver_roles(minutes=minutes, user=user)
    if not roles:
        raise ValidationError(
            _(
                "Chỉ chủ trì hoặc thư ký hội nghị (có tài khoản ghi trong thành phần hội nghị) "
                "mới thông qua được biên bản."
            )
        )
    now = timezone.now()
    if (
        minutes.status == Minutes.Status.AMENDING
        and minutes.amend_until
        and now < (minutes.amend_until)
    ):
        raise ValidationError(
            _("Chưa hết hạn góp ý (đến %(until)s).")
            % {"until": date_format(timezone.localtime(minutes.amend_until), "H:i d/m/Y")}
        )
    pending = minutes.amendments.filter(resolution=MinutesAmendment.Resolution.PENDING).count()
    if pending:
        raise ValidationError(_("Còn %(count)s góp ý chưa xử lý.") % {"count": pending})
    if Ballot.objects.filter(meeting_id=minutes.meeting_id, status=Ballot.Status.OPEN).exists():
        raise ValidationError(_("Còn cuộc bỏ phiếu đang diễn ra tại hội nghị."))
    role = None
    if MeetingPerson.Role.CHAIR in roles and minutes.chair_approved_at is None:
        role = "chair"
    elif MeetingPerson.Role.SECRETARY in roles and minutes.secretary_approved_at is None:
        role = "secretary"
    if role is None:
        raise ValidationError(_("Bạn đã thông qua biên bản này."))
    setattr(minutes, f"{role}_approved_at", now)
    setattr(minutes, f"{role}_approved_by", user)
    setattr(minutes, f"{role}_approved_by_username", user.get_username())
    fields = [f"{role}_approved_at", f"{role}_approved_by", f"{role}_approved_by_username"]
    minutes.status = Minutes.Status.APPROVED
    fields.append("status")
    sealed = minutes.chair_approved_at is not None and minutes.secretary_approved_at is not None
    if sealed:
        minutes.sealed_at = now
        content = _nfc(_content_build(minutes))
        minutes.content = content
        minutes.sha256 = content_hash(content)
        minutes.status = Minutes.Status.SEALED
        fields += ["sealed_at", "content", "sha256"]
    minutes.save(update_fields=fields)
    audit_event_record(
        actor=user,
        action="minutes_seal" if sealed else "minutes_approve",
        target=minutes,
        data={"role": role, **({"sha256": minutes.sha256} if sealed else {})},
    )
    return minutes


@transaction.atomic
def minutes_new_version(*, minutes: Minutes, actor: Any) -> Minutes:
    """A correction of sealed minutes: a new draft (next version) with the opening, the
    closing and the sections copied; the sealed version stays as it is."""
    Meeting.objects.select_for_update(of=("self",)).get(pk=minutes.meeting_id)
    minutes = Minutes.objects.get(pk=minutes.pk)
    if minutes.status != Minutes.Status.SEALED:
        raise ValidationError(_("Chỉ tạo phiên bản mới từ biên bản đã niêm phong."))
    latest = _latest(minutes.meeting)
    if latest.pk != minutes.pk:
        raise ValidationError(
            _("Đã có phiên bản %(version)s mới hơn.") % {"version": latest.version}
        )
    try:
        with transaction.atomic():
            new = Minutes.objects.create(
                meeting_id=minutes.meeting_id,
                version=minutes.version + 1,
                opening=minutes.opening,
                closing=minutes.closing,
                created_by=actor_user(actor),
                created_by_username=actor_username(actor),
            )
    except IntegrityError:
        raise _version_taken() from None
    MinutesSection.objects.bulk_create(
        MinutesSection(
            minutes=new,
            agenda_item_id=s.agenda_item_id,
            order=s.order,
            title=s.title,
            text=s.text,
        )
        for s in minutes.sections.order_by("order")
    )
    audit_event_record(
        actor=actor,
        action="minutes_new_version",
        target=new,
        data={"from": minutes.pk, "version": new.version},
    )
    return new


# --- the content ----------------------------------------------------------------------------


def minutes_content(*, minutes: Minutes) -> dict:
    """The full structured content (module docstring): the frozen copy of sealed minutes,
    else built now from the meeting, the sections and the ballots' results (a preview)."""
    if minutes.status == Minutes.Status.SEALED and minutes.content:
        return copy.deepcopy(minutes.content)
    return _content_build(minutes)


def _person(p: MeetingPerson) -> dict:
    return {
        "name": p.name,
        "title": p.title,
        "unit": p.unit.name if p.unit_id else "",
        "note": p.note,
    }


def _approval(at: dt.datetime | None, user: Any) -> dict | None:
    if at is None:
        return None
    return {
        "name": person_name(user) if user else "",
        "username": user.get_username() if user else "",
        "at": _iso(at),
    }


def _ballot_results(meeting: Meeting) -> list[dict]:
    ballots = list(
        Ballot.objects.filter(
            meeting=meeting, status__in=[Ballot.Status.CLOSED, Ballot.Status.PUBLISHED]
        )
        .select_related("award_type")
        .order_by("id")
    )
    if not ballots:
        return []
    try:
        from ..selectors.ballots import ballot_result
    except ImportError:  # pragma: no cover - the ballots' selectors ship with this app
        ballot_result = None
    out = []
    for b in ballots:
        entry = {
            "id": b.pk,
            "kind": b.kind,
            "kind_label": b.get_kind_display(),
            "title": b.title,
            "award_type": b.award_type.name if b.award_type_id else "",
            "method": b.method,
            "method_label": b.get_method_display(),
            "status": b.status,
            "closed_at": _iso(b.closed_at),
            "illustrative": b.illustrative,
        }
        if ballot_result is None:  # pragma: no cover
            out.append({**entry, "rows": []})
            continue
        r = ballot_result(ballot=b)
        entry.update(
            {
                "small_electorate": bool(r.small_electorate),
                "members": r.members,
                "present": r.present,
                "entitled": r.entitled,
                "issued": r.issued,
                "returned": r.returned,
                "valid": r.valid,
                "invalid": r.invalid,
                "base": r.base,
                "base_label": str(r.base_label),
                "base_count": r.base_count,
                "threshold_label": str(r.threshold_label),
                "tie_note": r.tie_note or "",
                "rows": [
                    {
                        "unit_id": row.unit.pk,
                        "unit": row.unit.name,
                        "position": row.position,
                        "position_label": str(row.position_label),
                        "yes": row.yes,
                        "no": row.no,
                        "blank": row.blank,
                        "percent": format(row.percent, "f"),
                        "percent_label": row.percent_label,
                        "passed": bool(row.passed),
                        "elected": bool(row.elected),
                    }
                    for row in r.rows
                ],
            }
        )
        out.append(entry)
    return out


def _content_build(minutes: Minutes) -> dict:
    from ..selectors.meetings import meeting_attendance_rows, meeting_quorum

    meeting = Meeting.objects.select_related("bloc_year__bloc__province", "host_unit").get(
        pk=minutes.meeting_id
    )
    bloc_year = meeting.bloc_year
    bloc, province = bloc_year.bloc, bloc_year.bloc.province
    people: dict[str, list[dict]] = {role: [] for role in MeetingPerson.Role.values}
    for p in meeting.people.select_related("unit").order_by("role", "order", "id"):
        people[p.role].append(_person(p))
    rows = meeting_attendance_rows(meeting=meeting)
    quorum = meeting_quorum(meeting=meeting)
    counts = dict.fromkeys(Attendance.Status.values, 0)
    units = []
    for row in rows:
        a = row.attendance
        if a is not None:
            counts[a.status] += 1
        units.append(
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "role": row.membership.role,
                "status": a.status if a else "",
                "status_label": a.get_status_display() if a else _("Chưa điểm danh"),
                "representative_name": a.representative_name if a else "",
                "representative_title": a.representative_title if a else "",
            }
        )
    sections = [
        {
            "order": s.order,
            "title": s.title,
            "presenter": s.agenda_item.presenter if s.agenda_item_id else "",
            "text": s.text,
        }
        for s in minutes.sections.select_related("agenda_item").order_by("order")
    ]
    amendments = [
        {
            "unit": a.unit.name,
            "section": a.section.title if a.section_id else "",
            "text": a.text,
            "resolution": a.resolution,
            "resolution_label": a.get_resolution_display(),
            "note": a.resolution_note,
        }
        for a in minutes.amendments.select_related("unit", "section").order_by("created_at", "id")
    ]
    return {
        "schema": SCHEMA,
        "minutes": {
            "id": minutes.pk,
            "version": minutes.version,
            "sealed_at": _iso(minutes.sealed_at),
        },
        "province": {
            "id": province.pk,
            "name": province.name,
            "board_name": province.board_name,
            "authority_name": province.authority_name,
        },
        "bloc": {"id": bloc.pk, "name": bloc.name, "number": bloc.number},
        "bloc_year": {"id": bloc_year.pk, "year": bloc_year.year},
        "meeting": {
            "id": meeting.pk,
            "kind": meeting.kind,
            "kind_label": meeting.get_kind_display(),
            "held_on": meeting.held_on.isoformat(),
            "held_on_display": date_format(meeting.held_on, "d/m/Y"),
            "starts_at": meeting.starts_at.strftime("%H:%M") if meeting.starts_at else None,
            "place": meeting.place,
            "host_unit": (
                {"id": meeting.host_unit.pk, "name": meeting.host_unit.name}
                if meeting.host_unit_id
                else None
            ),
            "summary": meeting.summary,
        },
        "people": people,
        "attendance": {
            "members": quorum.members,
            "present": counts[Attendance.Status.PRESENT],
            "absent": counts[Attendance.Status.ABSENT],
            "excused": counts[Attendance.Status.EXCUSED],
            "unrecorded": sum(1 for u in units if not u["status"]),
            "quorum": {
                "required": quorum.required,
                "met": quorum.met,
                "numerator": quorum.numerator,
                "denominator": quorum.denominator,
                "label": quorum.label,
            },
            "units": units,
        },
        "opening": minutes.opening,
        "sections": sections,
        "ballots": _ballot_results(meeting),
        "closing": minutes.closing,
        "amendments": amendments,
        "approvals": {
            "chair": _approval(minutes.chair_approved_at, minutes.chair_approved_by),
            "secretary": _approval(minutes.secretary_approved_at, minutes.secretary_approved_by),
        },
    }
