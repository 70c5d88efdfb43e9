"""Pledge pages. Views parse input, call one selector or service and render."""

import datetime as dt
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

# One rule for the client's address behind trusted proxies, shared with the login throttle.
from core.auth import client_ip as _client_ip
from core.forms import form_errors_apply
from core.permissions import access_rule
from documents import services as document_services
from documents.models import DocumentJob

from . import selectors, services, signing
from .forms import (
    AmendForm,
    CommitmentFormSet,
    DraftForm,
    OpenForm,
    SignForm,
    TargetFormSet,
    VerifyForm,
)
from .models import PledgeVersion
from .permissions import can_edit_unit_targets, can_manage_pledge, can_sign_for_unit

PDF_KIND = "pledge"

logger = logging.getLogger(__name__)


def _base(request: HttpRequest, bloc_year, **extra) -> dict:
    return {
        "bloc_year": bloc_year,
        "can_manage": can_manage_pledge(request.user, bloc_year),
        **extra,
    }


@access_rule("object")
@require_GET
def pledge_detail(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    version = selectors.current_version(bloc_year=bloc_year)
    content = selectors.version_content(version=version) if version else None
    my_units = []
    if content is not None:
        for block in content.units:
            my_units.append(
                {
                    "unit": block.unit,
                    "edit": can_edit_unit_targets(request.user, block.unit),
                    "sign": can_sign_for_unit(request.user, block.unit),
                    "signed": block.signature is not None,
                }
            )
        my_units = [u for u in my_units if u["edit"] or u["sign"]]
    jobs = DocumentJob.objects.filter(bloc_year=bloc_year, kind=PDF_KIND).select_related(
        "requested_by"
    )[:10]
    return render(
        request,
        "pledges/detail.html",
        _base(
            request,
            bloc_year,
            version=version,
            content=content,
            my_units=my_units,
            versions=selectors.versions_for(bloc_year=bloc_year),
            jobs=jobs,
            pades=signing.pades_status(),
        ),
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def pledge_edit(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    """The secretariat drafts the common part: title, preamble, commitments."""
    bloc_year = selectors.bloc_year_get_for_user(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is not None and version.is_frozen:
        return render(
            request, "pledges/edit.html", _base(request, bloc_year, version=version, frozen=True)
        )
    if version is None:
        initial = {"title": _("Giao ước thi đua năm %(year)s") % {"year": bloc_year.year}}
        rows = []
    else:
        initial = {"title": version.title, "preamble": version.preamble}
        rows = [
            {
                "text": c.text,
                "target_value": (
                    services.number_canonical(c.target_value).replace(".", ",")
                    if c.target_value is not None
                    else ""
                ),
                "target_unit": c.target_unit,
            }
            for c in version.commitments.order_by("position")
        ]
    if request.method == "POST":
        form = DraftForm(request.POST)
        formset = CommitmentFormSet(request.POST, prefix="c")
        if form.is_valid() and formset.is_valid():
            commitments = [
                services.CommitmentData(
                    text=f.cleaned_data.get("text") or "",
                    target_value=f.cleaned_data.get("target_value"),
                    target_unit=f.cleaned_data.get("target_unit") or "",
                )
                for f in formset.forms
                if f.cleaned_data
            ]
            try:
                if version is None:
                    services.pledge_create(
                        bloc_year=bloc_year,
                        title=form.cleaned_data["title"],
                        preamble=form.cleaned_data["preamble"],
                        commitments=commitments,
                        actor=request.user,
                    )
                else:
                    services.pledge_draft_save(
                        version=version,
                        title=form.cleaned_data["title"],
                        preamble=form.cleaned_data["preamble"],
                        commitments=commitments,
                        actor=request.user,
                    )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(request, _("Đã lưu dự thảo giao ước."))
                return redirect("pledges:detail", bloc_year_id=bloc_year.pk)
    else:
        form = DraftForm(initial=initial)
        formset = CommitmentFormSet(initial=rows, prefix="c")
    return render(
        request,
        "pledges/edit.html",
        _base(request, bloc_year, version=version, form=form, formset=formset),
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def pledge_open(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is None:
        raise Http404(_("Năm thi đua này chưa có giao ước."))
    form = OpenForm(request.POST or None)
    if (
        request.method == "POST"
        and version.status == PledgeVersion.Status.DRAFT
        and form.is_valid()
    ):
        try:
            services.pledge_open(
                version=version, deadline=form.cleaned_data["deadline"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(request, _("Đã mở ký giao ước; lãnh đạo các đơn vị đã được mời ký."))
            return redirect("pledges:progress", bloc_year_id=bloc_year.pk)
    return render(
        request, "pledges/open.html", _base(request, bloc_year, version=version, form=form)
    )


@access_rule("object")
@require_http_methods(["GET", "POST"])
def unit_targets(request: HttpRequest, bloc_year_id: int, unit_id: int) -> HttpResponse:
    """A unit's staff (or leader) register the unit's targets in the draft."""
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    unit = selectors.unit_for_targets_get_for_user(
        user=request.user, bloc_year=bloc_year, unit_id=unit_id
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is None:
        raise Http404(_("Năm thi đua này chưa có giao ước."))
    ctx = _base(request, bloc_year, version=version, unit=unit)
    current = selectors.unit_targets(version=version, unit=unit)
    if version.is_frozen:
        return render(request, "pledges/targets.html", {**ctx, "frozen": True, "targets": current})
    if request.method == "POST":
        formset = TargetFormSet(request.POST, prefix="t")
        if formset.is_valid():
            targets = [
                services.TargetData(
                    description=f.cleaned_data.get("description") or "",
                    target_value=f.cleaned_data.get("target_value"),
                    unit_of_measure=f.cleaned_data.get("unit_of_measure") or "",
                )
                for f in formset.forms
                if f.cleaned_data and (f.cleaned_data.get("description") or "").strip()
            ]
            try:
                services.unit_targets_save(
                    version=version, unit=unit, targets=targets, actor=request.user
                )
            except ValidationError as exc:
                formset._non_form_errors = formset.error_class(exc.messages)
            else:
                messages.success(request, _("Đã lưu chỉ tiêu đăng ký của đơn vị."))
                return redirect("pledges:detail", bloc_year_id=bloc_year.pk)
    else:
        formset = TargetFormSet(
            prefix="t",
            initial=[
                {
                    "description": t.description,
                    "target_value": services.number_canonical(t.target_value).replace(".", ","),
                    "unit_of_measure": t.unit_of_measure,
                }
                for t in current
            ],
        )
    return render(request, "pledges/targets.html", {**ctx, "formset": formset})


@access_rule("object")
@require_http_methods(["GET", "POST"])
def pledge_sign(request: HttpRequest, bloc_year_id: int, unit_id: int) -> HttpResponse:
    """The leader reads exactly what they sign (the version's common part and the unit's
    targets, with its hash) and signs by entering their password again."""
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    unit = selectors.unit_for_signing_get_for_user(
        user=request.user, bloc_year=bloc_year, unit_id=unit_id
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is None:
        raise Http404(_("Năm thi đua này chưa có giao ước."))
    content_hash = services.content_hash_compute(version=version, unit=unit)
    signature = selectors.signature_for(version=version, unit=unit)
    ctx = _base(
        request,
        bloc_year,
        version=version,
        unit=unit,
        commitments=list(version.commitments.order_by("position")),
        targets=selectors.unit_targets(version=version, unit=unit),
        content_hash=content_hash,
        signature=signature,
    )
    late = version.status == PledgeVersion.Status.OPEN and selectors.signing_closed_by_deadline(
        version=version
    )
    can_sign = version.status == PledgeVersion.Status.OPEN and signature is None and not late
    form = SignForm(request.POST or None, initial={"content_hash": content_hash})
    if request.method == "POST":
        if not can_sign:
            form.add_error(
                None,
                _("Không thể ký: phiên bản này không mở ký, đã quá hạn ký hoặc đơn vị đã ký."),
            )
        elif form.is_valid():
            try:
                services.pledge_sign(
                    version=version,
                    unit=unit,
                    user=request.user,
                    password=form.cleaned_data["password"],
                    request=request,
                    expected_hash=form.cleaned_data["content_hash"],
                    ip_address=_client_ip(request),
                    user_agent=request.headers.get("user-agent", ""),
                )
            except ValidationError as exc:
                form_errors_apply(form=form, exc=exc)
            else:
                messages.success(
                    request,
                    _("%(unit)s đã ký giao ước thi đua năm %(year)s.")
                    % {"unit": unit.name, "year": bloc_year.year},
                )
                return redirect("pledges:detail", bloc_year_id=bloc_year.pk)
    return render(
        request, "pledges/sign.html", {**ctx, "form": form, "can_sign": can_sign, "late": late}
    )


@access_rule("object")
@require_GET
def pledge_progress(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(user=request.user, bloc_year_id=bloc_year_id)
    version = selectors.current_version(bloc_year=bloc_year)
    content = selectors.version_content(version=version) if version else None
    reminders = version.reminders.select_related("unit", "recipient")[:50] if version else []
    return render(
        request,
        "pledges/progress.html",
        _base(request, bloc_year, version=version, content=content, reminders=reminders),
    )


@access_rule("object")
@require_POST
def pledge_remind(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is None or version.status != PledgeVersion.Status.OPEN:
        messages.error(request, _("Chỉ nhắc ký được giao ước đang mở ký."))
    else:
        sent = services.pledge_reminders_send(version=version, actor=request.user)
        messages.success(
            request,
            _(
                "Đã gửi %(n)s thư nhắc tới lãnh đạo các đơn vị chưa ký (mỗi người nhận tối đa "
                "một thư mỗi ngày)."
            )
            % {"n": sent},
        )
    return redirect("pledges:progress", bloc_year_id=bloc_year.pk)


@access_rule("object")
@require_http_methods(["GET", "POST"])
def pledge_amend(request: HttpRequest, bloc_year_id: int) -> HttpResponse:
    bloc_year = selectors.bloc_year_get_for_user(
        user=request.user, bloc_year_id=bloc_year_id, manage=True
    )
    version = selectors.current_version(bloc_year=bloc_year)
    if version is None:
        raise Http404(_("Năm thi đua này chưa có giao ước."))
    form = AmendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pledge_amend(
                version=version, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            form_errors_apply(form=form, exc=exc)
        else:
            messages.success(
                request,
                _(
                    "Đã lập bản sửa đổi. Các chữ ký của phiên bản trước không còn hiệu lực; sau "
                    "khi mở ký, tất cả các đơn vị cần ký lại."
                ),
            )
            return redirect("pledges:edit", bloc_year_id=bloc_year.pk)
    return render(
        request, "pledges/amend.html", _base(request, bloc_year, version=version, form=form)
    )


@access_rule("object")
@require_GET
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    """Any version, old ones included, with its signatures and what changed from the one
    before it."""
    version = selectors.version_get_for_user(user=request.user, version_id=version_id)
    bloc_year = version.pledge.bloc_year
    diff = selectors.version_diff(old=version.previous, new=version) if version.previous else None
    return render(
        request,
        "pledges/version_detail.html",
        _base(
            request,
            bloc_year,
            version=version,
            content=selectors.version_content(version=version),
            diff=diff,
            changed=diff is not None and any(tag != " " for tag, _line in diff),
        ),
    )


@access_rule("object")
@require_POST
def pdf_request(request: HttpRequest, version_id: int) -> HttpResponse:
    """Everyone who reads the pledge may have its PDF made."""
    version = selectors.version_get_for_user(user=request.user, version_id=version_id)
    if version.status == PledgeVersion.Status.DRAFT:
        messages.error(request, _("Dự thảo chưa mở ký nên chưa có bản giao ước để ký."))
        return redirect("pledges:version_detail", version_id=version.pk)
    job = document_services.document_job_request(
        kind=PDF_KIND,
        bloc_year=version.pledge.bloc_year,
        user=request.user,
        params={"version_id": version.pk},
    )
    return redirect("documents:detail", job_id=job.pk)


def _verify_rate_address(request: HttpRequest) -> str:
    """Whom the verification rate limit counts: the client's address; an IPv6 client per
    /64, the block one subscriber usually holds (else each request could use a new one)."""
    ip = _client_ip(request)
    if ip is None:
        return "unknown"
    if ipaddress.ip_address(ip).version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return ip


def _verify_rate_wait(request: HttpRequest) -> int:
    """Count one check for the client's address in the current fixed window of the shared
    cache (an atomic increment on Redis); the seconds until the window ends when over the
    limit, else 0. With the cache down the check goes ahead (logged): the page stays up."""
    window = max(1, settings.PLEDGE_VERIFY_RATE_WINDOW_SECONDS)
    now = time.time()
    slot = int(now // window)
    key = f"pledges:verify-rate:{_verify_rate_address(request)}:{slot}"
    try:
        count = 1 if cache.add(key, 1, timeout=window) else cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh window
        count = 1
    except Exception:
        logger.warning("Verification rate limit not counted: cache unavailable", exc_info=True)
        return 0
    if count <= settings.PLEDGE_VERIFY_RATE_LIMIT:
        return 0
    return max(1, math.ceil((slot + 1) * window - now))


def _verify_refused(request: HttpRequest, wait: int) -> HttpResponse:
    again = timezone.localtime(timezone.now() + dt.timedelta(seconds=wait))
    message = _(
        "Bạn đã xác thực quá nhiều lần từ cùng một địa chỉ. Hãy thử lại sau %(minutes)s phút, "
        "lúc %(time)s (giờ Việt Nam)."
    ) % {"minutes": math.ceil(wait / 60), "time": again.strftime("%H:%M")}
    response = render(
        request, "pledges/verify.html", {"form": VerifyForm(), "refused": message}, status=429
    )
    response["Retry-After"] = str(wait)
    return response


@access_rule("public")
@login_not_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: anyone holding the PDF checks the file itself; a code alone checks only the
    stored data it names. Rate-limited per client address."""
    code_query = request.method == "GET" and bool(request.GET.get("code"))
    if request.method == "POST" or code_query:
        wait = _verify_rate_wait(request)
        if wait:
            return _verify_refused(request, wait)
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
    elif code_query:
        form = VerifyForm(request.GET)
    else:
        form = VerifyForm()
    outcome = None
    if form.is_bound and form.is_valid():
        code = form.cleaned_data.get("code") or ""
        pdf = form.cleaned_data.get("pdf")
        if pdf:
            outcome = selectors.pledge_file_verify(data=pdf.read(), code=code)
        else:
            outcome = selectors.pledge_code_verify(code=code)
    return render(request, "pledges/verify.html", {"form": form, "outcome": outcome})
