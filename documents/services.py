"""Writes of the document pipeline: request, render (in the worker), fail, retry."""

import datetime as dt
import functools
import hashlib
import logging
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Membership
from core.services import audit_event_record

from .models import DocumentJob, DocumentJobEvent
from .registry import get_kind
from .rendering import document_official_context, render_pdf
from .selectors import document_default_issued_on, document_signers

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def in_site_language(func: F) -> F:
    """Official documents and the texts stored with their jobs are in the site language
    (Vietnamese) whatever the UI language of who asked; in eager mode the render runs
    inside that user's request."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with translation.override(settings.LANGUAGE_CODE):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _enqueue(job: DocumentJob) -> None:
    from .tasks import document_job_render_task

    def send() -> None:
        try:
            document_job_render_task.apply_async(args=[job.pk], queue=settings.DOCUMENTS_QUEUE)
        except Exception as exc:  # broker down: the job stays visible and retryable
            logger.exception("Could not enqueue document job %s", job.pk)
            document_job_fail(
                job_id=job.pk,
                error=_("Không gửi được yêu cầu tới hàng đợi xử lý: %(error)s") % {"error": exc},
            )

    transaction.on_commit(send)


NUMBER_MAX = 99999


def _issued_on_errors(*, bloc_year: BlocYear, issued_on: dt.date) -> list[str]:
    """A document of year N is issued from the start of year N-1 (a roster made ahead of
    its year) to a year from today; anything else is a typing slip."""
    earliest = dt.date(bloc_year.year - 1, 1, 1)
    latest = timezone.localdate() + dt.timedelta(days=366)
    if issued_on < earliest:
        return [
            _("Ngày ban hành không được trước ngày %(day)s (văn bản của năm thi đua %(year)s).")
            % {"day": earliest.strftime("%d/%m/%Y"), "year": bloc_year.year}
        ]
    if issued_on > latest:
        return [
            _("Ngày ban hành không được sau ngày %(day)s.") % {"day": latest.strftime("%d/%m/%Y")}
        ]
    return []


def _signer(*, bloc_year: BlocYear, signer_role: str | None) -> tuple[str, str, str]:
    """(role, name, title) of who signs for the bloc; None: the head unit's leader, if the
    year has a head. The name and title are copied: the document keeps its signer when the
    unit's leader changes later."""
    signers = {m.role: m for m in document_signers(bloc_year=bloc_year)}
    if signer_role is None:
        signer_role = DocumentJob.SignerRole.HEAD if "head" in signers else ""
    if signer_role == "":
        return "", "", ""
    if signer_role not in DocumentJob.SignerRole.values:
        raise ValidationError({"signer": _("Người ký không hợp lệ.")})
    membership = signers.get(signer_role)
    if membership is None:
        raise ValidationError(
            {
                "signer": _("Năm thi đua này chưa có đơn vị %(role)s để ký văn bản.")
                % {"role": Membership.Role(signer_role).label}
            }
        )
    return signer_role, membership.leader_name, membership.leader_title


def _number(*, bloc_year: BlocYear, code: str, number: int | None) -> int:
    """The number asked for if it is free in this bloc-year's register of `code`, else the
    next one after the highest used. The caller holds the bloc-year's row lock, so two
    requests cannot take the same number (the unique constraint backs this up)."""
    register = DocumentJob.objects.filter(bloc_year=bloc_year, number_code=code)
    if number is None:
        highest = register.aggregate(highest=Max("number"))["highest"] or 0
        return highest + 1
    if not 1 <= number <= NUMBER_MAX:
        raise ValidationError(
            {"number": _("Số văn bản là số nguyên từ 1 đến %(max)d.") % {"max": NUMBER_MAX}}
        )
    taken = register.filter(number=number).order_by("pk").first()
    if taken is not None:
        raise ValidationError(
            {
                "number": _(
                    "Số %(number)s đã được dùng cho văn bản #%(job)s của khối năm %(year)s. "
                    "Chọn số khác, hoặc để trống để hệ thống cấp số tiếp theo."
                )
                % {"number": taken.number_display, "job": taken.pk, "year": bloc_year.year}
            }
        )
    return number


