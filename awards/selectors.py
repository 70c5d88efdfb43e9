"""Reads of the awards app: what a proposal's units stand at, and the facts the year's
state machine needs (blocs.cycle: proposals submitted, every unit decided)."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import user_scopes
from core.selectors import object_get_or_404

from .models import AwardProposal, ItemDecision, ProposalEvent, ProposalItem, ProposalVersion


@dataclass
class ProposalFacts:
    submitted: bool = False  # at least one proposal of the year has a submitted version
    decided: bool = False  # every unit of every current version has the board's final word


def proposal_facts(*, bloc_year_ids: Iterable[int]) -> dict[int, ProposalFacts]:
    """For blocs.cycle.year_facts_load (proposals_submitted, proposals_decided): two
    queries whatever the number of bloc-years."""
    ids = list(bloc_year_ids)
    facts = {pk: ProposalFacts() for pk in ids}
    if not ids:
        return facts
    latest: dict[int, tuple[int, int, str, int]] = {}  # proposal -> (number, id, status, by)
    for v_id, proposal_id, number, status, by_id in ProposalVersion.objects.filter(
        proposal__bloc_year_id__in=ids
    ).values_list("pk", "proposal_id", "number", "status", "proposal__bloc_year_id"):
        if status == ProposalVersion.Status.SUBMITTED:
            facts[by_id].submitted = True
        if proposal_id not in latest or number > latest[proposal_id][0]:
            latest[proposal_id] = (number, v_id, status, by_id)
    undecided: dict[int, bool] = dict.fromkeys(ids, False)
    has_items: dict[int, bool] = dict.fromkeys(ids, False)
    current = {v_id: (status, by_id) for _n, v_id, status, by_id in latest.values()}
    for status, by_id in current.values():
        if status != ProposalVersion.Status.SUBMITTED:
            undecided[by_id] = True
    final = {ItemDecision.Outcome.ACCEPTED, ItemDecision.Outcome.REJECTED}
    rows = ProposalItem.objects.filter(version_id__in=current, removed_at__isnull=True).values_list(
        "version_id", "decisions__stage", "decisions__outcome", "pk"
    )
    decided_items: dict[int, bool] = {}
    item_version: dict[int, int] = {}
    for v_id, stage, outcome, item_id in rows:
        item_version[item_id] = v_id
        ok = stage == ItemDecision.Stage.BOARD and outcome in final
        decided_items[item_id] = decided_items.get(item_id, False) or ok
    for item_id, ok in decided_items.items():
        by_id = current[item_version[item_id]][1]
        has_items[by_id] = True
        if not ok:
            undecided[by_id] = True
    for pk in ids:
        facts[pk].decided = facts[pk].submitted and has_items[pk] and not undecided[pk]
    return facts


ITEM_STATUS_LABELS = {
    "draft": gettext_lazy("Dự thảo"),
    "removed": gettext_lazy("Đã bỏ khỏi tờ trình"),
    "submitted": gettext_lazy("Chờ Ban Thi đua - Khen thưởng xét"),
}


def item_status(item: ProposalItem) -> str:
    """draft, removed, submitted, accepted, returned, rejected, approved or cut: the council's
    outcome if any, else the board's, else where the version stands (uses a prefetch of
    `decisions` when there is one)."""
    if item.removed_at is not None:
        return "removed"
    if item.version.status == ProposalVersion.Status.DRAFT:
        decisions = list(item.decisions.all())
        return decisions[-1].outcome if decisions else "draft"
    decisions = {d.stage: d for d in item.decisions.all()}
    for stage in (ItemDecision.Stage.COUNCIL, ItemDecision.Stage.BOARD):
        if stage in decisions:
            return decisions[stage].outcome
    return "submitted"


def item_status_label(status: str) -> str:
    if status in ItemDecision.Outcome.values:
        return str(ItemDecision.Outcome(status).label)
    return str(ITEM_STATUS_LABELS.get(status, status))


def proposal_get_for_user(*, user: Any, proposal_id: Any) -> AwardProposal:
    """The proposal, for its readers: the bloc-year's secretariat, the province's board,
    administrators, and those who may read one of its units' items (the leaders of those
    units, awards.permissions.can_read_item); 404/403 otherwise."""
    proposal = object_get_or_404(
        AwardProposal.objects.select_related("bloc_year__bloc__province", "award_type"),
        _("Không tìm thấy tờ trình đề nghị khen thưởng."),
        pk=proposal_id,
    )
    if proposal_unit_ids_for_user(user=user, proposal=proposal) == frozenset():
        raise PermissionDenied(_("Bạn không có quyền xem tờ trình này."))
    return proposal


def proposal_unit_ids_for_user(*, user: Any, proposal: AwardProposal) -> frozenset[int] | None:
    """The units whose items of the proposal (any version) the user may read: None for
    every unit (the proposal's readers), else the user's own units among its items that
    can_read_item lets in (at most 1 query, cached on the proposal for the request)."""
    from .permissions import can_read_item, can_read_proposal

    cache = getattr(proposal, "_readable_units", {})
    key = getattr(user, "pk", None)
    if key in cache:
        return cache[key]
    if can_read_proposal(user, proposal.bloc_year):
        out = None
    else:
        own = user_scopes(user).unit_ids
        in_items = (
            set(
                ProposalItem.objects.filter(
                    version__proposal=proposal, unit_id__in=own
                ).values_list("unit_id", flat=True)
            )
            if own
            else set()
        )
        out = frozenset(u for u in in_items if can_read_item(user, proposal.bloc_year, u))
    cache[key] = out
    proposal._readable_units = cache
    return out


def proposal_items_for_user(
    *, user: Any, proposal: AwardProposal, version: ProposalVersion
) -> list[ProposalItem]:
    """The version's items the user may read (all of them for the proposal's readers, the
    leader's own units' otherwise); uses the `items` prefetch of proposal_versions."""
    units = proposal_unit_ids_for_user(user=user, proposal=proposal)
    items = list(version.items.all())
    return items if units is None else [i for i in items if i.unit_id in units]


def proposal_history_for_user(*, user: Any, proposal: AwardProposal) -> list[ProposalEvent]:
    """The proposal's history as the user may read it: every row for the proposal's readers;
    for a unit's leader, the rows about the whole proposal and about their own units."""
    units = proposal_unit_ids_for_user(user=user, proposal=proposal)
    events = proposal_history(proposal=proposal)
    if units is None:
        return events
    return [e for e in events if e.item_id is None or e.item.unit_id in units]


