"""Headers and leaks: the Content-Security-Policy on every page, `Cache-Control: private,
no-store` on what a logged-in user receives (pages, document and evidence downloads, xlsx
exports), and errors that show users a reference instead of the exception text."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from blocs.models import BlocYear
from documents import services as document_services
from documents.models import DocumentJob
from scoring import services as scoring_services
from scoring.models import Criterion, ScoreSheet

from .conftest import year_reach
from .scoring.conftest import TABLE_SPEC

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
PRIVATE = "private, no-store"


def _directives(header: str) -> dict:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


# --- Content-Security-Policy -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_page_carries_the_policy(client, world, who):
    if who != "anonymous":
        client.force_login(world.users[who])
    for url in (reverse("login"), reverse("pledges:verify"), reverse("core:dashboard")):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        header = response["Content-Security-Policy"]
        assert _directives(header) == EXPECTED_CSP, header
        assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_error_pages_carry_the_policy_too(client, world):
    client.force_login(world.users["leader_nonmember"])
    response = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert response.status_code == 403
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_pages_have_no_inline_script_or_style(client, world):
    """What the policy would block: an executable <script> without src, a style attribute
    or <style> element, an on* handler. (The browser test checks the same in Chromium.)"""
    import re

    client.force_login(world.users["admin"])
    body = client.get(reverse("core:dashboard")).content.decode()
    for script in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in script or 'type="application/json"' in script, script
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", body)
    assert '<meta name="htmx-config"' in body and '"includeIndicatorStyles": false' in body


def test_no_template_served_to_browsers_has_inline_code():
    """Every HTML template but the PDF ones (rendered by WeasyPrint, never served): no
    executable inline <script>, no <style>, no style= attribute, no on* handler."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    offenders = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        if name.endswith("_pdf.html") or name.startswith("documents/_nd30_"):
            continue
        text = path.read_text(encoding="utf-8")
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script and 'type="application/json"' not in script:
                offenders.append(f"{name}: {script}")
        for match in re.finditer(r"<style\b|\sstyle=|\son[a-z]+=", text):
            offenders.append(f"{name}: {match.group(0).strip()}")
    assert offenders == []


# --- Cache-Control ---------------------------------------------------------------------------


