"""/verify/ for the other official documents the system renders (roster, tally record,
minutes, report, dossier): genuine only when the uploaded file is byte for byte one of
them (its SHA-256 stored at render time); a changed byte, or a job that is not finished,
proves nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from documents import services as document_services
from documents.models import DocumentJob

from .test_verify import post_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster_pdf(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    client = Client()
    client.force_login(world.users["secretariat_here"])
    response = client.get(reverse("documents:download", args=[job.pk]))
    return job, b"".join(response.streaming_content)


def test_a_rendered_roster_is_genuine_and_named(roster_pdf, world):
    job, pdf = roster_pdf
    verdict, html = post_pdf(pdf)
    assert verdict == "genuine"
    assert 'id="proof-document"' in html
    assert "Danh sách đơn vị thành viên" in html and world.bloc.name in html
    assert job.number_display in html


def test_one_changed_byte_is_not_genuine(roster_pdf):
    _job, pdf = roster_pdf
    changed = pdf[:-20] + bytes([pdf[-20] ^ 1]) + pdf[-19:]
    verdict, html = post_pdf(changed)
    assert verdict != "genuine"
    assert 'id="proof-document"' not in html


def test_a_job_not_finished_proves_nothing(roster_pdf):
    job, pdf = roster_pdf
    DocumentJob.objects.filter(pk=job.pk).update(status=DocumentJob.Status.FAILED)
    assert post_pdf(pdf)[0] == "not-verified"
