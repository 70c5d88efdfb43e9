"""The province batch: every bloc-year of a province's year rendered as a group of worker
tasks (one per bloc-year: its year-end report or its dossier), then one ZIP.

- `batch_start(province=, year=, kind=, actor=)` creates the ProvinceBatch and one item per
  bloc-year and, on commit, sends one task per item (a Celery group).
- `batch_item_run(item_id=)` (the item's task) is idempotent: an item DONE is left alone;
  it claims the item (pending -> running, or a running one whose worker died), renders,
  and records the outcome. The task retries a failure a bounded number of times, then
  marks the item failed. Either way `_batch_settle` recounts the items under the batch's
  row lock, and the last item to finish hands the batch to the ZIP task, exactly once.
- `batch_zip_assemble(batch_id=)` writes the ZIP of every DONE item's PDF.
- `batch_retry_failed(batch=, actor=)` sends the failed items again.

There is no Celery result backend in this project, so the group's end is detected by the
counts, not by a chord; this also holds with any number of worker processes.
"""

import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from blocs.models import BlocYear, Province
from core.permissions import can_manage_registry
from core.selectors import object_get_or_404
from core.services import audit_event_record
from documents.models import DocumentJob
from documents.services import in_site_language

from .models_jobs import DossierPart, ProvinceBatch, ProvinceBatchItem

logger = logging.getLogger(__name__)

STALE_SECONDS = 600


def can_run_batch(user: Any, province: Province) -> bool:
    """The board of the province and administrators."""
    return can_manage_registry(user, province)


# --- reads ------------------------------------------------------------------------------------


def batch_years(*, province: Province) -> list[int]:
    return sorted(
        set(BlocYear.objects.filter(bloc__province=province).values_list("year", flat=True)),
        reverse=True,
    )


def batch_get_for_user(*, user: Any, batch_id: Any) -> ProvinceBatch:
    batch = object_get_or_404(
        ProvinceBatch.objects.select_related("province", "requested_by"),
        _("Không tìm thấy lượt tạo báo cáo này."),
        pk=batch_id,
    )
    if not can_run_batch(user, batch.province):
        raise PermissionDenied(_("Chỉ Ban Thi đua - Khen thưởng của tỉnh xem được lượt này."))
    return batch


def batch_items(*, batch: ProvinceBatch) -> list[ProvinceBatchItem]:
    return list(
        ProvinceBatchItem.objects.filter(batch=batch)
        .select_related("bloc_year__bloc", "document_job")
        .order_by("bloc_year__bloc__name", "id")
    )


def batches_for_province(*, province: Province, limit: int = 10) -> list[ProvinceBatch]:
    return list(ProvinceBatch.objects.filter(province=province).order_by("-created_at")[:limit])


# --- writes -----------------------------------------------------------------------------------


def _send(item_ids: list[int]) -> None:
    from celery import group

    from .tasks import batch_item_task

    def send() -> None:
        try:
            group(batch_item_task.si(pk) for pk in item_ids).apply_async(
                queue=settings.DOCUMENTS_QUEUE
            )
        except Exception as exc:  # broker down: the items stay visible and retryable
            logger.exception("Could not enqueue batch items %s", item_ids)
            for pk in item_ids:
                batch_item_fail(
                    item_id=pk,
                    error=_("Không gửi được yêu cầu tới hàng đợi xử lý: %(error)s")
                    % {"error": exc},
                )

    transaction.on_commit(send)


@in_site_language
@transaction.atomic
def batch_start(*, province: Province, year: Any, kind: str, actor: Any) -> ProvinceBatch:
    if not can_run_batch(actor, province):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh tạo được báo cáo toàn tỉnh.")
        )
    errors: dict[str, list[str]] = {}
    if kind not in ProvinceBatch.Kind.values:
        errors["kind"] = [_("Hãy chọn báo cáo tổng kết hoặc hồ sơ cuối năm.")]
    bloc_years = []
    if not isinstance(year, int) or isinstance(year, bool):
        errors["year"] = [_("Năm không hợp lệ.")]
    else:
        bloc_years = list(
            BlocYear.objects.filter(bloc__province=province, year=year).order_by("bloc__name")
        )
        if not bloc_years:
            errors["year"] = [
                _("Tỉnh chưa có khối thi đua nào trong năm %(year)s.") % {"year": year}
            ]
    if errors:
        raise ValidationError(errors)
    # One batch at a time per province, year and kind.
    Province.objects.select_for_update().filter(pk=province.pk).first()
    running = ProvinceBatch.objects.filter(
        province=province,
        year=year,
        kind=kind,
        status__in=[ProvinceBatch.Status.RUNNING, ProvinceBatch.Status.ASSEMBLING],
    ).first()
    if running is not None:
        raise ValidationError(
            {"kind": _("Đang có một lượt tạo cho năm này (lượt #%(id)s).") % {"id": running.pk}}
        )
    batch = ProvinceBatch.objects.create(
        province=province, year=year, kind=kind, total=len(bloc_years), requested_by=actor
    )
    items = ProvinceBatchItem.objects.bulk_create(
        [ProvinceBatchItem(batch=batch, bloc_year=by) for by in bloc_years]
    )
    audit_event_record(
        actor=actor, action="province_batch_start", target=batch, data={"kind": kind, "year": year}
    )
    _send([i.pk for i in items])
    return batch


