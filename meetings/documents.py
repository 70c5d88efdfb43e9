"""The official documents of a meeting, through the shared document pipeline (documents/):

- `ballot_tally`: Biên bản kiểm phiếu of one closed or published ballot (DESIGN.md §8;
  reference/documents.md §2.1): the counting committee, the entitled / present / issued /
  returned / valid / invalid counts, per candidate the yes votes, the percentage on the
  rule set's base and the result, ties and how they were resolved, the time voting
  closed, the signatures of the committee's head and members, "số liệu minh họa" when the
  figures are illustrative. Issued (date and number) in the bloc-year's register of
  biên bản, "Số: 01/BB-KTĐ".
- `ballot_papers`: the printable paper ballots of a paper or mixed ballot that is not
  closed yet: numbered "Phiếu số 01" ..., several to an A4 page, with the meeting, the
  ballot's title and each candidate with the Đồng ý / Không đồng ý boxes. Not an issued
  document: no date, no number, no signer.
- `minutes`: Biên bản hội nghị of a SEALED version, rendered from its frozen
  `Minutes.content` (structure: meetings/services/minutes.py), with its version, the
  time it was sealed and the SHA-256 of the content; refused if the stored hash no longer
  matches the content. Issued in the same register as the tally records ("BB-KTĐ":
  Nghị định 30/2020, Phụ lục III gives "BB" for every biên bản, and the part after the
  dash is the issuer's, the bloc's "KTĐ", as in its other documents).
- `minutes_draft`: a preview of minutes not sealed yet, built from the current text
  (`minutes_content`), marked "DỰ THẢO" on every page and without a number: a draft is
  not an issued document, and a number per preview would empty the register.

Every kind is about one object (`DocumentKind.subject`: params "ballot_id" or
"minutes_id"), checked by its `clean_params` when it is requested: the object belongs to
the bloc-year of the request, it is in a state the document may be made of, and the user
runs the bloc-year's meetings (meetings.permissions.can_run_meeting: its secretariat and
administrators; the board reads the documents but issues none).
"""

import datetime as dt
import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from blocs.models import Membership
from documents.registry import DocumentKind, register
from documents.rendering import vn_date_line

from .models import Ballot, BallotParticipation, MeetingPerson, Minutes
from .permissions import can_run_meeting

TALLY = "ballot_tally"
PAPERS = "ballot_papers"
MINUTES = "minutes"
MINUTES_DRAFT = "minutes_draft"
REGISTER = "BB-KTĐ"
COPIES_MAX = 200


# --- params -----------------------------------------------------------------------------------


def _object_id(params: dict, key: str, missing: str) -> int:
    value = params.get(key)
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
    if not isinstance(value, int) or value <= 0:
        raise ValidationError(missing)
    return value


