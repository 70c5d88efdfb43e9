"""The secretariat's award-proposal pages (DESIGN.md §9): the bloc-year's proposals, a
proposal with its units' eligibility explained, reports, the board's decisions, versions and
history, and the secretariat's actions while a version is draft. Thin: each view reads
through a selector, writes through one service, and shows a service's error next to its
field (400, nothing saved)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blocs.models import BlocYear
from blocs.selectors import bloc_year_get_for_user
from core.forms import form_errors_apply
from core.permissions import access_rule, user_scopes

from . import selectors, services
from .forms import ItemAddForm, ItemRemoveForm, ReportFormForm, ReportUploadForm, VersionNewForm
from .models import AwardProposal, ProposalItem, ProposalVersion
from .permissions import can_draft, can_read_proposal, can_review

DRAFTABLE = (BlocYear.Status.VOTING, BlocYear.Status.PROPOSED)

ACTION_LABELS = {
    "draft": gettext_lazy("Lập tờ trình"),
    "item_remove": gettext_lazy("Bỏ đơn vị khỏi tờ trình"),
    "item_add": gettext_lazy("Bổ sung đơn vị"),
    "report_upload": gettext_lazy("Tải lên báo cáo thành tích"),
    "report_form": gettext_lazy("Lưu báo cáo thành tích (Mẫu số 02)"),
    "submit": gettext_lazy("Gửi Ban Thi đua - Khen thưởng"),
    "board_decide": gettext_lazy("Ban Thi đua - Khen thưởng quyết định"),
    "council_record": gettext_lazy("Ghi kết quả của Hội đồng"),
    "version_new": gettext_lazy("Lập phiên bản mới"),
}


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- the bloc-year's proposals ------------------------------------------------------------


def _ballots_to_draft(bloc_year: BlocYear) -> tuple[bool, bool]:
    """(a nomination ballot of the year-end meeting is published, one of them is for an
    award that has no proposal yet): 2 queries."""
    from meetings.models import Ballot, Meeting

    awards = set(
        Ballot.objects.filter(
            kind=Ballot.Kind.NOMINATION,
            status=Ballot.Status.PUBLISHED,
            meeting__kind=Meeting.Kind.YEAR_END,
            meeting__bloc_year=bloc_year,
        ).values_list("award_type_id", flat=True)
    )
    if not awards:
        return False, False
    drafted = set(
        AwardProposal.objects.filter(bloc_year=bloc_year).values_list("award_type_id", flat=True)
    )
    return True, bool(awards - drafted)


def _proposal_rows(request: HttpRequest, bloc_year: BlocYear) -> list[dict]:
    """One row per proposal: its latest version and the count of its units per status
    (3 queries whatever the number of proposals and units)."""
    versions = selectors.current_versions(bloc_year)
    items = (
        ProposalItem.objects.filter(version__in=list(versions.values()))
        .select_related("version")
        .prefetch_related("decisions")
    )
    own_units = user_scopes(request.user).leader_unit_ids
    by_version: dict[int, list] = {}
    for item in items:
        by_version.setdefault(item.version_id, []).append(item)
    rows = []
    for version in sorted(
        versions.values(),
        key=lambda v: (v.proposal.award_type.order, v.proposal.award_type.name),
    ):
        counts: dict[str, int] = {}
        own = []
        for item in by_version.get(version.pk, []):
            status = selectors.item_status(item)
            if status == "removed":
                continue
            counts[status] = counts.get(status, 0) + 1
            if item.unit_id in own_units:
                own.append((item, selectors.item_status_label(status)))
        rows.append(
            {
                "proposal": version.proposal,
                "version": version,
                "units": sum(counts.values()),
                "counts": [
                    {"status": s, "label": selectors.item_status_label(s), "n": n}
                    for s, n in sorted(counts.items())
                ],
                "returned": counts.get("returned", 0),
                "own": own,
            }
        )
    return rows


def _list_page(
    request: HttpRequest, bloc_year: BlocYear, *, error: str = "", status: int = 200
) -> HttpResponse:
    rows = _proposal_rows(request, bloc_year)
    drafter = can_draft(request.user, bloc_year)
    published, missing = _ballots_to_draft(bloc_year) if drafter else (False, False)
    return render(
        request,
        "awards/proposal_list.html",
        {
            "bloc_year": bloc_year,
            "rows": rows,
            "can_draft": drafter,
            "can_open": can_read_proposal(request.user, bloc_year),
            "ballots_published": published,
            "ballots_undrafted": missing,
            "draftable": bloc_year.status in DRAFTABLE,
            "draft_error": error,
        },
        status=status,
    )


@access_rule("object")
@require_GET
def proposal_list(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    return _list_page(request, bloc_year)


@access_rule("object")
@require_POST
def proposals_draft(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    if not can_draft(request.user, bloc_year):
        raise PermissionDenied(_("Chỉ thư ký của khối trong năm được lập tờ trình đề nghị."))
    try:
        proposals = services.award_proposals_draft(bloc_year=bloc_year, actor=request.user)
    except ValidationError as exc:
        return _list_page(request, bloc_year, error=_error_text(exc), status=400)
    messages.success(
        request,
        _("Đã lập tờ trình từ kết quả bỏ phiếu: %(n)s tờ trình.") % {"n": len(proposals)},
    )
    return redirect("awards:proposal_list", bloc_year_id=bloc_year.pk)


# --- one proposal -------------------------------------------------------------------------


def _eligibility_view(data: dict | None) -> dict | None:
    """The eligibility (live, or frozen in a snapshot) as the template shows it."""
    if not data:
        return None
    return {
        "eligible": data.get("eligible"),
        "summary": data.get("summary", ""),
        "reasons": data.get("reasons") or [],
        "rank_label": data.get("rank_label", ""),
        "classification": data.get("classification", ""),
        "classification_reason": data.get("classification_reason", ""),
        "total": data.get("total"),
        "max_total": data.get("max_total"),
        "ballot": data.get("ballot"),
        "rule_name": data.get("rule_name", ""),
    }


def _item_rows(
    version: ProposalVersion, items: list, live: dict | None, award_id: int
) -> tuple[list, list]:
    """(active rows, removed rows) of a version's `items` (those the user may read);
    eligibility from the snapshot once submitted, else computed now (`live`)."""
    active, removed = [], []
    for item in items:  # prefetched, ordered by the model
        item.version = version
        status = selectors.item_status(item)
        if version.sealed and item.snapshot:
            eligibility = _eligibility_view(item.snapshot.get("eligibility"))
            report = item.snapshot.get("report") or {}
            report_form = report.get("form")
        else:
            result = (live or {}).get((award_id, item.unit_id))
            eligibility = _eligibility_view(result.snapshot()) if result else None
            report_form = item.report_form
        row = {
            "item": item,
            "status": status,
            "status_label": selectors.item_status_label(status),
            "eligibility": eligibility,
            "report_form": report_form,
            "decisions": list(item.decisions.all()),
        }
        (removed if item.removed_at is not None else active).append(row)
    return active, removed


def _version_of(versions: list, number: Any) -> ProposalVersion:
    for v in versions:
        if str(v.number) == str(number):
            return v
    raise Http404(_("Không tìm thấy phiên bản này của tờ trình."))


def _proposal_page(
    request: HttpRequest,
    proposal: AwardProposal,
    *,
    number: Any = None,
    status: int = 200,
    remove_forms: dict | None = None,
    add_form: ItemAddForm | None = None,
    version_form: VersionNewForm | None = None,
    action_error: str = "",
) -> HttpResponse:
    bloc_year = proposal.bloc_year
    award = proposal.award_type
    versions = selectors.proposal_versions(proposal=proposal)
    latest = versions[-1]
    version = latest if number is None else _version_of(versions, number)
    drafter = can_draft(request.user, bloc_year)
    editable = drafter and version.pk == latest.pk and version.status == version.Status.DRAFT
    live = None
    if not version.sealed:
        live = selectors.bloc_year_eligibility(bloc_year=bloc_year, award_types=[award])
    items = selectors.proposal_items_for_user(user=request.user, proposal=proposal, version=version)
    active, removed = _item_rows(version, items, live, award.pk)
    remove_forms = remove_forms or {}
    for row in active:
        row["remove_form"] = remove_forms.get(row["item"].pk) or ItemRemoveForm(
            auto_id=f"id_remove_{row['item'].pk}_%s"
        )
        row["remove_open"] = row["item"].pk in remove_forms
    if editable and add_form is None:
        add_form = _add_form(version, live, award.pk)
    returned = sum(1 for r in active if r["status"] == "returned")
    return render(
        request,
        "awards/proposal_detail.html",
        {
            "proposal": proposal,
            "bloc_year": bloc_year,
            "award": award,
            "versions": versions,
            "version": version,
            "latest": latest,
            "is_latest": version.pk == latest.pk,
            "active": active,
            "removed": removed,
            "snapshot": version.snapshot if version.sealed else None,
            "snapshot_held_on": _iso_date(
                ((version.snapshot or {}).get("meeting") or {}).get("held_on")
            ),
            "history": _history(request, proposal),
            "can_draft": drafter,
            "can_review": can_review(request.user, bloc_year),
            "own_only": selectors.proposal_unit_ids_for_user(user=request.user, proposal=proposal)
            is not None,
            "editable": editable,
            "add_form": add_form if editable else None,
            "can_version_new": drafter
            and version.pk == latest.pk
            and latest.sealed
            and returned > 0,
            "version_form": version_form or VersionNewForm(),
            "returned": returned,
            "missing_reports": [r for r in active if not r["item"].has_report],
            "action_error": action_error,
        },
        status=status,
    )


def _iso_date(value: Any):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _history(request: HttpRequest, proposal: AwardProposal) -> list:
    """The append-only history the user may read, with its actors (2 queries) and the
    statuses in words."""
    from django.contrib.auth import get_user_model

    events = selectors.proposal_history_for_user(user=request.user, proposal=proposal)
    users = get_user_model().objects.in_bulk({e.actor_id for e in events if e.actor_id})
    for e in events:
        if e.actor_id:
            e.actor = users.get(e.actor_id)
        e.action_label = str(ACTION_LABELS.get(e.action, e.action))
        e.from_label = selectors.item_status_label(e.from_status) if e.from_status else ""
        e.to_label = selectors.item_status_label(e.to_status) if e.to_status else ""
    return events


def _add_form(version: ProposalVersion, live: dict | None, award_id: int, data=None):
    in_version = [
        i.unit_id for i in version.items.all() if i.removed_at is None
    ]  # prefetched when there
    units = version.proposal.bloc_year.members.exclude(pk__in=in_version).order_by("name")
    labels = {}
    for (a_id, unit_id), result in (live or {}).items():
        if a_id == award_id:
            mark = _("đủ điều kiện") if result.eligible else _("chưa đủ điều kiện")
            labels[unit_id] = f"{result.unit_name} ({mark})"
    return ItemAddForm(data, units=units, labels=labels, auto_id="id_add_%s")


def _proposal_for(request: HttpRequest, proposal_id: int, *, draft: bool = False):
    proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    if draft and not can_draft(request.user, proposal.bloc_year):
        raise PermissionDenied(_("Chỉ thư ký của khối trong năm được lập tờ trình đề nghị."))
    return proposal


def _latest(proposal: AwardProposal) -> ProposalVersion:
    return proposal.versions.order_by("-number").first()


def _item_of(proposal: AwardProposal, item_id: int, *, version=None) -> ProposalItem:
    """An item of the proposal's latest version (of `version` when given); another
    proposal's item is not found."""
    version = version or _latest(proposal)
    item = (
        ProposalItem.objects.select_related("unit", "version")
        .filter(pk=item_id, version=version)
        .first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        raise Http404(_("Không tìm thấy đơn vị này trong tờ trình."))
    return item


@access_rule("object")
@require_GET
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id)
    return _proposal_page(request, proposal)


