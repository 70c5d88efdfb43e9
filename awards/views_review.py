"""The provincial board's pages (DESIGN.md §9): the inbox of the province's proposals, the
province page with its charts and ceilings, and the per-unit decisions (the board's review
and the council's outcome) posted from the proposal page. Views parse input, call a reader
or one service, and render; the services hold every rule."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from blocs.models import Bloc
from blocs.selectors import province_get_for_user
from core.forms import form_errors_apply
from core.permissions import access_rule
from core.selectors import object_get_or_404

from . import services
from .models import AwardProposal, AwardRule, AwardType, ItemDecision, ProposalItem
from .models import ProposalVersion as Version
from .permissions import can_review
from .review_forms import CouncilForm, DecideForm, InboxFilterForm, YearForm

Outcome = ItemDecision.Outcome

# Where a proposal stands, as the board sees it (in the order of the work).
STATUSES = [
    ("draft", gettext_lazy("Khối đang lập")),
    ("submitted", gettext_lazy("Chờ thẩm định")),
    ("reviewing", gettext_lazy("Đang thẩm định")),
    ("returned", gettext_lazy("Đã trả lại để hoàn thiện")),
    ("correcting", gettext_lazy("Khối đang hoàn thiện phiên bản mới")),
    ("reviewed", gettext_lazy("Đã thẩm định, chờ Hội đồng")),
    ("closed", gettext_lazy("Đã có kết quả của Hội đồng")),
]
STATUS_LABELS = dict(STATUSES)
STATUS_BADGES = {
    "draft": "text-bg-light border",
    "submitted": "text-bg-warning",
    "reviewing": "text-bg-info",
    "returned": "text-bg-danger",
    "correcting": "text-bg-secondary",
    "reviewed": "text-bg-primary",
    "closed": "text-bg-success",
}
COUNT_KEYS = ("proposed", "accepted", "returned", "rejected", "approved", "cut")


# --- reads (one query per table, whatever the number of blocs) -----------------------------


@dataclass
class UnitLine:
    name: str
    status: str  # submitted, accepted, returned, rejected, approved, cut

    @property
    def label(self) -> str:
        if self.status == "submitted":
            return _("Chờ thẩm định")
        return str(Outcome(self.status).label)


@dataclass
class ProposalRow:
    proposal: AwardProposal
    latest_number: int = 0
    sent: Any = None  # (pk, number, submitted_at) of the latest submitted version
    status: str = "draft"
    counts: Counter = field(default_factory=Counter)
    units: list[UnitLine] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def submitted_at(self):
        return self.sent[2] if self.sent else None

    @property
    def sent_number(self) -> int | None:
        return self.sent[1] if self.sent else None


def _status_of(row: ProposalRow, item_states: list[str]) -> str:
    if row.sent is None:
        return "draft"
    if row.latest_number > row.sent[1]:
        return "correcting"
    if not item_states or all(s == "submitted" for s in item_states):
        return "submitted"
    if any(s == "submitted" for s in item_states):
        return "reviewing"
    if any(s == "returned" for s in item_states):
        return "returned"
    if any(s == "accepted" for s in item_states):
        return "reviewed"
    return "closed"


def province_proposal_rows(*, province, year: int | None = None) -> list[ProposalRow]:
    """Every bloc's proposals of the province (of `year` if given), each with where it
    stands and the units of its latest submitted version with their decisions; newest
    submitted first, drafts last. Four queries."""
    qs = AwardProposal.objects.filter(bloc_year__bloc__province=province).select_related(
        "bloc_year__bloc", "award_type"
    )
    if year is not None:
        qs = qs.filter(bloc_year__year=year)
    rows = {p.pk: ProposalRow(proposal=p) for p in qs}
    if not rows:
        return []
    versions = Version.objects.filter(proposal__bloc_year__bloc__province=province)
    if year is not None:
        versions = versions.filter(proposal__bloc_year__year=year)
    for pk, proposal_id, number, status, submitted_at in versions.values_list(
        "pk", "proposal_id", "number", "status", "submitted_at"
    ):
        row = rows.get(proposal_id)
        if row is None:
            continue
        row.latest_number = max(row.latest_number, number)
        if status == Version.Status.SUBMITTED and (row.sent is None or number > row.sent[1]):
            row.sent = (pk, number, submitted_at)
    sent = {row.sent[0]: row for row in rows.values() if row.sent}
    decisions: dict[int, dict[str, str]] = defaultdict(dict)
    for item_id, stage, outcome in ItemDecision.objects.filter(
        item__version_id__in=list(sent)
    ).values_list("item_id", "stage", "outcome"):
        decisions[item_id][stage] = outcome
    states: dict[int, list[str]] = defaultdict(list)
    for item_id, version_id, unit_name in (
        ProposalItem.objects.filter(version_id__in=list(sent), removed_at__isnull=True)
        .order_by("order", "id")
        .values_list("pk", "version_id", "unit__name")
    ):
        row = sent[version_id]
        d = decisions.get(item_id, {})
        board, council = d.get(ItemDecision.Stage.BOARD), d.get(ItemDecision.Stage.COUNCIL)
        state = council or board or "submitted"
        states[row.proposal.pk].append(board or "submitted")
        row.units.append(UnitLine(name=unit_name, status=state))
        row.counts["proposed"] += 1
        if board:
            row.counts[board] += 1
        if council:
            row.counts[council] += 1
    for row in rows.values():
        row.status = _status_of(row, states[row.proposal.pk])
        if row.status == "reviewed" and row.counts["accepted"] == (
            row.counts["approved"] + row.counts["cut"]
        ):
            row.status = "closed"
    return sorted(
        rows.values(),
        key=lambda r: (
            r.submitted_at is None,
            -(r.submitted_at.timestamp() if r.submitted_at else 0),
            r.proposal.bloc_year.bloc.name,
            r.proposal.award_type.order,
        ),
    )


def _proposal_years(province) -> list[int]:
    return list(
        AwardProposal.objects.filter(bloc_year__bloc__province=province)
        .order_by("-bloc_year__year")
        .values_list("bloc_year__year", flat=True)
        .distinct()
    )


@dataclass
class Ceiling:
    award: AwardType
    base_award: AwardType
    percent: Decimal
    base: int  # units proposed for the base award (not rejected or cut)
    base_approved: int
    allowed: int
    proposed: int
    accepted: int

    @property
    def over(self) -> bool:
        return self.proposed > self.allowed

    @property
    def accepted_over(self) -> bool:
        return self.accepted > self.allowed


def province_ceilings(*, province, year: int, rows: list[ProposalRow], awards) -> list[Ceiling]:
    """The province-wide ceilings of the year's rule set (e.g. Government flags at most 20%
    of the units holding the provincial flag), against what the blocs proposed and what the
    board accepted. Two queries."""
    from rules.selectors import rule_set_for

    rule_set = rule_set_for(province=province, year=year)
    if rule_set.pk is None:
        return []
    by_award: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        c = by_award[row.proposal.award_type_id]
        for unit in row.units:
            c["proposed"] += 1
            if unit.status not in (Outcome.REJECTED, Outcome.CUT):
                c["kept"] += 1
            if unit.status in (Outcome.ACCEPTED, Outcome.APPROVED, Outcome.CUT):
                c["accepted"] += 1
            if unit.status == Outcome.APPROVED:
                c["approved"] += 1
    names = {a.pk: a for a in awards}
    out = []
    for rule in AwardRule.objects.filter(
        rule_set=rule_set,
        award_type__province=province,
        ceiling_percent__isnull=False,
        ceiling_base_award__isnull=False,
    ).order_by("award_type__order"):
        award, base_award = names.get(rule.award_type_id), names.get(rule.ceiling_base_award_id)
        if award is None or base_award is None:
            continue
        base = by_award[base_award.pk]["kept"]
        exact = Decimal(base) * rule.ceiling_percent / 100
        allowed = (
            math.ceil(exact)
            if rule.ceiling_rounding == AwardRule.Rounding.UP
            else math.floor(exact)
        )
        out.append(
            Ceiling(
                award=award,
                base_award=base_award,
                percent=rule.ceiling_percent.normalize(),
                base=base,
                base_approved=by_award[base_award.pk]["approved"],
                allowed=allowed,
                proposed=by_award[award.pk]["proposed"],
                accepted=by_award[award.pk]["accepted"],
            )
        )
    return out


def item_get_for_review(*, user, item_id) -> ProposalItem:
    """One unit of a proposal, for the board of its province (404 unknown, 403 otherwise)."""
    item = object_get_or_404(
        ProposalItem.objects.select_related(
            "unit",
            "version__proposal__bloc_year__bloc__province",
            "version__proposal__award_type",
        ),
        _("Không tìm thấy đơn vị được đề nghị."),
        pk=item_id,
    )
    if not can_review(user, item.version.proposal.bloc_year):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh được thẩm định đề nghị khen thưởng.")
        )
    return item


def proposal_url(proposal_id: int) -> str:
    """The secretariat's proposal page (awards/views_proposals.py), where the board decides."""
    return reverse("awards:proposal_detail", kwargs={"proposal_id": proposal_id})