def _require_runner(user: Any, bloc_year: Any) -> None:
    if user is not None and not can_run_meeting(user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký khối của năm thi đua này mới lập được văn bản này."))


def _ballot_of(bloc_year: Any, params: dict) -> Ballot:
    ballot_id = _object_id(params, "ballot_id", _("Chưa chọn cuộc bỏ phiếu."))
    ballot = (
        Ballot.objects.select_related("meeting__bloc_year__bloc__province", "award_type")
        .filter(pk=ballot_id, meeting__bloc_year=bloc_year)
        .first()
    )
    if ballot is None:
        raise Http404(_("Không tìm thấy cuộc bỏ phiếu này trong năm thi đua."))
    return ballot


def _tally_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_runner(user, bloc_year)
    ballot = _ballot_of(bloc_year, params)
    if ballot.status not in (Ballot.Status.CLOSED, Ballot.Status.PUBLISHED):
        raise ValidationError(
            _(
                "Chỉ lập biên bản kiểm phiếu khi cuộc bỏ phiếu đã kết thúc (đang ở trạng thái: "
                "%(status)s)."
            )
            % {"status": ballot.get_status_display().lower()}
        )
    return {"ballot_id": ballot.pk}


def _papers_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_runner(user, bloc_year)
    ballot = _ballot_of(bloc_year, params)
    if ballot.method == Ballot.Method.ONLINE:
        raise ValidationError(
            _("Cuộc bỏ phiếu này chỉ bỏ phiếu trực tuyến, không dùng phiếu giấy.")
        )
    if ballot.status not in (Ballot.Status.CREATED, Ballot.Status.OPEN):
        raise ValidationError(_("Cuộc bỏ phiếu đã kết thúc: không in phiếu nữa."))
    copies = params.get("copies")
    if copies in (None, ""):
        copies = papers_default_copies(ballot=ballot)
    elif isinstance(copies, bool) or not isinstance(copies, int) or not 1 <= copies <= COPIES_MAX:
        raise ValidationError(
            {"copies": _("Số phiếu là số nguyên từ 1 đến %(max)s.") % {"max": COPIES_MAX}}
        )
    return {"ballot_id": ballot.pk, "copies": copies}


def _minutes_of(bloc_year: Any, params: dict) -> Minutes:
    minutes_id = _object_id(params, "minutes_id", _("Chưa chọn biên bản."))
    minutes = (
        Minutes.objects.select_related("meeting__bloc_year__bloc__province")
        .filter(pk=minutes_id, meeting__bloc_year=bloc_year)
        .first()
    )
    if minutes is None:
        raise Http404(_("Không tìm thấy biên bản này trong năm thi đua."))
    return minutes


def _minutes_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_runner(user, bloc_year)
    minutes = _minutes_of(bloc_year, params)
    if minutes.status != Minutes.Status.SEALED:
        raise ValidationError(
            _(
                "Biên bản chưa được chủ trì và thư ký thông qua, niêm phong: chỉ in được bản "
                "dự thảo."
            )
        )
    return {"minutes_id": minutes.pk}


def _minutes_draft_params(*, user: Any, bloc_year: Any, params: dict) -> dict:
    _require_runner(user, bloc_year)
    minutes = _minutes_of(bloc_year, params)
    if minutes.status == Minutes.Status.SEALED:
        raise ValidationError(
            _("Biên bản đã niêm phong: hãy tạo bản chính thức thay cho bản dự thảo.")
        )
    return {"minutes_id": minutes.pk}


def _tally_default_day(*, bloc_year: Any, params: dict) -> dt.date | None:
    """The day of the meeting: the record is made there, when voting closes (a ballot of
    a past meeting recorded later is still dated by its meeting)."""
    try:
        ballot = _ballot_of(bloc_year, params)
    except (ValidationError, Http404):
        return None
    return ballot.meeting.held_on


def _minutes_default_day(*, bloc_year: Any, params: dict) -> dt.date | None:
    """The day of the meeting, as a biên bản is dated."""
    try:
        return _minutes_of(bloc_year, params).meeting.held_on
    except (ValidationError, Http404):
        return None


# --- shared pieces ------------------------------------------------------------------------


def _local(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.localtime(value) if value else None


def time_phrase(value: Any) -> str:
    """ "10 giờ 35 phút, ngày 20/12/2020"."""
    moment = _local(value)
    if moment is None:
        return ""
    return f"{moment:%H} giờ {moment:%M} phút, ngày {moment:%d/%m/%Y}"


def _is_head(person: MeetingPerson) -> bool:
    words = f"{person.note} {person.title}".casefold()
    return any(w in words for w in ("tổ trưởng", "trưởng tổ", "trưởng ban"))


def counting_committee(*, meeting: Any) -> tuple[MeetingPerson | None, list[MeetingPerson]]:
    """(head, members) of the counting committee: the person whose note or title says
    "Tổ trưởng" (or "Trưởng ban"), else the first in order; the others are members."""
    people = list(
        MeetingPerson.objects.filter(meeting=meeting, role=MeetingPerson.Role.COUNTING)
        .select_related("unit")
        .order_by("order", "id")
    )
    if not people:
        return None, []
    head = next((p for p in people if _is_head(p)), people[0])
    return head, [p for p in people if p.pk != head.pk]


def meeting_short_name(kind: str, year: int) -> str:
    """ "Hội nghị tổng kết năm 2020", "Hội nghị sơ kết 6 tháng đầu năm 2020" (the kinds'
    labels end in "năm" / "6 tháng" and cannot simply be followed by the year)."""
    if kind == "year_end":
        return _("Hội nghị tổng kết năm %(year)s") % {"year": year}
    if kind == "mid_year":
        return _("Hội nghị sơ kết 6 tháng đầu năm %(year)s") % {"year": year}
    return _("Hội nghị năm %(year)s") % {"year": year}


def _meeting_name(meeting: Any) -> str:
    """ "Hội nghị tổng kết năm 2020 của Khối thi đua ..."."""
    bloc_year = meeting.bloc_year
    return _("%(meeting)s của %(bloc)s") % {
        "meeting": meeting_short_name(meeting.kind, bloc_year.year),
        "bloc": bloc_year.bloc.name,
    }


# --- the tally record ---------------------------------------------------------------------------


def _tally_context(job: Any) -> dict:
    from .selectors.ballots import ballot_result

    ballot = _ballot_of(job.bloc_year, job.params or {})
    if ballot.status not in (Ballot.Status.CLOSED, Ballot.Status.PUBLISHED):
        raise ValueError("The ballot of a tally record must be closed")
    meeting = ballot.meeting
    bloc_year = meeting.bloc_year
    result = ballot_result(ballot=ballot)
    head, members = counting_committee(meeting=meeting)
    election = ballot.kind == Ballot.Kind.ELECTION
    return {
        "job": job,
        "ballot": ballot,
        "meeting": meeting,
        "meeting_name": _meeting_name(meeting),
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "province": bloc_year.bloc.province,
        "result": result,
        "election": election,
        "elected": result.elected,
        "committee_head": head,
        "committee_members": members,
        "closed_phrase": time_phrase(ballot.closed_at),
        # Counted on the meeting's day: "Vào hồi 10 giờ 35 phút, ngày ..."; else (a past
        # meeting's ballot recorded later) the meeting's day, and the time voting closed
        # in the app further down.
        "counted_at_meeting": bool(
            ballot.closed_at and timezone.localdate(ballot.closed_at) == meeting.held_on
        ),
        "published_phrase": time_phrase(ballot.published_at),
        "mixed": ballot.method == Ballot.Method.MIXED,
        "paper": ballot.method != Ballot.Method.ONLINE,
        "next_year": bloc_year.year + 1,
    }


def _tally_filename(job: Any) -> str:
    return f"bien-ban-kiem-phieu-{job.params.get('ballot_id')}-{job.pk}.pdf"


# --- the paper ballots ------------------------------------------------------------------------

# Heights (mm) of a ballot's parts, for how many fit on a page (A4, 10 mm margins).
PAGE_MM = 277
FIXED_MM = 62
ROW_MM = 8.5


def papers_default_copies(*, ballot: Ballot) -> int:
    """One paper per entitled unit once the ballot is open, else one per member unit."""
    if ballot.status == Ballot.Status.OPEN:
        entitled = BallotParticipation.objects.filter(ballot=ballot).count()
        if entitled:
            return entitled
    return Membership.objects.filter(bloc_year_id=ballot.meeting.bloc_year_id).count() or 1


def papers_per_page(rows: int) -> int:
    """How many ballots of `rows` table rows (candidates and position headings) fit on an
    A4 page, 1 to 4."""
    return max(1, min(4, math.floor(PAGE_MM / (FIXED_MM + ROW_MM * rows))))


def _papers_context(job: Any) -> dict:
    ballot = _ballot_of(job.bloc_year, job.params or {})
    meeting = ballot.meeting
    bloc_year = meeting.bloc_year
    election = ballot.kind == Ballot.Kind.ELECTION
    candidates = list(ballot.candidates.select_related("unit").order_by("-position", "order", "id"))
    groups = []
    if election:
        for position, label in (("head", _("Trưởng khối")), ("deputy", _("Phó khối"))):
            items = [c for c in candidates if c.position == position]
            if items:
                groups.append({"label": label, "items": items})
        rows = len(candidates) + len(groups)
    else:
        groups.append({"label": "", "items": candidates})
        rows = len(candidates)
    copies = int((job.params or {}).get("copies") or papers_default_copies(ballot=ballot))
    per_page = papers_per_page(rows)
    width = max(2, len(str(copies)))
    numbers = [f"{n:0{width}d}" for n in range(1, copies + 1)]
    pages = [numbers[i : i + per_page] for i in range(0, copies, per_page)]
    return {
        "job": job,
        "ballot": ballot,
        "meeting": meeting,
        "meeting_name": _meeting_name(meeting),
        "meeting_short": meeting_short_name(meeting.kind, bloc_year.year),
        "bloc_year": bloc_year,
        "bloc": bloc_year.bloc,
        "province": bloc_year.bloc.province,
        "election": election,
        "groups": groups,
        "pages": pages,
        "per_page": per_page,
        "copies": copies,
        # Each ballot's box, so that a page holds exactly `per_page` of them.
        "ballot_height_mm": f"{PAGE_MM / per_page - 1:.1f}",
        "next_year": bloc_year.year + 1,
    }


def _papers_filename(job: Any) -> str:
    return f"phieu-bau-{job.params.get('ballot_id')}-{job.pk}.pdf"


# --- the minutes ----------------------------------------------------------------------------


def _paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (blank-line separated), each a list of its lines."""
    blocks = [b for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    return [[line for line in b.split("\n") if line.strip()] for b in blocks]


def _minutes_view(content: dict) -> dict:
    """The sealed content (plain JSON) with what the template needs to print it: local
    times, paragraphs, the units present and absent."""
    meeting = content["meeting"]
    units = content["attendance"]["units"]
    ballots = []
    for b in content.get("ballots", []):
        ballots.append(
            {
                **b,
                "closed_phrase": time_phrase(b.get("closed_at")),
                "election": b.get("kind") == Ballot.Kind.ELECTION,
                "elected": [r for r in b.get("rows", []) if r.get("elected")],
            }
        )
    approvals = {}
    for role in ("chair", "secretary"):
        a = (content.get("approvals") or {}).get(role)
        approvals[role] = {**a, "at_local": _local(a.get("at"))} if a else None
    starts = meeting.get("starts_at")
    return {
        **content,
        "time_line": (
            f"{starts.replace(':', ' giờ ')}, ngày {meeting['held_on_display']}"
            if starts
            else _("Ngày %(day)s") % {"day": meeting["held_on_display"]}
        ),
        "opening_paragraphs": _paragraphs(content.get("opening", "")),
        "closing_paragraphs": _paragraphs(content.get("closing", "")),
        "sections_view": [
            {**s, "paragraphs": _paragraphs(s.get("text", ""))} for s in content["sections"]
        ],
        "present_units": [u for u in units if u["status"] == "present"],
        "absent_units": [u for u in units if u["status"] in ("absent", "excused")],
        "ballots_view": ballots,
        "approvals_view": approvals,
        "sealed_local": _local(content["minutes"].get("sealed_at")),
    }


def _minutes_name(content: dict) -> str:
    return _("%(meeting)s của %(bloc)s") % {
        "meeting": meeting_short_name(content["meeting"]["kind"], content["bloc_year"]["year"]),
        "bloc": content["bloc"]["name"],
    }


def _minutes_common(job: Any, minutes: Minutes, content: dict, *, draft: bool) -> dict:
    view = _minutes_view(content)
    return {
        "job": job,
        "minutes": minutes,
        "c": view,
        "draft": draft,
        "meeting_name": _minutes_name(content),
        "province": content["province"],
        "bloc": content["bloc"],
        "bloc_year": job.bloc_year,
    }


def _minutes_context(job: Any) -> dict:
    from .services.minutes import minutes_verify

    minutes = _minutes_of(job.bloc_year, job.params or {})
    if minutes.status != Minutes.Status.SEALED or not minutes_verify(minutes=minutes):
        # Never print as sealed what does not match its hash.
        raise ValueError("The minutes are not sealed, or their content no longer matches its hash")
    return {
        **_minutes_common(job, minutes, minutes.content, draft=False),
        "sha256": minutes.sha256,
    }


def _minutes_draft_context(job: Any) -> dict:
    from .services.minutes import minutes_content

    minutes = _minutes_of(job.bloc_year, job.params or {})
    content = minutes_content(minutes=minutes)
    context = _minutes_common(job, minutes, content, draft=True)
    # A draft is dated by its meeting; it has no number of its own.
    context["date_line"] = vn_date_line(
        content["province"]["name"], dt.date.fromisoformat(content["meeting"]["held_on"])
    )
    return context


def _minutes_filename(job: Any) -> str:
    return f"bien-ban-hoi-nghi-{job.params.get('minutes_id')}-{job.pk}.pdf"


def _minutes_draft_filename(job: Any) -> str:
    return f"du-thao-bien-ban-hoi-nghi-{job.params.get('minutes_id')}-{job.pk}.pdf"


def _can_request(user: Any, bloc_year: Any) -> bool:
    return can_run_meeting(user, bloc_year)


BALLOT_TALLY = register(
    DocumentKind(
        code=TALLY,
        title=gettext_lazy("Biên bản kiểm phiếu"),
        template="meetings/pdf/ballot_tally_pdf.html",
        build_context=_tally_context,
        filename=_tally_filename,
        can_request=_can_request,
        number_code=REGISTER,
        signed=False,  # by the counting committee, named in the record
        subject="ballot_id",
        clean_params=_tally_params,
        default_issued_on=_tally_default_day,
    )
)

BALLOT_PAPERS = register(
    DocumentKind(
        code=PAPERS,
        title=gettext_lazy("Phiếu bầu in sẵn"),
        template="meetings/pdf/ballot_papers_pdf.html",
        build_context=_papers_context,
        filename=_papers_filename,
        can_request=_can_request,
        issued=False,
        signed=False,
        subject="ballot_id",
        clean_params=_papers_params,
        copies_max=COPIES_MAX,
    )
)

MINUTES_PDF = register(
    DocumentKind(
        code=MINUTES,
        title=gettext_lazy("Biên bản hội nghị"),
        template="meetings/pdf/minutes_pdf.html",
        build_context=_minutes_context,
        filename=_minutes_filename,
        can_request=_can_request,
        number_code=REGISTER,
        signed=False,  # by the chair and the secretary of the meeting
        subject="minutes_id",
        clean_params=_minutes_params,
        default_issued_on=_minutes_default_day,
    )
)

MINUTES_DRAFT_PDF = register(
    DocumentKind(
        code=MINUTES_DRAFT,
        title=gettext_lazy("Dự thảo biên bản hội nghị"),
        template="meetings/pdf/minutes_pdf.html",
        build_context=_minutes_draft_context,
        filename=_minutes_draft_filename,
        can_request=_can_request,
        number_code=REGISTER,  # printed as a blank number: "Số:      /BB-KTĐ"
        issued=False,
        signed=False,
        subject="minutes_id",
        clean_params=_minutes_draft_params,
    )
)