def proposal_versions(*, proposal: AwardProposal) -> list[ProposalVersion]:
    """Every version, newest last, with items and their decisions (3 queries)."""
    return list(
        proposal.versions.order_by("number").prefetch_related("items__unit", "items__decisions")
    )


def proposal_history(*, proposal: AwardProposal) -> list[ProposalEvent]:
    return list(proposal.events.select_related("item__unit", "version").order_by("at", "id"))


def current_versions(bloc_year: Any) -> dict[int, Any]:
    """award type id -> the latest version of each proposal of the bloc-year (1 query)."""
    out: dict[int, Any] = {}
    for v in (
        ProposalVersion.objects.filter(proposal__bloc_year=bloc_year)
        .select_related("proposal__award_type")
        .order_by("proposal_id", "number")
    ):
        out[v.proposal.award_type_id] = v
    return out


def proposal_selection(bloc_year: Any, *, override: tuple[int, set[int]] | None = None) -> dict:
    """award type id -> units in the current version of each proposal of the bloc-year (not
    removed, not rejected by the board): what eligibility counts as chosen once proposals
    exist. `override`: (award type id, units) for a version being edited."""
    versions = current_versions(bloc_year)
    selection: dict[int, set[int]] = {a: set() for a in versions}
    rows = ProposalItem.objects.filter(
        version__in=list(versions.values()), removed_at__isnull=True
    ).values_list("pk", "version__proposal__award_type_id", "unit_id")
    rejected = set(
        ItemDecision.objects.filter(
            item__version__in=list(versions.values()),
            stage=ItemDecision.Stage.BOARD,
            outcome=ItemDecision.Outcome.REJECTED,
        ).values_list("item_id", flat=True)
    )
    for pk, award_id, unit_id in rows:
        if pk not in rejected:
            selection[award_id].add(unit_id)
    if override is not None:
        selection[override[0]] = set(override[1])
    return selection


def bloc_year_eligibility(*, bloc_year: Any, award_types: Any = None) -> dict:
    """Eligibility of every member for every award of the bloc-year, counting as chosen the
    units of the proposals once they exist (else the ballots' elected units)."""
    from .eligibility import eligibility_for_bloc_year

    selection = proposal_selection(bloc_year)
    return eligibility_for_bloc_year(
        bloc_year=bloc_year, award_types=award_types, selection=selection or None
    )


def province_proposal_items(*, province: Any) -> list[ProposalItem]:
    """Every item of the current (latest) version of each proposal of the province's blocs,
    ordered by bloc, year, award and the proposal's order; each item has `version` (with its
    proposal, bloc-year, bloc and award), `unit` and its `decisions` (3 queries whatever the
    number of proposals)."""
    latest: dict[int, ProposalVersion] = {}
    for v in ProposalVersion.objects.filter(
        proposal__bloc_year__bloc__province=province
    ).select_related("proposal__bloc_year__bloc", "proposal__award_type"):
        if v.proposal_id not in latest or v.number > latest[v.proposal_id].number:
            latest[v.proposal_id] = v
    if not latest:
        return []
    by_id = {v.pk: v for v in latest.values()}
    items = list(
        ProposalItem.objects.filter(version_id__in=by_id)
        .select_related("unit")
        .prefetch_related("decisions")
    )
    for item in items:
        item.version = by_id[item.version_id]

    def key(item: ProposalItem) -> tuple:
        p = item.version.proposal
        return (
            p.bloc_year.bloc.name,
            p.bloc_year.year,
            p.award_type.order,
            p.award_type.name,
            p.pk,
            item.order,
            item.pk,
        )

    return sorted(items, key=key)