# --- pages ---------------------------------------------------------------------------------


@access_rule("object")
@require_GET
def review_inbox(request: HttpRequest, province_id: int) -> HttpResponse:
    """The board's inbox: every bloc's proposals of the province, filtered by bloc, award,
    status and year, with the number in each status."""
    province = province_get_for_user(user=request.user, province_id=province_id)
    blocs = list(Bloc.objects.filter(province=province).order_by("number", "name"))
    awards = list(AwardType.objects.filter(province=province).order_by("order", "name"))
    years = _proposal_years(province)
    form = InboxFilterForm(
        request.GET or None, blocs=blocs, awards=awards, statuses=STATUSES, years=years
    )
    chosen = form.values()
    rows = province_proposal_rows(province=province, year=chosen.get("year"))
    if "bloc" in chosen:
        rows = [r for r in rows if r.proposal.bloc_year.bloc_id == chosen["bloc"]]
    if "award" in chosen:
        rows = [r for r in rows if r.proposal.award_type_id == chosen["award"]]
    counts = Counter(r.status for r in rows)
    if "status" in chosen:
        rows = [r for r in rows if r.status == chosen["status"]]
    for row in rows:
        row.url = proposal_url(row.proposal.pk)
    return render(
        request,
        "awards/review_inbox.html",
        {
            "province": province,
            "form": form,
            "rows": rows,
            "status_counts": [
                {"code": c, "label": label, "n": counts.get(c, 0), "badge": STATUS_BADGES[c]}
                for c, label in STATUSES
            ],
            "total": sum(counts.values()),
            "filtered": bool(chosen),
        },
    )


