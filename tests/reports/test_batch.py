"""The province batch (reports/batch.py): one task per bloc-year of the year, counts and
per-bloc status on the batch row, the ZIP by a final task; idempotent items; a bloc that
fails is shown with its error and retried; the board's pages; a real worker (REDIS_URL)."""

import dataclasses
import io
import time
import zipfile

import pytest
from django.db import connection
from django.urls import reverse

from blocs.models import BlocYear
from documents import registry
from documents.models import DocumentJob
from reports import batch as batches
from reports.models_jobs import ProvinceBatch, ProvinceBatchItem
from reports.tasks import batch_item_task

from ..conftest import PASSWORD, log_in, needs_postgres, needs_redis

pytestmark = pytest.mark.django_db

ITEM_DONE, ITEM_FAILED = ProvinceBatchItem.Status.DONE, ProvinceBatchItem.Status.FAILED


def start(world, capture, kind="dossier", year=2020, user=None) -> ProvinceBatch:
    with capture(execute=True):
        batch = batches.batch_start(
            province=world.province,
            year=year,
            kind=kind,
            actor=user or world.users["board_here"],
        )
    batch.refresh_from_db()
    return batch


def zip_names(batch) -> list[str]:
    with batch.file.open("rb") as handle:
        return sorted(zipfile.ZipFile(io.BytesIO(handle.read())).namelist())


def test_dossier_batch_renders_every_bloc_and_zips(world, django_capture_on_commit_callbacks):
    batch = start(world, django_capture_on_commit_callbacks)
    assert batch.status == ProvinceBatch.Status.DONE, batch.error
    assert (batch.total, batch.done, batch.failed) == (2, 2, 0)
    items = batches.batch_items(batch=batch)
    assert {i.bloc_year for i in items} == {world.bloc_year, world.other_bloc_year}
    assert all(i.status == ITEM_DONE and i.document_job.kind == "dossier" for i in items)
    assert zip_names(batch) == [
        "khoi-thi-dua-cac-nganh-kinh-te-ky-thuat-2020.pdf",
        "khoi-thi-dua-van-hoa-xa-hoi-2020.pdf",
    ]
    with batch.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
        for item in items:
            name = f"{batches._slug(item.bloc_year.bloc.name)}-2020.pdf"
            import hashlib

            assert hashlib.sha256(archive.read(name)).hexdigest() == item.document_job.sha256


def test_report_batch_names_blocs_without_an_approved_report(
    world, django_capture_on_commit_callbacks
):
    batch = start(world, django_capture_on_commit_callbacks, kind="report")
    assert batch.status == ProvinceBatch.Status.FAILED
    assert (batch.done, batch.failed) == (0, 2)
    errors = {i.error for i in batches.batch_items(batch=batch)}
    assert errors == {"Khối chưa có báo cáo tổng kết năm 2020 được hội nghị thông qua."}
    assert zip_names(batch) == []


def test_item_is_idempotent(world, django_capture_on_commit_callbacks):
    batch = start(world, django_capture_on_commit_callbacks)
    item = batches.batch_items(batch=batch)[0]
    jobs = DocumentJob.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        batch_item_task.delay(item.pk)  # delivered twice: nothing done again
        batch_item_task.delay(item.pk)
    assert DocumentJob.objects.count() == jobs
    item.refresh_from_db()
    assert item.status == ITEM_DONE and item.attempts == 1
    batch.refresh_from_db()
    assert (batch.done, batch.failed, batch.status) == (2, 0, ProvinceBatch.Status.DONE)


