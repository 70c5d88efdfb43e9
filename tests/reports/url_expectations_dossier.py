"""Rows of the URL x role test (tests/test_url_roles.py) for the dossier and the province
batch (reports/urls_jobs.py); merged into tests/reports/url_expectations.py. See
tests/pledges/url_expectations.py for the format.

Objects: a dossier of the world's bloc-year rendered (its scoreboard; the other parts
"chưa có"), a failed dossier (for retry), a finished batch of the world's province with
its ZIP, and a batch with a failed bloc (for retry)."""

from django.core.files.base import ContentFile

from documents.models import DocumentJob
from reports.dossier import DOSSIER
from reports.models_jobs import ProvinceBatch, ProvinceBatchItem

ROLES = [
    "anonymous",
    "norole",
    "admin",
    "board_here",
    "board_other",
    "secretariat_here",
    "secretariat_other",
    "leader_member",
    "staff_member",
    "leader_nonmember",
    "staff_nonmember",
]
LOGIN, OK, REDIRECT, FORBIDDEN = "login", 200, 302, 403

READERS = {
    "anonymous": LOGIN,
    "norole": FORBIDDEN,
    "admin": OK,
    "board_here": OK,
    "board_other": FORBIDDEN,
    "secretariat_here": OK,
    "secretariat_other": FORBIDDEN,
    "leader_member": OK,
    "staff_member": OK,
    "leader_nonmember": FORBIDDEN,
    "staff_nonmember": FORBIDDEN,
}
# The dossier is made (and retried) by the bloc-year's managers: its secretariat, the
# board of the province, administrators.
MAKERS = dict.fromkeys(ROLES, FORBIDDEN) | {
    "anonymous": LOGIN,
    "admin": REDIRECT,
    "board_here": REDIRECT,
    "secretariat_here": REDIRECT,
}
# The province batch: the board of the province and administrators only.
BOARD_GET = dict.fromkeys(ROLES, FORBIDDEN) | {"anonymous": LOGIN, "admin": OK, "board_here": OK}
BOARD_POST = {r: (REDIRECT if v == OK else v) for r, v in BOARD_GET.items()}


def _reset_dossier(o) -> None:
    DocumentJob.objects.filter(pk=o["dossier_failed"].pk).update(status="failed")


def _reset_batch(o) -> None:
    ProvinceBatch.objects.filter(pk=o["batch_failed"].pk).update(status="failed", failed=1)
    ProvinceBatchItem.objects.filter(batch=o["batch_failed"]).update(status="failed")


EXPECTED = {
    "reports:dossier_request": (
        "post",
        lambda w, o: {"bloc_year_id": w.bloc_year.pk},
        MAKERS,
    ),
    "reports:dossier_detail": ("get", lambda w, o: {"job_id": o["dossier_done"].pk}, READERS),
    "reports:dossier_progress": ("get", lambda w, o: {"job_id": o["dossier_done"].pk}, READERS),
    "reports:dossier_retry": (
        "post",
        lambda w, o: {"job_id": o["dossier_failed"].pk},
        MAKERS,
        _reset_dossier,
    ),
    "reports:batch_new": ("get", lambda w, o: {"province_id": w.province.pk}, BOARD_GET),
    "reports:batch_detail": ("get", lambda w, o: {"batch_id": o["batch_done"].pk}, BOARD_GET),
    "reports:batch_progress": ("get", lambda w, o: {"batch_id": o["batch_done"].pk}, BOARD_GET),
    "reports:batch_download": ("get", lambda w, o: {"batch_id": o["batch_done"].pk}, BOARD_GET),
    "reports:batch_retry": (
        "post",
        lambda w, o: {"batch_id": o["batch_failed"].pk},
        BOARD_POST,
        _reset_batch,
    ),
}


def build_objects(world) -> dict:
    from django.db import transaction

    from documents import services as document_services

    with transaction.atomic():
        job = document_services.document_job_request(
            kind=DOSSIER, bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
        document_services.document_job_render(job_id=job.pk)
    job.refresh_from_db()
    failed = DocumentJob.objects.create(
        kind=DOSSIER, bloc_year=world.bloc_year, status="failed", error="Lỗi thử nghiệm"
    )
    done = ProvinceBatch(province=world.province, year=2020, kind="report", total=0)
    done.status = ProvinceBatch.Status.DONE
    done.file.save("thu.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=False)
    done.save()
    batch_failed = ProvinceBatch.objects.create(
        province=world.province, year=2020, kind="dossier", total=1, failed=1, status="failed"
    )
    ProvinceBatchItem.objects.create(
        batch=batch_failed, bloc_year=world.bloc_year, status="failed", error="Lỗi thử nghiệm"
    )
    return {
        "dossier_done": job,
        "dossier_failed": failed,
        "batch_done": done,
        "batch_failed": batch_failed,
    }