@access_rule("object")
@require_GET
def review_province(request: HttpRequest, province_id: int) -> HttpResponse:
    """The province page: the year's proposals of every bloc by award and status, charted
    and tabled, and the province-wide ceilings."""
    province = province_get_for_user(user=request.user, province_id=province_id)
    years = _proposal_years(province)
    form = YearForm(request.GET or None, years=years)
    year = years[0] if years else None
    if form.is_bound and form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    if year is not None and not form.is_bound:
        form = YearForm(initial={"year": year}, years=years)
    awards = list(AwardType.objects.filter(province=province).order_by("order", "name"))
    rows = province_proposal_rows(province=province, year=year) if year is not None else []
    per_award = {a.pk: Counter() for a in awards}
    status_by_award = {a.pk: Counter() for a in awards}
    blocs: dict[int, dict] = {}
    for row in rows:
        per_award[row.proposal.award_type_id].update(row.counts)
        status_by_award[row.proposal.award_type_id][row.status] += 1
        bloc = row.proposal.bloc_year.bloc
        entry = blocs.setdefault(bloc.pk, {"bloc": bloc, "cells": {}})
        entry["cells"][row.proposal.award_type_id] = row
    shown = [a for a in awards if per_award[a.pk] or status_by_award[a.pk]] or awards
    table = [{"award": a, **{k: per_award[a.pk].get(k, 0) for k in COUNT_KEYS}} for a in shown]
    totals = {k: sum(r[k] for r in table) for k in COUNT_KEYS}
    ceilings = (
        province_ceilings(province=province, year=year, rows=rows, awards=awards) if year else []
    )
    bloc_rows = [
        {"bloc": e["bloc"], "cells": [(a, e["cells"].get(a.pk)) for a in shown]}
        for e in sorted(blocs.values(), key=lambda e: (e["bloc"].number or 0, e["bloc"].name))
    ]
    for entry in bloc_rows:
        for _award, cell in entry["cells"]:
            if cell is not None:
                cell.url = proposal_url(cell.proposal.pk)
    chart = {
        "awards": {
            "labels": [a.name for a in shown],
            "series": [
                {"key": "proposed", "label": _("Đề nghị"), "data": [r["proposed"] for r in table]},
                {
                    "key": "accepted",
                    "label": _("Trình Hội đồng"),
                    "data": [r["accepted"] for r in table],
                },
                {
                    "key": "approved",
                    "label": _("Được khen thưởng"),
                    "data": [r["approved"] for r in table],
                },
            ],
        },
        "statuses": {
            "labels": [a.name for a in shown],
            "series": [
                {
                    "key": code,
                    "label": str(label),
                    "data": [status_by_award[a.pk].get(code, 0) for a in shown],
                }
                for code, label in STATUSES
                if any(status_by_award[a.pk].get(code) for a in shown)
            ],
        },
        "ceilings": [
            {
                "label": c.award.name,
                "allowed": c.allowed,
                "proposed": c.proposed,
                "accepted": c.accepted,
                "names": [_("Trần toàn tỉnh"), _("Đề nghị"), _("Trình Hội đồng")],
            }
            for c in ceilings
        ],
        "axis": _("Số đơn vị"),
        "axis_proposals": _("Số tờ trình"),
    }
    return render(
        request,
        "awards/review_province.html",
        {
            "province": province,
            "year": year,
            "form": form,
            "table": table,
            "totals": totals,
            "ceilings": ceilings,
            "awards": shown,
            "bloc_rows": bloc_rows,
            "status_table": [
                {
                    "code": code,
                    "label": label,
                    "badge": STATUS_BADGES[code],
                    "cells": [(a, status_by_award[a.pk].get(code, 0)) for a in shown],
                    "total": sum(status_by_award[a.pk].get(code, 0) for a in shown),
                }
                for code, label in STATUSES
            ],
            "proposal_count": len(rows),
            "chart": chart,
        },
    )