@in_site_language
@transaction.atomic
def batch_retry_failed(*, batch: ProvinceBatch, actor: Any) -> ProvinceBatch:
    if not can_run_batch(actor, batch.province):
        raise PermissionDenied(
            _("Chỉ Ban Thi đua - Khen thưởng của tỉnh tạo được báo cáo toàn tỉnh.")
        )
    batch = ProvinceBatch.objects.select_for_update().get(pk=batch.pk)
    # Failed items, and items left running by a worker that died (no message will come).
    failed = list(
        ProvinceBatchItem.objects.select_for_update().filter(
            Q(status=ProvinceBatchItem.Status.FAILED)
            | Q(status=ProvinceBatchItem.Status.RUNNING, started_at__lt=_stale_before()),
            batch=batch,
        )
    )
    stuck = any(i.status == ProvinceBatchItem.Status.RUNNING for i in failed)
    if not failed or (batch.is_active and not stuck):
        raise ValidationError(_("Không có khối nào bị lỗi để tạo lại."))
    ProvinceBatchItem.objects.filter(pk__in=[i.pk for i in failed]).update(
        status=ProvinceBatchItem.Status.PENDING, error=""
    )
    batch.status = ProvinceBatch.Status.RUNNING
    batch.failed = 0
    batch.error = ""
    batch.finished_at = None
    batch.save(update_fields=["status", "failed", "error", "finished_at"])
    audit_event_record(
        actor=actor, action="province_batch_retry", target=batch, data={"items": len(failed)}
    )
    _send([i.pk for i in failed])
    return batch


def _stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=STALE_SECONDS)


def batch_stuck_items(*, batch: ProvinceBatch) -> int:
    """Items running longer than any render may take: their worker died."""
    return ProvinceBatchItem.objects.filter(
        batch=batch, status=ProvinceBatchItem.Status.RUNNING, started_at__lt=_stale_before()
    ).count()


def _claim(item_id: int) -> ProvinceBatchItem | None:
    """pending -> running (or a running item whose worker died). None: nothing to do (done,
    failed, or running elsewhere)."""
    with transaction.atomic():
        item = (
            ProvinceBatchItem.objects.select_for_update()
            .select_related("batch", "bloc_year__bloc__province")
            .filter(pk=item_id)
            .first()
        )
        if item is None or item.status in (
            ProvinceBatchItem.Status.DONE,
            ProvinceBatchItem.Status.FAILED,
        ):
            return None
        if (
            item.status == ProvinceBatchItem.Status.RUNNING
            and item.started_at
            and (timezone.now() - item.started_at) < dt.timedelta(seconds=STALE_SECONDS)
        ):
            return None
        item.status = ProvinceBatchItem.Status.RUNNING
        item.started_at = timezone.now()
        item.attempts += 1
        item.save(update_fields=["status", "started_at", "attempts"])
        return item


def _render_report(item: ProvinceBatchItem) -> DocumentJob:
    """The bloc-year's year-end report PDF: reused when an intact rendering of the same
    approved or signed version exists and says what it would say now, else rendered."""
    from .dossier import dossier_parts_collect

    spec = dossier_parts_collect(bloc_year=item.bloc_year)[0]
    if spec.absent:
        raise ValidationError(
            _("Khối chưa có báo cáo tổng kết năm %(year)s được hội nghị thông qua.")
            % {"year": item.bloc_year.year}
        )
    return _part_job(item.bloc_year, spec.kind, spec.params, spec.title)


def _part_job(bloc_year: BlocYear, kind: str, params: dict, title: str) -> DocumentJob:
    from .dossier import _file_bytes, _html_fingerprint, _reusable

    found = _reusable(bloc_year=bloc_year, kind=kind, params=params)
    if found is not None:
        return found[0]
    from documents.services import document_job_render, document_job_request

    with transaction.atomic():
        job = document_job_request(kind=kind, bloc_year=bloc_year, user=None, params=params)
        job = document_job_render(job_id=job.pk)
    if _file_bytes(job) is None:
        raise RuntimeError("the rendered file does not match its SHA-256")
    # Recorded as a stand-alone part, so that a later batch or dossier may reuse it.
    _remember(job, kind, params, title, _html_fingerprint(job))
    return job


def _remember(job: DocumentJob, kind: str, params: dict, title: str, fingerprint: str) -> None:
    """A report rendered by the batch is recorded like a dossier's part of its own job (the
    report's job stands as its own 'dossier' row), so that reuse finds it by fingerprint."""
    DossierPart.objects.create(
        dossier=job,
        position=1,
        kind=kind,
        params=params,
        title=title[:300],
        status=DossierPart.Status.DONE,
        part_job=job,
        sha256=job.sha256,
        html_sha256=fingerprint,
    )


