"""Minutes pages (biên bản hội nghị): the current version, with the secretariat's text
areas while it is a draft or open for amendments, the amendments and their resolution, the
chair's and the secretary's approval, the seal. Every write is a POST to its own endpoint;
a bad one shows the page again with the message next to the field, status 400."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.forms import form_errors_apply
from core.permissions import access_rule

from .. import forms
from ..models import Minutes, MinutesAmendment
from ..permissions import can_run_meeting
from ..selectors import meetings as meeting_selectors
from ..selectors import minutes as selectors
from ..services import minutes as services

EDITABLE = (Minutes.Status.DRAFT, Minutes.Status.AMENDING)


def _page(request, meeting, minutes, *, bound=None, status=200) -> HttpResponse:
    """The minutes page. `bound` replaces one of the page's forms by the one the user
    sent (with its errors): ("section", id, form), ("open", None, form), ("propose", None,
    form), ("resolve", id, form)."""
    bound = bound or (None, None, None)
    can_run = can_run_meeting(request.user, meeting.bloc_year)
    versions = selectors.minutes_for_meeting(meeting=meeting)
    ctx = {
        "meeting": meeting,
        "bloc_year": meeting.bloc_year,
        "minutes": minutes,
        "versions": versions,
        "can_run": can_run,
        "latest": minutes is None or not versions or versions[0].pk == minutes.pk,
    }
    if minutes is None:
        return render(request, "meetings/minutes_detail.html", ctx, status=status)
    sections = selectors.minutes_sections(minutes=minutes)
    amendments = selectors.minutes_amendments(minutes=minutes)
    actions = selectors.minutes_actions(minutes=minutes, user=request.user)
    editable = actions.edit
    now = timezone.now()
    window_open = (
        minutes.status == Minutes.Status.AMENDING
        and minutes.amend_until is not None
        and now < minutes.amend_until
    )
    for section in sections:
        if editable:
            if bound[0] == "section" and bound[1] == section.pk:
                section.form = bound[2]
            else:
                section.form = forms.SectionForm(
                    prefix=f"s{section.pk}", initial={"text": section.text}
                )
        section.amendments_here = [a for a in amendments if a.section_id == section.pk]
    for amendment in amendments:
        if can_run and amendment.resolution == MinutesAmendment.Resolution.PENDING:
            if bound[0] == "resolve" and bound[1] == amendment.pk:
                amendment.form = bound[2]
            else:
                amendment.form = forms.AmendmentResolveForm(prefix=f"r{amendment.pk}")
    units = actions.amend_units if window_open else []
    propose_form = None
    if bound[0] == "propose":
        propose_form = bound[2]  # with its errors, even once the window has closed
    elif units:
        propose_form = forms.AmendmentProposeForm(units=units, sections=sections)
    text_form = None
    if editable:
        text_form = (
            bound[2]
            if bound[0] == "text"
            else forms.MinutesTextForm(
                prefix="t", initial={"opening": minutes.opening, "closing": minutes.closing}
            )
        )
    open_form = None
    if can_run and minutes.status == Minutes.Status.DRAFT:
        open_form = bound[2] if bound[0] == "open" else forms.AmendmentsOpenForm()
    ctx.update(
        sections=sections,
        amendments=amendments,
        editable=editable,
        window_open=window_open,
        propose_form=propose_form,
        open_form=open_form,
        text_form=text_form,
        can_approve=bool(actions.approve_as),
        pending=sum(1 for a in amendments if a.resolution == MinutesAmendment.Resolution.PENDING),
    )
    return render(request, "meetings/minutes_detail.html", ctx, status=status)


def _back(minutes) -> HttpResponse:
    return redirect(reverse("meetings:minutes", args=[minutes.meeting_id]) + "#minutes")


@access_rule("object")
@require_GET
def minutes_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """The current version (or ?version=N) for everyone who reads the meeting."""
    meeting = meeting_selectors.meeting_get_for_user(user=request.user, meeting_id=meeting_id)
    version = request.GET.get("version", "")
    if version:
        if not (version.isascii() and version.isdigit() and len(version) <= 4):
            raise Http404(_("Không tìm thấy phiên bản biên bản này."))
        minutes = next(
            (
                m
                for m in selectors.minutes_for_meeting(meeting=meeting)
                if m.version == int(version)
            ),
            None,
        )
        if minutes is None:
            raise Http404(_("Không tìm thấy phiên bản biên bản này."))
    else:
        minutes = selectors.minutes_latest(meeting=meeting)
    return _page(request, meeting, minutes)


@access_rule("object")
@require_POST
def minutes_draft(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = meeting_selectors.meeting_get_for_user(
        user=request.user, meeting_id=meeting_id, manage=True
    )
    try:
        minutes = services.minutes_draft(meeting=meeting, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, meeting, selectors.minutes_latest(meeting=meeting), status=400)
    messages.success(request, _("Đã lập dự thảo biên bản từ dữ liệu của hội nghị."))
    return _back(minutes)


@access_rule("object")
@require_POST
def minutes_section_save(request: HttpRequest, minutes_id: int, section_id: int) -> HttpResponse:
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    section = selectors.minutes_section_get(minutes=minutes, section_id=section_id)
    form = forms.SectionForm(request.POST, prefix=f"s{section.pk}")
    if form.is_valid():
        try:
            services.minutes_section_update(
                section=section, text=form.cleaned_data["text"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request, _("Đã lưu mục %(title)s.") % {"title": f"{section.order}. {section.title}"}
            )
            return redirect(
                reverse("meetings:minutes", args=[minutes.meeting_id]) + f"#section-{section.pk}"
            )
    return _page(request, minutes.meeting, minutes, bound=("section", section.pk, form), status=400)


@access_rule("object")
@require_POST
def minutes_text_save(request: HttpRequest, minutes_id: int) -> HttpResponse:
    """The opening and the closing (drafted from the meeting's data), while editable. A
    part the form does not send is left as it is."""
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    form = forms.MinutesTextForm(request.POST, prefix="t")
    if form.is_valid():
        sent = {
            name: form.cleaned_data[name] if form.add_prefix(name) in request.POST else None
            for name in ("opening", "closing")
        }
        try:
            services.minutes_update(minutes=minutes, actor=request.user, **sent)
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã lưu phần mở đầu và phần kết thúc."))
            return _back(minutes)
    return _page(request, minutes.meeting, minutes, bound=("text", None, form), status=400)


@access_rule("object")
@require_POST
def minutes_amendments_open(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    form = forms.AmendmentsOpenForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_amendments_open(
                minutes=minutes, until=form.cleaned_data["until"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã mở lấy ý kiến các đơn vị có mặt về dự thảo biên bản."))
            return _back(minutes)
    return _page(request, minutes.meeting, minutes, bound=("open", None, form), status=400)


@access_rule("object")
@require_POST
def minutes_amendments_close(request: HttpRequest, minutes_id: int) -> HttpResponse:
    """End the window now (every unit present has answered), so that chair and secretary
    can approve before the deadline."""
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    try:
        services.minutes_amendments_close(minutes=minutes, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, minutes.meeting, minutes, status=400)
    messages.success(request, _("Đã kết thúc lấy ý kiến về dự thảo biên bản."))
    return _back(minutes)


@access_rule("object")
@require_POST
def minutes_amendment_propose(request: HttpRequest, minutes_id: int) -> HttpResponse:
    """Leaders and staff of a unit present at the meeting, during the window."""
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id)
    units = selectors.minutes_actions(minutes=minutes, user=request.user).amend_units
    if not units:
        raise PermissionDenied(
            _("Chỉ lãnh đạo, cán bộ của đơn vị có mặt tại hội nghị mới được góp ý biên bản.")
        )
    sections = selectors.minutes_sections(minutes=minutes)
    form = forms.AmendmentProposeForm(request.POST, units=units, sections=sections)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.minutes_amendment_propose(
                minutes=minutes,
                unit=next(u for u in units if u.pk == data["unit"]),
                user=request.user,
                text=data["text"],
                section=next((s for s in sections if s.pk == data["section"]), None),
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã gửi góp ý; thư ký khối sẽ xem xét tiếp thu."))
            return _back(minutes)
    return _page(request, minutes.meeting, minutes, bound=("propose", None, form), status=400)


@access_rule("object")
@require_POST
def minutes_amendment_resolve(
    request: HttpRequest, minutes_id: int, amendment_id: int
) -> HttpResponse:
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    amendment = selectors.minutes_amendment_get(minutes=minutes, amendment_id=amendment_id)
    form = forms.AmendmentResolveForm(request.POST, prefix=f"r{amendment.pk}")
    if form.is_valid():
        try:
            services.minutes_amendment_resolve(
                amendment=amendment,
                accepted=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã ghi nhận cách xử lý góp ý."))
            return _back(minutes)
    return _page(
        request, minutes.meeting, minutes, bound=("resolve", amendment.pk, form), status=400
    )


@access_rule("object")
@require_POST
def minutes_approve(request: HttpRequest, minutes_id: int) -> HttpResponse:
    """The chair's or the secretary's approval; both in, the minutes are sealed."""
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id)
    if not services.approver_roles(minutes=minutes, user=request.user):
        raise PermissionDenied(_("Chỉ chủ trì và thư ký hội nghị thông qua biên bản."))
    try:
        minutes = services.minutes_approve(minutes=minutes, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id)
        return _page(request, minutes.meeting, minutes, status=400)
    if minutes.status == Minutes.Status.SEALED:
        messages.success(request, _("Biên bản đã được thông qua và niêm phong."))
    else:
        messages.success(request, _("Đã ghi nhận ý kiến thông qua biên bản của bạn."))
    return _back(minutes)


@access_rule("object")
@require_POST
def minutes_new_version(request: HttpRequest, minutes_id: int) -> HttpResponse:
    minutes = selectors.minutes_get_for_user(user=request.user, minutes_id=minutes_id, manage=True)
    try:
        services.minutes_new_version(minutes=minutes, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _page(request, minutes.meeting, minutes, status=400)
    messages.success(request, _("Đã lập phiên bản mới của biên bản (dự thảo)."))
    return _back(minutes)