def _item_page(request, item, *, decide=None, council=None, status=200) -> HttpResponse:
    decisions = list(item.decisions.select_related("decided_by").order_by("decided_at", "id"))
    board = next((d for d in decisions if d.stage == ItemDecision.Stage.BOARD), None)
    council_done = any(d.stage == ItemDecision.Stage.COUNCIL for d in decisions)
    return render(
        request,
        "awards/review_item.html",
        {
            "item": item,
            "proposal": item.version.proposal,
            "proposal_url": proposal_url(item.version.proposal_id),
            "decisions": decisions,
            "can_decide": board is None,
            "can_council": board is not None
            and board.outcome == Outcome.ACCEPTED
            and not council_done,
            "decide_form": decide or DecideForm(),
            "council_form": council or CouncilForm(),
        },
        status=status,
    )


@access_rule("object")
@require_GET
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """One unit's decisions and the forms to record the next one (the same forms as on the
    proposal page; errors of a POST are shown here)."""
    item = item_get_for_review(user=request.user, item_id=item_id)
    return _item_page(request, item)


def _back(item) -> HttpResponse:
    return redirect(f"{proposal_url(item.version.proposal_id)}#item-{item.pk}")


@access_rule("object")
@require_POST
def review_item_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    """The board's decision on one unit: accept, return with a reason, reject with one."""
    item = item_get_for_review(user=request.user, item_id=item_id)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.proposal_item_decide(
                item=item,
                outcome=data["outcome"],
                reason=data["reason"],
                reject_reason=data["reject_reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã ghi ý kiến thẩm định cho %(unit)s: %(outcome)s.")
                % {"unit": item.unit.name, "outcome": decision.get_outcome_display()},
            )
            return _back(item)
    return _item_page(request, item, decide=form, status=400)


@access_rule("object")
@require_POST
def review_item_council(request: HttpRequest, item_id: int) -> HttpResponse:
    """The provincial council's outcome for a unit the board accepted."""
    item = item_get_for_review(user=request.user, item_id=item_id)
    form = CouncilForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.proposal_item_council_record(
                item=item,
                outcome=data["outcome"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                signer=data["signer"],
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã ghi kết quả của Hội đồng cho %(unit)s: %(outcome)s.")
                % {"unit": item.unit.name, "outcome": decision.get_outcome_display()},
            )
            return _back(item)
    return _item_page(request, item, council=form, status=400)
