"""Reads of the year's cycle: the step bar, the next step and what blocks it, for one
bloc-year or many, in a constant number of queries (blocs.cycle.year_facts_load)."""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from core.permissions import can_take_step

from . import cycle
from .models import BlocYear
from .selectors import province_get_for_user


@dataclass
class Step:
    status: str
    label: str
    state: str  # "done", "current" or "todo"
    number: int


@dataclass
class YearCycle:
    """What the step bar of one bloc-year shows to one user."""

    bloc_year: BlocYear
    steps: list[Step]
    status_label: str
    next_status: str | None = None
    next_label: str = ""
    button: str = ""
    blockers: list[str] = field(default_factory=list)
    blocked: str = ""  # one sentence: "Chưa thể chuyển sang bỏ phiếu: ..."
    may_take: bool = False  # the user holds the step's role (whatever blocks it)
    act_url: str = ""  # the step is taken by a feature's own page (opening the pledge)
    act_label: str = ""
    can_close_signing: bool = False
    unsigned_units: list[str] = field(default_factory=list)
    back_status: str | None = None
    back_label: str = ""
    may_step_back: bool = False

    @property
    def can_take(self) -> bool:
        return self.may_take and not self.blockers and not self.act_url


def _cycle_for(user: Any, bloc_year: BlocYear, facts: cycle.YearFacts) -> YearCycle:
    current = cycle.ORDER.index(bloc_year.status)
    steps = [
        Step(
            status=s,
            label=cycle.status_label(s),
            state="done" if i < current else "current" if i == current else "todo",
            number=i + 1,
        )
        for i, s in enumerate(cycle.ORDER)
    ]
    view = YearCycle(
        bloc_year=bloc_year, steps=steps, status_label=cycle.status_label(bloc_year.status)
    )
    transition = cycle.TRANSITIONS.get(bloc_year.status)
    if transition is not None:
        view.next_status = transition.target
        view.next_label = cycle.status_label(transition.target)
        view.button = str(transition.button)
        view.may_take = can_take_step(user, bloc_year, transition.who)
        blockers = [c for c in cycle.transition_blockers(transition, facts) if not c.act]
        view.blockers = [c.reason(facts) for c in blockers]
        if view.blockers:
            view.blocked = cycle.blocked_message(transition.target, view.blockers)
        acts = [c for c in transition.checks if c.act and not c.ok(facts)]
        if acts:
            # setup → pledging is taken by opening the pledge on the pledge pages.
            view.act_url = reverse("pledges:detail", args=[bloc_year.pk])
            view.act_label = (
                _("Soạn dự thảo giao ước") if facts.pledge_version is None else _("Mở ký giao ước")
            )
        if bloc_year.status == BlocYear.Status.PLEDGING and facts.unsigned_units:
            view.can_close_signing = view.may_take and facts.pledge_version in ("open", "signed")
            view.unsigned_units = facts.unsigned_units
    if bloc_year.status in cycle.STEP_BACKS:
        back = cycle.previous_status(bloc_year.status)
        view.back_status = back
        view.back_label = cycle.status_label(back)
        view.may_step_back = can_take_step(user, bloc_year, cycle.TRANSITIONS[back].who)
    return view


def bloc_year_cycles(*, user: Any, bloc_years: list[BlocYear]) -> dict[int, YearCycle]:
    """Step bars of many bloc-years (each with its bloc loaded) in seven queries."""
    facts = cycle.year_facts_load(bloc_years)
    return {by.pk: _cycle_for(user, by, facts[by.pk]) for by in bloc_years}


def bloc_year_cycle(*, user: Any, bloc_year: BlocYear) -> YearCycle:
    return bloc_year_cycles(user=user, bloc_years=[bloc_year])[bloc_year.pk]


def province_cycles_for_user(*, user: Any, province_id: Any) -> dict[str, Any]:
    """Every bloc-year of a province with its step bar, newest year first: the board's view
    of where each bloc stands."""
    province = province_get_for_user(user=user, province_id=province_id)
    bloc_years = list(
        BlocYear.objects.filter(bloc__province=province)
        .select_related("bloc__province")
        .order_by("-year", "bloc__number", "bloc__name")
    )
    cycles = bloc_year_cycles(user=user, bloc_years=bloc_years)
    years: dict[int, list[YearCycle]] = {}
    for by in bloc_years:
        years.setdefault(by.year, []).append(cycles[by.pk])
    return {"province": province, "years": list(years.items()), "count": len(bloc_years)}