@in_site_language
@transaction.atomic
def document_job_request(
    *,
    kind: str,
    bloc_year: BlocYear,
    user: Any,
    params: dict | None = None,
    issued_on: dt.date | None = None,
    number: int | None = None,
    signer_role: str | None = None,
) -> DocumentJob:
    """Ask for a document. A kind about one object checks `params` first (its
    clean_params: the object in this bloc-year, in a state the document may be made of,
    and the user allowed; ValidationError, PermissionDenied or Http404 otherwise). An
    issued kind gets its date (None: the kind's default_issued_on, else the default of
    document_default_issued_on) and its number (None: the next free one); a signed kind
    gets its signer (None: the head unit's leader; "" nobody named). Nothing is saved on
    error."""
    document_kind = get_kind(kind)
    if document_kind is None:
        raise ValidationError({"kind": _("Loại văn bản không hợp lệ.")})
    # Serialises the numbering of this bloc-year's documents.
    bloc_year = (
        BlocYear.objects.select_for_update().select_related("bloc__province").get(pk=bloc_year.pk)
    )
    params = dict(params or {})
    if document_kind.clean_params is not None:
        # Raises before anything else: a request about the wrong object is refused as such.
        params = document_kind.clean_params(user=user, bloc_year=bloc_year, params=params)
    errors: dict[str, list[str]] = {}
    code = document_kind.number_code
    if document_kind.issued:
        if issued_on is None and document_kind.default_issued_on is not None:
            issued_on = document_kind.default_issued_on(bloc_year=bloc_year, params=params)
        if issued_on is None:
            issued_on = document_default_issued_on(bloc_year=bloc_year)
        elif date_errors := _issued_on_errors(bloc_year=bloc_year, issued_on=issued_on):
            errors["issued_on"] = date_errors
        try:
            number = _number(bloc_year=bloc_year, code=code, number=number)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    else:
        issued_on = number = None
    role, signer_name, signer_title = "", "", ""
    if document_kind.signed:
        try:
            role, signer_name, signer_title = _signer(bloc_year=bloc_year, signer_role=signer_role)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            job = DocumentJob.objects.create(
                kind=kind,
                bloc_year=bloc_year,
                params=params,
                requested_by=user,
                issued_on=issued_on,
                number=number,
                number_code=code,
                signer_role=role,
                signer_name=signer_name,
                signer_title=signer_title,
            )
    except IntegrityError as exc:  # a number taken outside this service's lock
        raise ValidationError({"number": _("Số văn bản này đã được dùng.")}) from exc
    DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Đã yêu cầu"))
    audit_event_record(
        actor=user,
        action="document_job_request",
        target=job,
        data={
            "kind": kind,
            "params": params,
            "issued_on": issued_on.isoformat() if issued_on else None,
            "number": job.number_display if job.number is not None else None,
            "signer": role,
        },
    )
    _enqueue(job)
    return job


@in_site_language
@transaction.atomic
def document_job_retry(*, job: DocumentJob, user: Any) -> DocumentJob:
    job = DocumentJob.objects.select_for_update().get(pk=job.pk)
    if job.status != DocumentJob.Status.FAILED and not job.is_stale:
        raise ValidationError(
            _("Chỉ tạo lại được văn bản bị lỗi hoặc bị treo quá thời gian cho phép.")
        )
    job.status = DocumentJob.Status.PENDING
    job.error = ""
    job.started_at = None
    job.queued_at = timezone.now()
    job.save(update_fields=["status", "error", "started_at", "queued_at"])
    DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Yêu cầu tạo lại"))
    audit_event_record(actor=user, action="document_job_retry", target=job)
    _enqueue(job)
    return job


@in_site_language
def document_job_render(*, job_id: int) -> DocumentJob | None:
    """Render one job. Idempotent: a job already done is left alone. Raises on failure so
    that the task can retry; the caller marks the job failed when retries run out."""
    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == DocumentJob.Status.DONE:
            return job
        job.status = DocumentJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
        DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Bắt đầu tạo"))

    kind = get_kind(job.kind)
    if kind is None:
        raise ValueError(f"Unknown document kind {job.kind!r}")
    # The date line, number and signature block every official document shares; a kind
    # may give its own (the pledge dates itself by its signatures).
    context = {**document_official_context(job), **kind.build_context(job)}
    pdf = render_pdf(template=kind.template, context=context)
    if kind.postprocess is not None:
        pdf = kind.postprocess(job, pdf)

    with transaction.atomic():
        job = DocumentJob.objects.select_for_update().get(pk=job_id)
        if job.status == DocumentJob.Status.DONE:  # another delivery finished first
            return job
        job.file.save(kind.filename(job), ContentFile(pdf), save=False)
        # Of the final bytes (after any signing), exactly what is stored and downloaded.
        job.sha256 = hashlib.sha256(pdf).hexdigest()
        job.status = DocumentJob.Status.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "sha256", "status", "error", "finished_at"])
        DocumentJobEvent.objects.create(job=job, status=job.status, message=_("Hoàn tất"))
    return job


@in_site_language
@transaction.atomic
def document_job_fail(*, job_id: int, error: str) -> DocumentJob | None:
    job = DocumentJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.status == DocumentJob.Status.DONE:
        return job
    job.status = DocumentJob.Status.FAILED
    job.error = error[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    DocumentJobEvent.objects.create(job=job, status=job.status, message=job.error)
    return job


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()