@access_rule("object")
@require_GET
def proposal_version(request: HttpRequest, proposal_id: int, number: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id)
    return _proposal_page(request, proposal, number=number)


@access_rule("object")
@require_POST
def proposal_item_remove(request: HttpRequest, proposal_id: int, item_id: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id, draft=True)
    item = _item_of(proposal, item_id)
    form = ItemRemoveForm(request.POST, auto_id=f"id_remove_{item.pk}_%s")
    if form.is_valid():
        try:
            services.proposal_item_remove(
                item=item, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã bỏ %(unit)s khỏi tờ trình.") % {"unit": item.unit.name})
            return redirect("awards:proposal_detail", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, status=400, remove_forms={item.pk: form})


@access_rule("object")
@require_POST
def proposal_item_add(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id, draft=True)
    version = _latest(proposal)
    form = _add_form(version, None, proposal.award_type_id, data=request.POST)
    if version.status != version.Status.DRAFT:
        form.is_valid()
        form.add_error(None, _("Tờ trình đã gửi nên không thể bổ sung đơn vị."))
    elif form.is_valid():
        try:
            services.proposal_item_add(
                version=version, unit=form.cleaned_data["unit"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã bổ sung %(unit)s vào tờ trình.") % {"unit": form.cleaned_data["unit"].name},
            )
            return redirect("awards:proposal_detail", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, status=400, add_form=form)


# --- an item's achievement report ---------------------------------------------------------


def _report_page(
    request: HttpRequest,
    proposal: AwardProposal,
    item: ProposalItem,
    *,
    upload_form: ReportUploadForm | None = None,
    report_form: ReportFormForm | None = None,
    status: int = 200,
) -> HttpResponse:
    existing = item.report_form or {}
    if report_form is None:
        report_form = ReportFormForm(
            initial=ReportFormForm.initial_from(existing or {"unit_name": item.unit.name}),
            by_year_rows=max(len(existing.get("by_year") or []) + 1, 3),
            award_rows=max(len(existing.get("awards_received") or []) + 1, 3),
        )
    return render(
        request,
        "awards/proposal_report.html",
        {
            "proposal": proposal,
            "bloc_year": proposal.bloc_year,
            "item": item,
            "editable": item.version.status == ProposalVersion.Status.DRAFT
            and item.removed_at is None,
            "upload_form": upload_form or ReportUploadForm(),
            "report_form": report_form,
        },
        status=status,
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def proposal_item_report(request: HttpRequest, proposal_id: int, item_id: int) -> HttpResponse:
    """GET: the report page (upload a file, or write Mẫu số 02); POST: the upload."""
    proposal = _proposal_for(request, proposal_id, draft=True)
    item = _item_of(proposal, item_id)
    if request.method == "GET":
        return _report_page(request, proposal, item)
    form = ReportUploadForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.proposal_item_report_upload(
            item=item, upload=form.cleaned_data.get("file"), actor=request.user
        )
    except ValidationError as exc:
        form_errors_apply(form=form, exc=exc)
        return _report_page(request, proposal, item, upload_form=form, status=400)
    messages.success(
        request,
        _("Đã tải lên báo cáo thành tích của %(unit)s.") % {"unit": item.unit.name},
    )
    return redirect("awards:proposal_detail", proposal_id=proposal.pk)


def _row_count(data, prefix: str) -> int:
    """How many rows the posted form has (bounded: a forged count makes no huge form)."""
    n = 0
    while n < 50 and any(k.startswith(f"{prefix}_{n}_") for k in data):
        n += 1
    return n


@access_rule("object")
@require_POST
def proposal_item_report_form(request: HttpRequest, proposal_id: int, item_id: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id, draft=True)
    item = _item_of(proposal, item_id)
    form = ReportFormForm(
        request.POST,
        by_year_rows=_row_count(request.POST, "by_year"),
        award_rows=_row_count(request.POST, "awards"),
    )
    if form.is_valid():
        try:
            services.proposal_item_report_form_save(
                item=item, form=form.report(), actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _("Đã lưu báo cáo thành tích (Mẫu số 02) của %(unit)s.") % {"unit": item.unit.name},
            )
            return redirect("awards:proposal_detail", proposal_id=proposal.pk)
    return _report_page(request, proposal, item, report_form=form, status=400)


@access_rule("object")
@require_GET
def proposal_item_report_file(request: HttpRequest, proposal_id: int, item_id: int) -> FileResponse:
    proposal = _proposal_for(request, proposal_id)
    item = (
        ProposalItem.objects.filter(pk=item_id, version__proposal=proposal).first()
        if str(item_id).isdigit()
        else None
    )
    units = selectors.proposal_unit_ids_for_user(user=request.user, proposal=proposal)
    if item is not None and units is not None and item.unit_id not in units:
        raise PermissionDenied(_("Bạn chỉ xem được báo cáo thành tích của đơn vị mình."))
    if item is None or not item.report_file:
        raise Http404(_("Không tìm thấy tệp báo cáo thành tích."))
    try:
        handle = item.report_file.open("rb")
    except FileNotFoundError:
        raise Http404(_("Không tìm thấy tệp báo cáo thành tích.")) from None
    return FileResponse(handle, as_attachment=True, filename=item.report_name or "bao-cao.pdf")


# --- submission and versions --------------------------------------------------------------


@access_rule("object")
@require_http_methods(["GET", "POST"])
def proposal_submit(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """GET: what will be sent, to confirm; POST: submit and seal the latest version."""
    proposal = _proposal_for(request, proposal_id, draft=True)
    version = _latest(proposal)
    error = ""
    if request.method == "POST":
        try:
            version = services.award_proposal_submit(version=version, actor=request.user)
        except ValidationError as exc:
            error = _error_text(exc)
        else:
            messages.success(
                request,
                _("Đã gửi tờ trình phiên bản %(n)s tới Ban Thi đua - Khen thưởng.")
                % {"n": version.number},
            )
            return redirect("awards:proposal_detail", proposal_id=proposal.pk)
    items = list(
        version.items.filter(removed_at__isnull=True).select_related("unit").order_by("order")
    )
    return render(
        request,
        "awards/proposal_submit.html",
        {
            "proposal": proposal,
            "bloc_year": proposal.bloc_year,
            "version": version,
            "items": items,
            "missing": [i for i in items if not i.has_report],
            "error": error,
        },
        status=400 if error else 200,
    )


@access_rule("object")
@require_POST
def proposal_version_new(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = _proposal_for(request, proposal_id, draft=True)
    form = VersionNewForm(request.POST)
    if form.is_valid():
        try:
            version = services.proposal_version_new(
                proposal=proposal, actor=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            return _proposal_page(
                request, proposal, status=400, version_form=form, action_error=_error_text(exc)
            )
        messages.success(
            request,
            _("Đã lập phiên bản %(n)s: sửa các đơn vị bị trả lại rồi gửi lại.")
            % {"n": version.number},
        )
        return redirect("awards:proposal_detail", proposal_id=proposal.pk)
    return _proposal_page(request, proposal, status=400, version_form=form)


def proposal_list_url(bloc_year: BlocYear) -> str:
    return reverse("awards:proposal_list", args=[bloc_year.pk])
