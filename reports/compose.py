"""The facts of a report, composed from the year's data (DESIGN.md §10).

`report_facts_compose(bloc_year=, kind=)` returns a JSON-safe dict: what a draft shows
(composed again on every view) and what approval freezes into `Report.facts`. Every value
is plain text, numbers, booleans, lists and dicts, with dates as dd/mm/yyyy, so that the
frozen snapshot renders the same years later whatever happens to the data.

- members, with head and deputy (and their leaders as recorded on the membership);
- the pledge: its current version and when each unit signed (and who has not);
- the meetings held (the mid-year report: all but the year-end meeting);
- the ranking: scoring's verified ranking with ties once the scores are locked, else the
  recorded classifications of a year scored on paper (awards.ClassificationRecord), with
  the counts per classification band of the rule set, "0" counts included;
- the published (or closed) ballots with their results (meetings.selectors.ballot_result);
- the proposals of the year and the board's (and the council's) decisions;
- next year's head and deputy (the next bloc-year's memberships).
"""

import datetime as dt
import hashlib
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership

YEAR_END, MID_YEAR = "year_end", "mid_year"


def _day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return value.strftime("%d/%m/%Y")


def count_phrase(count: int, label: str) -> str:
    """ "07 đơn vị hoàn thành xuất sắc nhiệm vụ" (two digits, as the reports write them);
    "0 đơn vị ..." for none."""
    number = f"{count:02d}" if count else "0"
    return _("%(number)s đơn vị %(label)s") % {
        "number": number,
        "label": label[:1].lower() + label[1:],
    }


def period_end(*, bloc_year: BlocYear, kind: str) -> dt.date | None:
    """The mid-year report's facts are those to date (it is presented in July); the
    year-end report's have no end (its meeting is often held in January)."""
    if kind == MID_YEAR:
        return timezone.localdate()
    return None


# --- members ----------------------------------------------------------------------------------


def _members(bloc_year: BlocYear) -> list[dict]:
    rows = []
    for m in (
        Membership.objects.filter(bloc_year=bloc_year).select_related("unit").order_by("unit__name")
    ):
        rows.append(
            {
                "unit_id": m.unit_id,
                "name": m.unit.name,
                "role": m.role,
                "role_label": str(m.get_role_display()) if m.role != Membership.Role.MEMBER else "",
                "leader_name": m.leader_name,
                "leader_title": m.leader_title,
            }
        )
    # Head first, then the deputy, then the others by name.
    order = {Membership.Role.HEAD: 0, Membership.Role.DEPUTY: 1}
    rows.sort(key=lambda r: (order.get(r["role"], 2), r["name"]))
    return rows


def _role(members: list[dict], role: str) -> dict | None:
    return next((m for m in members if m["role"] == role), None)


# --- pledge -----------------------------------------------------------------------------------


def _pledge(bloc_year: BlocYear, members: list[dict], until: dt.date | None) -> dict | None:
    from pledges.models import PledgeVersion, Signature

    version = (
        PledgeVersion.objects.filter(pledge__bloc_year=bloc_year)
        .exclude(status=PledgeVersion.Status.SUPERSEDED)
        .order_by("-number")
        .first()
    )
    if version is None:
        return None
    signatures = {
        s.unit_id: s
        for s in Signature.objects.filter(version=version).order_by("signed_at")
        if until is None or timezone.localdate(s.signed_at) <= until
    }
    signed = []
    for s in sorted(signatures.values(), key=lambda s: (s.signed_at, s.unit_name)):
        signed.append(
            {"unit": s.unit_name, "signer": s.signer_name, "signed_on": _day(s.signed_at)}
        )
    unsigned = [m["name"] for m in members if m["unit_id"] not in signatures]
    days = sorted({s["signed_on"] for s in signed}, key=lambda d: d[6:] + d[3:5] + d[:2])
    return {
        "number": version.number,
        "status": version.status,
        "status_label": str(version.get_status_display()),
        "signed": signed,
        "signed_count": len(signed),
        "total": len(members),
        "unsigned": unsigned,
        "first_day": days[0] if days else "",
        "last_day": days[-1] if days else "",
    }


# --- meetings ---------------------------------------------------------------------------------


def _meetings(bloc_year: BlocYear, kind: str) -> list[dict]:
    from meetings.models import Meeting

    meetings = Meeting.objects.filter(bloc_year=bloc_year)
    if kind == MID_YEAR:
        meetings = meetings.exclude(kind=Meeting.Kind.YEAR_END)
    rows = []
    for m in meetings.select_related("host_unit").order_by("held_on", "pk"):
        rows.append(
            {
                "id": m.pk,
                "kind": m.kind,
                "kind_label": str(m.get_kind_display()),
                "held_on": _day(m.held_on),
                "place": m.place,
                "host": m.host_unit.name if m.host_unit else "",
                "summary": m.summary,
            }
        )
    return rows


