"""Ballot pages (DESIGN.md §8): create and edit a ballot, the ballot page with its live
count and, once counted, the result, receipts and recount; the secretariat's actions; the
counting committee's paper counts; the phone-sized voting page and its one-time receipt.

Views parse input, call one selector or service and render. What a voter chose never
leaves the vote view: it is not put in the session, a message, a log line, a URL or an
error report (sensitive_post_parameters / sensitive_variables), and the receipt is
rendered once, with Cache-Control: no-store, never redirected to."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from awards.models import AwardType
from core.forms import form_errors_apply
from core.permissions import access_rule
from rules.selectors import rule_set_for

from .. import tally
from ..ballot_forms import (
    BallotRulesForm,
    BallotSettingsForm,
    PaperCountsForm,
    PaperIssueForm,
    ResetForm,
    VoteForm,
)
from ..models import Ballot, BallotCandidate
from ..permissions import can_run_meeting, can_vote_as
from ..selectors import ballots as selectors
from ..selectors.meetings import meeting_get_for_user
from ..services import ballots as services

RULE_FIELDS = (
    "threshold_numerator",
    "threshold_denominator",
    "threshold_strict",
    "base",
    "self_vote_allowed",
    "tie_rule",
    "publication",
)
# How often the open ballot page asks for the count (seconds).
POLL_SECONDS = 4


# --- helpers ---------------------------------------------------------------------------------


def _members(bloc_year) -> list:
    return list(bloc_year.members.order_by("name"))


def _award_types(bloc_year) -> list:
    return list(
        AwardType.objects.filter(province_id=bloc_year.bloc.province_id, active=True).order_by(
            "order", "name"
        )
    )


def _default_titles(bloc_year, award_types) -> dict:
    """The title a new ballot gets from its kind (and award), also used by ballot.js to
    prefill the field while the user has not typed one."""
    return {
        "election": _("Bầu Trưởng khối, Phó khối năm %(year)s") % {"year": bloc_year.year + 1},
        "nomination": {
            str(a.pk): _("Bình xét %(award)s năm %(year)s")
            % {"award": a.name, "year": bloc_year.year}
            for a in award_types
        },
        "nomination_any": _("Bình xét khen thưởng năm %(year)s") % {"year": bloc_year.year},
    }


def _title_for(form: BallotSettingsForm, titles: dict) -> str:
    title = (form.cleaned_data.get("title") or "").strip()
    if title:
        return title
    if form.cleaned_data.get("kind") == Ballot.Kind.ELECTION:
        return titles["election"]
    award = form.cleaned_data.get("award_type")
    return titles["nomination"].get(str(award), titles["nomination_any"])


def _rules_of(obj, prefix: str = "") -> dict:
    """The pass rules of a ballot (prefix "") or a rule set (prefix "ballot_")."""
    return {name: getattr(obj, prefix + name) for name in RULE_FIELDS}


def _rules_summary(rules: dict) -> dict:
    """Read-only lines for the pass rules: "Đạt khi số phiếu đồng ý trên 50% tổng số đơn vị
    thành viên" and the rest."""
    base_label = str(Ballot.Base(rules["base"]).label)
    threshold = tally.threshold_label(
        numerator=rules["threshold_numerator"],
        denominator=rules["threshold_denominator"],
        strict=rules["threshold_strict"],
        base_label=base_label,
    )
    return {
        "threshold": _("Đạt khi số phiếu đồng ý %(threshold)s.") % {"threshold": threshold},
        "self_vote": (
            _("Đơn vị được bỏ phiếu cho chính mình.")
            if rules["self_vote_allowed"]
            else _("Đơn vị không bỏ phiếu cho chính mình.")
        ),
        "tie_rule": _("Khi bằng phiếu: %(rule)s.")
        % {"rule": str(Ballot.TieRule(rules["tie_rule"]).label).lower()},
        "publication": _("Sau kiểm phiếu: %(mode)s.")
        % {"mode": str(Ballot.Publication(rules["publication"]).label).lower()},
    }


def _candidate_groups(candidates) -> list[dict]:
    """Candidates under their position (election: head, deputy; nomination: one list)."""
    groups: dict[str, dict] = {}
    for c in candidates:
        group = groups.setdefault(
            c.position, {"position": c.position, "label": c.get_position_display(), "items": []}
        )
        group["items"].append(c)
    return sorted(groups.values(), key=lambda g: tally.POSITION_ORDER.get(g["position"], 9))