def _render_dossier(item: ProvinceBatchItem) -> DocumentJob:
    """The bloc-year's dossier, requested and rendered in one transaction (so its own queued
    task finds it done). Its parts are reused by fingerprint (reports.dossier), so a second
    batch renders only the index page and merges again."""
    from documents.services import document_job_render, document_job_request

    from .dossier import DOSSIER

    with transaction.atomic():
        job = document_job_request(kind=DOSSIER, bloc_year=item.bloc_year, user=None)
        return document_job_render(job_id=job.pk)


@in_site_language
def batch_item_run(*, item_id: int) -> ProvinceBatchItem | None:
    """Render one item. Raises on failure (the task retries, then calls batch_item_fail);
    returns None when there was nothing to do."""
    item = _claim(item_id)
    if item is None:
        return None
    try:
        if item.batch.kind == ProvinceBatch.Kind.REPORT:
            job = _render_report(item)
        else:
            job = _render_dossier(item)
    except Exception:
        # Back to pending so that the task's retry may claim it again.
        ProvinceBatchItem.objects.filter(pk=item.pk).update(status=ProvinceBatchItem.Status.PENDING)
        raise
    with transaction.atomic():
        ProvinceBatchItem.objects.filter(pk=item.pk).update(
            status=ProvinceBatchItem.Status.DONE,
            document_job=job,
            error="",
            finished_at=timezone.now(),
        )
        _batch_settle(item.batch_id)
    return item


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    from documents.services import format_exception

    return format_exception(exc)


@in_site_language
@transaction.atomic
def batch_item_fail(*, item_id: int, error: str) -> None:
    item = ProvinceBatchItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None or item.status == ProvinceBatchItem.Status.DONE:
        return
    item.status = ProvinceBatchItem.Status.FAILED
    item.error = error[:4000]
    item.finished_at = timezone.now()
    item.save(update_fields=["status", "error", "finished_at"])
    _batch_settle(item.batch_id)


def _batch_settle(batch_id: int) -> None:
    """Recount under the batch's lock; the last item to finish sends the ZIP task."""
    batch = ProvinceBatch.objects.select_for_update().get(pk=batch_id)
    items = ProvinceBatchItem.objects.filter(batch=batch)
    batch.done = items.filter(status=ProvinceBatchItem.Status.DONE).count()
    batch.failed = items.filter(status=ProvinceBatchItem.Status.FAILED).count()
    fields = ["done", "failed"]
    if batch.status == ProvinceBatch.Status.RUNNING and batch.done + batch.failed >= batch.total:
        batch.status = ProvinceBatch.Status.ASSEMBLING
        fields.append("status")

        def send() -> None:
            from .tasks import batch_zip_task

            try:
                batch_zip_task.apply_async(args=[batch_id], queue=settings.DOCUMENTS_QUEUE)
            except Exception as exc:
                logger.exception("Could not enqueue the ZIP of batch %s", batch_id)
                batch_zip_fail(batch_id=batch_id, error=str(exc))

        transaction.on_commit(send)
    batch.save(update_fields=fields)


def _slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "khoi"


@in_site_language
def batch_zip_assemble(*, batch_id: int) -> ProvinceBatch | None:
    from .dossier import _file_bytes

    batch = ProvinceBatch.objects.filter(pk=batch_id).select_related("province").first()
    if batch is None or batch.status != ProvinceBatch.Status.ASSEMBLING:
        return batch
    buffer = io.BytesIO()
    names: set[str] = set()
    missing = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in batch_items(batch=batch):
            if item.status != ProvinceBatchItem.Status.DONE:
                continue
            data = _file_bytes(item.document_job)
            if data is None:
                missing.append(item.bloc_year.bloc.name)
                continue
            name = f"{_slug(item.bloc_year.bloc.name)}-{batch.year}.pdf"
            while name in names:
                name = f"{name[:-4]}-{item.pk}.pdf"
            names.add(name)
            archive.writestr(name, data)
    data = buffer.getvalue()
    with transaction.atomic():
        batch = ProvinceBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != ProvinceBatch.Status.ASSEMBLING:
            return batch
        prefix = "bao-cao" if batch.kind == ProvinceBatch.Kind.REPORT else "ho-so"
        batch.file.save(
            f"{prefix}-{_slug(batch.province.name)}-{batch.year}-{batch.pk}.zip",
            ContentFile(data),
            save=False,
        )
        batch.sha256 = hashlib.sha256(data).hexdigest()
        batch.status = (
            ProvinceBatch.Status.FAILED if batch.failed or missing else ProvinceBatch.Status.DONE
        )
        batch.error = (
            _("Tệp của các khối sau không còn nguyên vẹn: %(blocs)s.")
            % {"blocs": ", ".join(missing)}
            if missing
            else ""
        )
        batch.finished_at = timezone.now()
        batch.save(update_fields=["file", "sha256", "status", "error", "finished_at"])
    return batch


@transaction.atomic
def batch_zip_fail(*, batch_id: int, error: str) -> None:
    batch = ProvinceBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None or batch.status != ProvinceBatch.Status.ASSEMBLING:
        return
    batch.status = ProvinceBatch.Status.FAILED
    batch.error = error[:4000]
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