# --- ranking and classification ---------------------------------------------------------------


def _bands(bloc_year: BlocYear) -> list[dict]:
    from rules.selectors import rule_set_for

    rules = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    return [
        {"code": str(b.get("code")), "label": str(b.get("label"))}
        for b in (rules.classification_bands or [])
        if isinstance(b, dict)
    ]


def _counts(bands: list[dict], codes: list[str]) -> tuple[list[dict], str]:
    counts = []
    for band in bands:
        n = sum(1 for c in codes if c == band["code"])
        counts.append(
            {
                "code": band["code"],
                "label": band["label"],
                "count": n,
                "text": count_phrase(n, band["label"]),
            }
        )
    # The sentence names the bands reached; with none reached it says so.
    reached = [c["text"] for c in counts if c["count"]]
    return counts, ", ".join(reached)


def _ranking(bloc_year: BlocYear, members: list[dict]) -> dict:
    from awards.models import ClassificationRecord
    from scoring.selectors import scoreboard

    bands = _bands(bloc_year)
    board = scoreboard(bloc_year=bloc_year)
    state = board.get("state")
    if board.get("table") is not None and state is not None and state.locked_at is not None:
        rows = []
        ranks = [r.rank for r in board["rows"]]
        for r in board["rows"]:
            verified = r.totals.get("verified")
            rows.append(
                {
                    "rank": r.rank,
                    "rank_label": r.rank_label,
                    "tied": ranks.count(r.rank) > 1,
                    "unit": r.unit.name,
                    # Vietnamese decimal comma, as the scoreboard prints it.
                    "total": str(verified.total).replace(".", ",")
                    if verified is not None and verified.total is not None
                    else "",
                    "classification": r.classification,
                    "classification_code": r.classification_code,
                }
            )
        counts, text = _counts(bands, [r["classification_code"] for r in rows])
        return {
            "source": "scoring",
            "source_label": _("Kết quả chấm điểm đã thẩm định và khóa ngày %(day)s")
            % {"day": _day(state.locked_at)},
            "max_total": str(board.get("max_total") or ""),
            "rows": rows,
            "counts": counts,
            "counts_text": text,
            "ties": any(r["tied"] for r in rows),
        }
    unit_ids = [m["unit_id"] for m in members]
    records = {
        r.unit_id: r
        for r in ClassificationRecord.objects.filter(unit_id__in=unit_ids, year=bloc_year.year)
    }
    if records:
        label_of = {b["code"]: b["label"] for b in bands}
        position = {b["code"]: i for i, b in enumerate(bands)}
        rows = [
            {
                "rank": None,
                "rank_label": "",
                "tied": False,
                "unit": m["name"],
                "total": "",
                "classification": label_of.get(records[m["unit_id"]].classification, ""),
                "classification_code": records[m["unit_id"]].classification,
                "source": records[m["unit_id"]].source,
            }
            for m in members
            if m["unit_id"] in records
        ]
        rows.sort(key=lambda r: (position.get(r["classification_code"], 99), r["unit"]))
        counts, text = _counts(bands, [r["classification_code"] for r in rows])
        sources = sorted({r["source"] for r in rows})
        return {
            "source": "records",
            "source_label": _("Xếp loại theo quyết định: %(sources)s")
            % {"sources": "; ".join(sources)},
            "max_total": "",
            "rows": rows,
            "counts": counts,
            "counts_text": text,
            "ties": False,
            "missing": [m["name"] for m in members if m["unit_id"] not in records],
        }
    counts, _text = _counts(bands, [])
    return {
        "source": "",
        "source_label": _("Chưa có kết quả chấm điểm, xếp loại"),
        "max_total": "",
        "rows": [],
        "counts": counts,
        "counts_text": "",
        "ties": False,
    }


# --- ballots ----------------------------------------------------------------------------------