def test_authenticated_pages_are_private_no_store(client, world):
    client.force_login(world.users["secretariat_here"])
    for url in (
        reverse("core:dashboard"),
        reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]),
        reverse("pledges:verify"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PRIVATE, url


def test_anonymous_public_pages_stay_cacheable(client, world):
    response = client.get(reverse("pledges:verify"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_view_that_chose_its_cache_control_keeps_it(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("core:healthz"))
    # never_cache's own value, not overwritten.
    assert "max-age=0" in response["Cache-Control"]


def test_document_download_is_private_no_store(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    client.force_login(world.users["secretariat_here"])
    response = client.get(reverse("documents:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == PRIVATE


@pytest.fixture
def scoring_table(world):
    table = scoring_services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name="Bảng chấm điểm năm 2020",
        groups=TABLE_SPEC,
        bonus_cap=5,
        penalty_cap=4,
    )
    year_reach(world.bloc_year, BlocYear.Status.SCORING)
    return table


def test_evidence_download_is_private_no_store(client, world, scoring_table):
    criterion = Criterion.objects.get(table=scoring_table, code="1.1")
    sheet = ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.head)
    evidence = scoring_services.evidence_add(
        sheet=sheet,
        criterion=criterion,
        upload=SimpleUploadedFile(
            "minh-chung.pdf", b"%PDF-1.4\n% minh chung\n", content_type="application/pdf"
        ),
        actor=world.users["leader_member"],
    )
    client.force_login(world.users["leader_member"])
    response = client.get(reverse("scoring:evidence_download", args=[evidence.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_xlsx_exports_are_private_no_store(client, world, scoring_table):
    client.force_login(world.users["secretariat_here"])
    for url in (
        reverse("scoring:table_export", args=[scoring_table.pk]),
        reverse("scoring:scoreboard_xlsx", args=[world.bloc_year.pk]),
        reverse("scoring:sheets_xlsx", args=[world.bloc_year.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "spreadsheetml" in response["Content-Type"], url
        assert response["Cache-Control"] == PRIVATE, url


# --- Errors: a reference for users, the details for the logs and staff -----------------------


@pytest.fixture
def failed_job(world, monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broken(**kwargs):
        raise RuntimeError("/srv/khoithidua/templates/bí-mật.html: lỗi nội bộ")

    monkeypatch.setattr(document_services, "render_pdf", broken)
    with (
        caplog.at_level(logging.ERROR, logger="documents.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        job = document_services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.FAILED
    return job


def test_failed_job_shows_users_a_reference_not_the_exception(client, world, failed_job, caplog):
    reference = f"JOB-{failed_job.pk}-1"
    for who in ("secretariat_here", "leader_member"):
        client.force_login(world.users[who])
        for name in ("documents:detail", "documents:status"):
            body = client.get(reverse(name, args=[failed_job.pk])).content.decode()
            assert f"Đã xảy ra lỗi khi tạo tài liệu. Mã tham chiếu: {reference}" in body
            assert "lỗi nội bộ" not in body and "RuntimeError" not in body
            assert "/srv/khoithidua" not in body
    # The details are in the log, under the same reference, with the traceback.
    setup_records = caplog.get_records("setup")
    records = [r for r in setup_records if reference in r.getMessage()]
    assert records, [r.getMessage() for r in setup_records]
    assert records[0].exc_info and "lỗi nội bộ" in str(records[0].exc_info[1])


def test_staff_see_the_details_of_a_failed_job(client, world, failed_job):
    client.force_login(world.users["admin"])  # is_staff
    body = client.get(reverse("documents:detail", args=[failed_job.pk])).content.decode()
    assert f"Mã tham chiếu: JOB-{failed_job.pk}-1" in body
    assert 'id="job-error-details"' in body and "lỗi nội bộ" in body


@pytest.fixture
def crashing_page(world, monkeypatch):
    from blocs import views

    def boom(**kwargs):
        raise RuntimeError("mật khẩu cơ sở dữ liệu: hunter2")

    monkeypatch.setattr(views.selectors, "bloc_get_for_user", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    return client, reverse("blocs:bloc_detail", args=[world.bloc.pk])


def test_500_shows_a_reference_and_logs_the_details(crashing_page, caplog):
    import re

    client, url = crashing_page
    with caplog.at_level(logging.ERROR):
        response = client.get(url)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Lỗi máy chủ" in body and "hunter2" not in body
    match = re.search(r'id="error-reference">(ERR-\d{8}-[0-9A-F]{8})<', body)
    assert match, body
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and "hunter2" in str(logged[0].exc_info[1])
    assert _directives(response["Content-Security-Policy"]) == EXPECTED_CSP


def test_500_is_mailed_to_admins_with_the_reference(crashing_page, settings, mailoutbox):
    import re

    settings.ADMINS = [("Quản trị", "quantri@example.gov.vn")]
    client, url = crashing_page
    body = client.get(url).content.decode()
    reference = re.search(r'id="error-reference">([^<]+)<', body).group(1)
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["quantri@example.gov.vn"]
    assert reference in mail.body and "hunter2" in mail.body


def test_500_page_survives_a_broken_template(crashing_page, monkeypatch):
    from django.template import loader

    def broken(name, *args, **kwargs):
        raise ValueError("Missing staticfiles manifest entry")

    client, url = crashing_page
    monkeypatch.setattr(loader, "get_template", broken)
    response = client.get(url)
    assert response.status_code == 500
    body = response.content.decode()
    assert "Mã tham chiếu: ERR-" in body and "hunter2" not in body