def _already_voted_for(user, ballot, participations) -> list:
    """Units this user could have cast a ballot for and which already voted."""
    return [
        p.unit
        for p in participations
        if p.voted_method and can_vote_as(user, ballot.meeting, p.unit)
    ]


# --- create and edit -------------------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def ballot_create(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The secretariat sets up a nomination (one award type) or the head/deputy election."""
    meeting = meeting_get_for_user(user=request.user, meeting_id=meeting_id, manage=True)
    bloc_year = meeting.bloc_year
    members = _members(bloc_year)
    award_types = _award_types(bloc_year)
    titles = _default_titles(bloc_year, award_types)
    rule_set = rule_set_for(province=bloc_year.bloc.province, year=bloc_year.year)
    status = 200
    if request.method == "POST":
        form = BallotSettingsForm(request.POST, members=members, award_types=award_types)
        if form.is_valid():
            try:
                ballot = services.ballot_create(
                    meeting=meeting,
                    kind=form.cleaned_data["kind"],
                    title=_title_for(form, titles),
                    method=form.cleaned_data["method"],
                    candidates=form.candidate_pairs(),
                    actor=request.user,
                    award_type=(
                        form.award_type_obj()
                        if form.cleaned_data["kind"] == Ballot.Kind.NOMINATION
                        else None
                    ),
                    max_winners=form.cleaned_data.get("max_winners"),
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã tạo cuộc bỏ phiếu."))
                return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
        status = 400
    else:
        kind = request.GET.get("kind")
        initial = {"kind": kind if kind in Ballot.Kind.values else Ballot.Kind.NOMINATION}
        if award_types:
            initial["award_type"] = award_types[0].pk
        initial["title"] = (
            titles["election"]
            if initial["kind"] == Ballot.Kind.ELECTION
            else titles["nomination"].get(str(initial.get("award_type")), titles["nomination_any"])
        )
        form = BallotSettingsForm(initial=initial, members=members, award_types=award_types)
    return render(
        request,
        "meetings/ballot_form.html",
        {
            "meeting": meeting,
            "bloc_year": bloc_year,
            "form": form,
            "titles": titles,
            "rules": _rules_summary(_rules_of(rule_set, "ballot_")),
            "rule_set": rule_set,
            "creating": True,
        },
        status=status,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def ballot_edit(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """Settings and pass rules, while the ballot is created (not yet open)."""
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    meeting = ballot.meeting
    bloc_year = meeting.bloc_year
    members = _members(bloc_year)
    award_types = _award_types(bloc_year)
    titles = _default_titles(bloc_year, award_types)
    candidates = list(ballot.candidates.all())
    status = 200
    if ballot.status != Ballot.Status.CREATED:
        messages.error(request, _("Cuộc bỏ phiếu đã mở: không thể thay đổi thiết lập."))
        return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
    if request.method == "POST":
        # The kind is fixed once created: a nomination stays one, an election too.
        data = request.POST.copy()
        data["kind"] = ballot.kind
        form = BallotSettingsForm(
            data, initial={"kind": ballot.kind}, members=members, award_types=award_types
        )
        rules_form = BallotRulesForm(request.POST, prefix="rules")
        if form.is_valid() and rules_form.is_valid():
            settings = {
                "title": _title_for(form, titles),
                "method": form.cleaned_data["method"],
                "candidates": form.candidate_pairs(),
                **{k: rules_form.cleaned_data[k] for k in RULE_FIELDS},
            }
            if form.cleaned_data.get("max_winners"):
                settings["max_winners"] = form.cleaned_data["max_winners"]
            if ballot.kind == Ballot.Kind.NOMINATION:
                settings["award_type"] = form.award_type_obj()
            try:
                services.ballot_update(ballot=ballot, actor=request.user, **settings)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    rule_errors = {k: v for k, v in exc.error_dict.items() if k in RULE_FIELDS}
                    other = {k: v for k, v in exc.error_dict.items() if k not in RULE_FIELDS}
                    if rule_errors:
                        form_errors_apply(form=rules_form, exc=ValidationError(rule_errors))
                    if other:
                        form_errors_apply(form=form, exc=ValidationError(other))
                else:
                    form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã lưu thiết lập cuộc bỏ phiếu."))
                return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
        status = 400
    else:
        by_position: dict[str, list[int]] = {}
        for c in candidates:
            by_position.setdefault(c.position, []).append(c.unit_id)
        initial = {
            "kind": ballot.kind,
            "award_type": ballot.award_type_id,
            "title": ballot.title,
            "method": ballot.method,
            "max_winners": ballot.max_winners,
            "candidates": by_position.get(BallotCandidate.Position.NONE, []),
            "head_candidates": by_position.get(BallotCandidate.Position.HEAD, []),
            "deputy_candidates": by_position.get(BallotCandidate.Position.DEPUTY, []),
        }
        form = BallotSettingsForm(initial=initial, members=members, award_types=award_types)
        rules_form = BallotRulesForm(
            initial={
                **_rules_of(ballot),
                "threshold_strict": "1" if ballot.threshold_strict else "0",
            },
            prefix="rules",
        )
    form.fields["kind"].disabled = True
    return render(
        request,
        "meetings/ballot_form.html",
        {
            "meeting": meeting,
            "bloc_year": bloc_year,
            "ballot": ballot,
            "form": form,
            "rules_form": rules_form,
            "titles": titles,
            "rules": _rules_summary(_rules_of(ballot)),
            "creating": False,
        },
        status=status,
    )


# --- the ballot page -------------------------------------------------------------------------


def _detail_context(request: HttpRequest, ballot: Ballot, **forms) -> dict:
    bloc_year = ballot.meeting.bloc_year
    can_run = can_run_meeting(request.user, bloc_year)
    participations = selectors.ballot_participations(ballot=ballot)
    result = selectors.ballot_result(ballot=ballot)
    voted = [p for p in participations if p.voted_method]
    published = ballot.status == Ballot.Status.PUBLISHED
    context = {
        "ballot": ballot,
        "meeting": ballot.meeting,
        "bloc_year": bloc_year,
        "can_run": can_run,
        "participations": participations,
        "voted_count": len(voted),
        "entitled_count": len(participations),
        "result": result,
        "groups": _candidate_groups(
            sorted((r.candidate for r in result.rows), key=lambda c: (c.order, c.pk))
        ),
        "rules": _rules_summary(_rules_of(ballot)),
        "voter_units": selectors.ballot_voter_units(ballot=ballot, user=request.user),
        "poll_seconds": POLL_SECONDS,
        "online": ballot.method != Ballot.Method.PAPER,
        "paper": ballot.method != Ballot.Method.ONLINE,
    }
    if published:
        votes = selectors.ballot_published_votes(ballot=ballot)
        columns = [r.candidate for r in result.rows]
        context["columns"] = columns
        context["published_votes"] = [
            {
                "receipt": receipt,
                "cells": (
                    [choices.get(str(c.pk), tally.BLANK) for c in columns]
                    if choices is not None
                    else None
                ),
            }
            for receipt, choices in votes
        ]
    if published and ballot.publication == Ballot.Publication.CHOICES:
        recount = selectors.ballot_recount(ballot=ballot)
        context["recount"] = [
            {
                "row": r,
                "counted": recount.get(r.candidate.pk, (0, 0, 0)),
                "matches": recount.get(r.candidate.pk, (0, 0, 0)) == (r.yes, r.no, r.blank),
            }
            for r in result.rows
        ]
        context["recount_ok"] = all(x["matches"] for x in context["recount"])
    if can_run:
        context["reset_form"] = forms.get("reset_form") or ResetForm()
        if context["paper"] and ballot.status == Ballot.Status.OPEN:
            context["paper_issue_form"] = forms.get("paper_issue_form") or PaperIssueForm(
                units=[p.unit for p in participations if not p.voted_method]
            )
        context["action_error"] = forms.get("action_error")
        context["action"] = forms.get("action")
        context["second_round_needed"] = bool(
            ballot.status in (Ballot.Status.CLOSED, Ballot.Status.PUBLISHED)
            and ballot.tie_note
            and not ballot.next_rounds.exists()
            and services.ballot_tied_candidates(ballot=ballot)
        )
    return context


@access_rule("object")
@require_GET
def ballot_detail(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id)
    return render(request, "meetings/ballot_detail.html", _detail_context(request, ballot))


@access_rule("object")
@require_GET
def ballot_progress(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """The live count "Đã bỏ phiếu: 5/8" the open ballot page polls (htmx). When the
    ballot has left the state the page was drawn in, htmx reloads the whole page."""
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id)
    participations = selectors.ballot_participations(ballot=ballot)
    response = render(
        request,
        "meetings/ballot_progress.html",
        {
            "ballot": ballot,
            "participations": participations,
            "voted_count": sum(1 for p in participations if p.voted_method),
            "entitled_count": len(participations),
            "poll_seconds": POLL_SECONDS,
        },
    )
    drawn_in = request.GET.get("status")
    if drawn_in and drawn_in != ballot.status and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


# --- the secretariat's actions ---------------------------------------------------------------


def _action(request: HttpRequest, ballot_id: int, action: str, run, done: str) -> HttpResponse:
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    try:
        run(ballot)
    except ValidationError as exc:
        ballot.refresh_from_db()
        context = _detail_context(
            request, ballot, action=action, action_error=" ".join(exc.messages)
        )
        return render(request, "meetings/ballot_detail.html", context, status=400)
    messages.success(request, done)
    return redirect("meetings:ballot_detail", ballot_id=ballot.pk)


@access_rule("object")
@require_POST
def ballot_open(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _action(
        request,
        ballot_id,
        "open",
        lambda b: services.ballot_open(ballot=b, actor=request.user),
        _("Đã mở bỏ phiếu. Danh sách đơn vị dự họp đã được chốt."),
    )


@access_rule("object")
@require_POST
def ballot_close(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _action(
        request,
        ballot_id,
        "close",
        lambda b: services.ballot_close(ballot=b, actor=request.user),
        _("Đã kết thúc bỏ phiếu và kiểm phiếu."),
    )


@access_rule("object")
@require_POST
def ballot_publish(request: HttpRequest, ballot_id: int) -> HttpResponse:
    return _action(
        request,
        ballot_id,
        "publish",
        lambda b: services.ballot_publish(ballot=b, actor=request.user),
        _("Đã công bố kết quả bỏ phiếu."),
    )


@access_rule("object")
@require_POST
def ballot_second_round(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    try:
        second = services.ballot_second_round_create(ballot=ballot, actor=request.user)
    except ValidationError as exc:
        context = _detail_context(
            request, ballot, action="second_round", action_error=" ".join(exc.messages)
        )
        return render(request, "meetings/ballot_detail.html", context, status=400)
    messages.success(request, _("Đã tạo vòng bỏ phiếu lại giữa các đơn vị bằng phiếu."))
    return redirect("meetings:ballot_detail", ballot_id=second.pk)


@access_rule("object")
@require_POST
def ballot_reset(request: HttpRequest, ballot_id: int) -> HttpResponse:
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    form = ResetForm(request.POST)
    if form.is_valid():
        try:
            services.ballot_reset(
                ballot=ballot, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã đưa cuộc bỏ phiếu về trạng thái mới tạo."))
            return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
    ballot.refresh_from_db()
    context = _detail_context(
        request,
        ballot,
        reset_form=form,
        action="reset",
        action_error=" ".join(form.non_field_errors()),
    )
    return render(request, "meetings/ballot_detail.html", context, status=400)


@access_rule("object")
@require_POST
def ballot_paper_issue(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """A paper ballot is handed to a unit present (it can no longer vote online)."""
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    participations = selectors.ballot_participations(ballot=ballot)
    form = PaperIssueForm(
        request.POST, units=[p.unit for p in participations if not p.voted_method]
    )
    if form.is_valid():
        unit = form.unit_obj()
        try:
            services.ballot_paper_issue(ballot=ballot, unit=unit, actor=request.user)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã phát phiếu giấy cho %(unit)s.") % {"unit": unit.name})
            return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
    context = _detail_context(
        request,
        ballot,
        paper_issue_form=form,
        action="paper_issue",
        action_error=" ".join(form.non_field_errors()),
    )
    return render(request, "meetings/ballot_detail.html", context, status=400)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def ballot_paper(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """The counting committee's figures for the paper ballots (method paper or mixed)."""
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id, manage=True)
    candidates = list(ballot.candidates.select_related("unit").order_by("-position", "order", "id"))
    status = 200
    if request.method == "POST":
        form = PaperCountsForm(request.POST, candidates=candidates)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.ballot_paper_counts_enter(
                    ballot=ballot,
                    issued=d["issued"],
                    returned=d["returned"],
                    valid=d["valid"],
                    invalid=d["invalid"],
                    per_candidate=form.per_candidate(),
                    actor=request.user,
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã ghi số liệu kiểm phiếu giấy."))
                return redirect("meetings:ballot_detail", ballot_id=ballot.pk)
        status = 400
    else:
        initial = {}
        if ballot.paper_issued is not None:
            initial = {
                "issued": ballot.paper_issued,
                "returned": ballot.paper_returned,
                "valid": ballot.paper_valid,
                "invalid": ballot.paper_invalid,
            }
            for c in candidates:
                initial[f"candidate_{c.pk}_yes"] = c.paper_yes
                initial[f"candidate_{c.pk}_no"] = c.paper_no
                initial[f"candidate_{c.pk}_blank"] = c.paper_blank
        else:
            initial["issued"] = ballot.participations.filter(voted_method="paper").count()
        form = PaperCountsForm(initial=initial, candidates=candidates)
    return render(
        request,
        "meetings/ballot_paper.html",
        {
            "ballot": ballot,
            "meeting": ballot.meeting,
            "bloc_year": ballot.meeting.bloc_year,
            "form": form,
            "rows": form.candidate_rows(),
            "can_enter": ballot.method != Ballot.Method.ONLINE
            and ballot.status == Ballot.Status.OPEN,
        },
        status=status,
    )


# --- voting ----------------------------------------------------------------------------------


def _vote_refused(request: HttpRequest, ballot: Ballot, unit_id: int | None) -> HttpResponse:
    """No unit left to vote for: the user's unit has voted (409), the ballot takes no
    online vote now (409, for those who vote at this meeting), or the user may not vote
    for that unit at all (403: the board, other units' people, a forged unit id)."""
    participations = selectors.ballot_participations(ballot=ballot)
    voted = _already_voted_for(request.user, ballot, participations)
    if unit_id is not None:
        voted = [u for u in voted if u.pk == unit_id]
    if voted:
        return render(
            request,
            "meetings/ballot_vote_refused.html",
            {"ballot": ballot, "voted_units": voted, "reason": "voted"},
            status=409,
        )
    not_taking = ballot.status != Ballot.Status.OPEN or ballot.method == Ballot.Method.PAPER
    if not_taking:
        members = [
            u for u in _members(ballot.meeting.bloc_year) if unit_id is None or u.pk == unit_id
        ]
        if any(can_vote_as(request.user, ballot.meeting, u) for u in members):
            reason = "paper" if ballot.method == Ballot.Method.PAPER else ballot.status
            return render(
                request,
                "meetings/ballot_vote_refused.html",
                {"ballot": ballot, "reason": reason},
                status=409,
            )
    raise PermissionDenied(_("Bạn không được bỏ phiếu thay đơn vị này trong cuộc bỏ phiếu này."))


@access_rule("object")
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@sensitive_variables()
def ballot_vote(request: HttpRequest, ballot_id: int) -> HttpResponse:
    """One column, big choices, for a phone. The POST casts the ballot and renders the
    receipt directly (no redirect, no session, no message): it is shown once."""
    ballot = selectors.ballot_get_for_user(user=request.user, ballot_id=ballot_id)
    units = selectors.ballot_voter_units(ballot=ballot, user=request.user)
    candidates = list(ballot.candidates.select_related("unit").order_by("-position", "order", "id"))
    if request.method == "POST":
        form = VoteForm(request.POST, candidates=candidates, units=units)
        unit_id = form.unit_value()
        if not units or (unit_id is not None and unit_id not in {u.pk for u in units}):
            return _vote_refused(request, ballot, unit_id)
        if form.is_valid():
            unit = next(u for u in units if u.pk == form.cleaned_data["unit"])
            try:
                receipt = services.ballot_vote_cast(
                    ballot=ballot, unit=unit, user=request.user, choices=form.choices()
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                remaining = [u for u in units if u.pk != unit.pk]
                response = render(
                    request,
                    "meetings/ballot_receipt.html",
                    {"ballot": ballot, "unit": unit, "receipt": receipt, "remaining": remaining},
                )
                response["Cache-Control"] = "private, no-store"
                return response
        response = render(
            request, "meetings/ballot_vote.html", _vote_context(ballot, form), status=400
        )
        response["Cache-Control"] = "private, no-store"
        return response
    if not units:
        return _vote_refused(request, ballot, None)
    form = VoteForm(candidates=candidates, units=units)
    response = render(request, "meetings/ballot_vote.html", _vote_context(ballot, form))
    response["Cache-Control"] = "private, no-store"
    return response


def _vote_context(ballot: Ballot, form: VoteForm) -> dict:
    groups = []
    for group in _candidate_groups(form.candidates):
        group["rows"] = [
            {"candidate": c, "field": form[f"candidate_{c.pk}"]} for c in group["items"]
        ]
        group["quota"] = tally.quota(group["position"], ballot.max_winners)
        groups.append(group)
    return {
        "ballot": ballot,
        "meeting": ballot.meeting,
        "form": form,
        "groups": groups,
        "several_units": len(form.units) > 1,
        "rules": _rules_summary(_rules_of(ballot)),
    }