def _ballots(bloc_year: BlocYear) -> list[dict]:
    from meetings.models import Ballot
    from meetings.selectors.ballots import ballot_result

    rows = []
    for ballot in (
        Ballot.objects.filter(
            meeting__bloc_year=bloc_year,
            status__in=[Ballot.Status.CLOSED, Ballot.Status.PUBLISHED],
        )
        .select_related("meeting", "award_type")
        .order_by("meeting__held_on", "pk")
    ):
        result = ballot_result(ballot=ballot)
        rows.append(
            {
                "id": ballot.pk,
                "title": ballot.title,
                "kind": ballot.kind,
                "kind_label": str(ballot.get_kind_display()),
                "status_label": str(ballot.get_status_display()),
                "award": ballot.award_type.name if ballot.award_type else "",
                "held_on": _day(ballot.meeting.held_on),
                "members": result.members,
                "present": result.present,
                "entitled": result.entitled,
                "valid": result.valid,
                "base_label": str(result.base_label),
                "threshold_label": str(result.threshold_label),
                "illustrative": result.illustrative,
                "tie_note": result.tie_note,
                "candidates": [
                    {
                        "unit": r.unit.name,
                        "position_label": r.position_label if r.position else "",
                        "yes": r.yes,
                        "percent": r.percent_label,
                        "passed": r.passed,
                        "elected": r.elected,
                    }
                    for r in result.rows
                ],
                "elected": [r.unit.name for r in result.rows if r.elected],
            }
        )
    return rows


# --- proposals --------------------------------------------------------------------------------


def _proposals(bloc_year: BlocYear) -> list[dict]:
    from awards.models import ProposalItem
    from awards.selectors import current_versions, item_status, item_status_label

    versions = current_versions(bloc_year)
    if not versions:
        return []
    items: dict[int, list] = {}
    for item in (
        ProposalItem.objects.filter(version__in=versions.values(), removed_at__isnull=True)
        .select_related("unit", "version")
        .prefetch_related("decisions")
        .order_by("version_id", "order", "unit__name")
    ):
        items.setdefault(item.version_id, []).append(item)
    rows = []
    for version in sorted(
        versions.values(), key=lambda v: (v.proposal.award_type.order, v.proposal.award_type.name)
    ):
        entries = []
        for item in items.get(version.pk, []):
            status = item_status(item)
            decision = next(
                (d for d in reversed(list(item.decisions.all())) if d.decision_number), None
            )
            entries.append(
                {
                    "unit": item.unit.name,
                    "status": status,
                    "status_label": item_status_label(status),
                    "decision": (
                        _("Quyết định số %(number)s ngày %(day)s")
                        % {"number": decision.decision_number, "day": _day(decision.decision_date)}
                        if decision is not None
                        else ""
                    ),
                }
            )
        rows.append(
            {
                "award": version.proposal.award_type.name,
                "version": version.number,
                "status": version.status,
                "status_label": str(version.get_status_display()),
                "submitted_on": _day(version.submitted_at),
                "items": entries,
            }
        )
    return rows


# --- next year --------------------------------------------------------------------------------


def _next_year(bloc_year: BlocYear) -> dict:
    following = BlocYear.objects.filter(bloc_id=bloc_year.bloc_id, year=bloc_year.year + 1).first()
    out = {"year": bloc_year.year + 1, "exists": following is not None, "head": "", "deputy": ""}
    if following is not None:
        for role, name in Membership.objects.filter(
            bloc_year=following, role__in=[Membership.Role.HEAD, Membership.Role.DEPUTY]
        ).values_list("role", "unit__name"):
            out["head" if role == Membership.Role.HEAD else "deputy"] = name
    return out


# --- all --------------------------------------------------------------------------------------


def report_facts_compose(*, bloc_year: BlocYear, kind: str) -> dict[str, Any]:
    bloc = bloc_year.bloc
    province = bloc.province
    until = period_end(bloc_year=bloc_year, kind=kind)
    members = _members(bloc_year)
    head = _role(members, Membership.Role.HEAD)
    deputy = _role(members, Membership.Role.DEPUTY)
    facts: dict[str, Any] = {
        "kind": kind,
        "year": bloc_year.year,
        "bloc": bloc.name,
        "province": province.name,
        "board_name": province.board_name,
        "authority_name": province.authority_name,
        "period_end": _day(until),
        "composed_at": timezone.now().isoformat(timespec="seconds"),
        "members": members,
        "member_count": len(members),
        "head": head,
        "deputy": deputy,
        "pledge": _pledge(bloc_year, members, until),
        "meetings": _meetings(bloc_year, kind),
        "ranking": _ranking(bloc_year, members),
        "ballots": _ballots(bloc_year) if kind == YEAR_END else [],
        "proposals": _proposals(bloc_year) if kind == YEAR_END else [],
        "next_year": _next_year(bloc_year) if kind == YEAR_END else None,
    }
    return facts


def content_hash(*, facts: dict, narrative: dict[str, str]) -> str:
    """SHA-256 of the frozen facts and the narrative, canonical JSON."""
    payload = json.dumps(
        {"facts": facts, "narrative": narrative},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