def test_failed_bloc_is_shown_and_retried(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    kind = registry.get_kind("scoreboard")
    broken_year = world.other_bloc_year.pk

    def build(job):
        if job.bloc_year_id == broken_year:
            raise RuntimeError("hết giấy")
        return kind.build_context(job)

    monkeypatch.setitem(
        registry._KINDS, "scoreboard", dataclasses.replace(kind, build_context=build)
    )
    batch = start(world, django_capture_on_commit_callbacks)
    assert batch.status == ProvinceBatch.Status.FAILED
    assert (batch.done, batch.failed) == (1, 1)
    failed = ProvinceBatchItem.objects.get(batch=batch, status=ITEM_FAILED)
    assert failed.bloc_year_id == broken_year
    assert "Không tạo được phần “Bảng tổng hợp kết quả chấm điểm”" in failed.error
    assert "hết giấy" in failed.error
    assert len(zip_names(batch)) == 1  # the ZIP holds the blocs that succeeded

    board = world.users["board_here"]
    assert log_in(client, username=board.username, password=PASSWORD)
    page = client.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert "hết giấy" in page and 'id="batch-retry-button"' in page and "Đã xong 1/2 khối" in page
    assert 'id="batch-download"' in page

    monkeypatch.setitem(registry._KINDS, "scoreboard", kind)
    done_job = ProvinceBatchItem.objects.get(batch=batch, status=ITEM_DONE).document_job_id
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:batch_retry", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ProvinceBatch.Status.DONE, batch.error
    assert (batch.done, batch.failed) == (2, 0)
    assert len(zip_names(batch)) == 2
    # The bloc that had succeeded was not rendered again.
    assert ProvinceBatchItem.objects.get(batch=batch, document_job_id=done_job)
    failed.refresh_from_db()
    assert failed.status == ITEM_DONE and failed.attempts == 2 and failed.error == ""
    download = client.get(reverse("reports:batch_download", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"


def test_board_page_and_bad_input(world, client, django_capture_on_commit_callbacks):
    url = reverse("reports:batch_new", args=[world.province.pk])
    board = world.users["board_here"]
    assert log_in(client, username=board.username, password=PASSWORD)
    province_page = client.get(reverse("blocs:province_detail", args=[world.province.pk]))
    assert province_page.status_code == 200
    page = client.get(url)
    assert page.status_code == 200 and "Tạo báo cáo toàn tỉnh" in page.content.decode()
    for data, field_error in [
        ({"year": "1990", "kind": "report"}, "Tỉnh chưa có khối thi đua nào trong năm này."),
        ({"year": "abc", "kind": "report"}, "Tỉnh chưa có khối thi đua nào trong năm này."),
        ({"year": "2020", "kind": "minutes"}, "Hãy chọn báo cáo tổng kết hoặc hồ sơ cuối năm."),
        ({"year": "2020"}, "Hãy chọn báo cáo tổng kết hoặc hồ sơ cuối năm."),
        ({}, "Hãy chọn năm thi đua."),
        ({"year": "2020" * 500, "kind": "x" * 5000}, "Tỉnh chưa có khối thi đua nào"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert field_error in response.content.decode(), data
    assert not ProvinceBatch.objects.exists()
    # One running batch per year and kind.
    batch = batches.batch_start(province=world.province, year=2020, kind="report", actor=board)
    response = client.post(url, {"year": "2020", "kind": "report"})
    assert response.status_code == 400
    assert f"Đang có một lượt tạo cho năm này (lượt #{batch.pk})" in response.content.decode()
    assert ProvinceBatch.objects.count() == 1
    # Retry of a batch with nothing failed: refused, shown as a message.
    assert (
        "Không có khối nào bị lỗi"
        in client.post(
            reverse("reports:batch_retry", args=[batch.pk]), follow=True
        ).content.decode()
    )
    # The ZIP of a running batch is not there yet.
    assert client.get(reverse("reports:batch_download", args=[batch.pk])).status_code == 404
    page = client.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and "style=" not in page


@pytest.mark.parametrize(
    "role,expected",
    [("secretariat_here", 403), ("board_other", 403), ("leader_member", 403), ("admin", 200)],
)
def test_who_runs_the_batch(world, client, role, expected):
    user = world.users[role]
    assert log_in(client, username=user.username, password=PASSWORD)
    assert (
        client.get(reverse("reports:batch_new", args=[world.province.pk])).status_code == expected
    )
    response = client.post(
        reverse("reports:batch_new", args=[world.province.pk]), {"year": "2020", "kind": "report"}
    )
    assert response.status_code == (302 if expected == 200 else 403)
    assert ProvinceBatch.objects.exists() == (expected == 200)


def test_service_refuses_others(world):
    with pytest.raises(batches.PermissionDenied):
        batches.batch_start(
            province=world.province, year=2020, kind="report", actor=world.users["secretariat_here"]
        )
    with pytest.raises(batches.ValidationError) as exc:
        batches.batch_start(
            province=world.province, year="2020", kind="zip", actor=world.users["board_here"]
        )
    assert set(exc.value.message_dict) == {"kind", "year"}


# --- with a real worker (CI: REDIS_URL set, PostgreSQL) ---------------------------------------

from ..test_worker import worker  # noqa: E402, F401  (the fixture: a worker on its own queue)


@pytest.mark.worker
@needs_redis
@needs_postgres
def test_batch_on_a_real_worker(worker, world):  # noqa: F811
    assert not connection.in_atomic_block
    by3 = BlocYear.objects.get(pk=world.bloc_year.pk)
    batch = batches.batch_start(
        province=world.province, year=by3.year, kind="dossier", actor=world.users["board_here"]
    )
    deadline = time.monotonic() + 180
    while True:
        batch.refresh_from_db()
        if not batch.is_active:
            break
        if worker.process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"batch still {batch.status}; {worker.describe()}")
        time.sleep(0.3)
    assert batch.status == ProvinceBatch.Status.DONE, f"{batch.error}\n{worker.describe()}"
    assert (batch.done, batch.failed) == (2, 0)
    assert len(zip_names(batch)) == 2
    assert "reports.tasks.batch_zip_task" in worker.log()


def test_batch_page_queries_do_not_grow_with_blocs(world, client, django_assert_max_num_queries):
    from blocs import services as bloc_services

    board = world.users["board_here"]
    batch = ProvinceBatch.objects.create(
        province=world.province, year=2020, kind="report", total=2, failed=2, status="failed"
    )
    for by in (world.bloc_year, world.other_bloc_year):
        ProvinceBatchItem.objects.create(batch=batch, bloc_year=by, status="failed", error="x")
    assert log_in(client, username=board.username, password=PASSWORD)
    url = reverse("reports:batch_detail", args=[batch.pk])
    client.get(url)
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn) as small:
        assert client.get(url).status_code == 200
    for n in range(12):
        bloc = bloc_services.bloc_create(province=world.province, name=f"Khối thử {n}")
        unit = bloc_services.unit_create(province=world.province, name=f"Sở thử {n}")
        by = bloc_services.bloc_year_create(bloc=bloc, year=2020, members=[unit])
        ProvinceBatchItem.objects.create(batch=batch, bloc_year=by, status="failed", error="y")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count("batch-item-error") == 14


def test_item_left_running_by_a_dead_worker_is_retried(
    world, client, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    batch = start(world, django_capture_on_commit_callbacks, kind="report")
    item = ProvinceBatchItem.objects.filter(batch=batch).first()
    # A worker took the item and died: still "running", the batch waiting for it.
    ProvinceBatchItem.objects.filter(pk=item.pk).update(
        status="running", error="", started_at=timezone.now()
    )
    ProvinceBatch.objects.filter(pk=batch.pk).update(status="running", failed=1)
    # A second delivery while it is (still) running elsewhere does nothing.
    with django_capture_on_commit_callbacks(execute=True):
        batch_item_task.delay(item.pk)
    item.refresh_from_db()
    assert item.status == "running" and item.attempts == 1
    board = world.users["board_here"]
    assert log_in(client, username=board.username, password=PASSWORD)
    page = client.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert "batch-stuck" not in page
    ProvinceBatchItem.objects.filter(pk=item.pk).update(
        started_at=timezone.now() - dt.timedelta(seconds=batches.STALE_SECONDS + 1)
    )
    page = client.get(reverse("reports:batch_detail", args=[batch.pk])).content.decode()
    assert "batch-stuck" in page and "batch-retry-button" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("reports:batch_retry", args=[batch.pk])).status_code == 302
    item.refresh_from_db()
    batch.refresh_from_db()
    assert item.status == ITEM_FAILED and item.attempts == 2  # ran again (no report: fails)
    assert batch.status == ProvinceBatch.Status.FAILED and batch.failed == 2
