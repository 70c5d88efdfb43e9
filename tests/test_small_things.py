"""Issue 12, "smaller things": the import page's templates, a meeting summary's line
breaks, the favicon, one log line per 403, the language switch after the page's forms."""

import datetime
import io
import logging
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import Meeting
from scoring import demo
from scoring.models import CriteriaTable


def _client(world, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _post_import(client, bloc_year, content: bytes):
    return client.post(
        reverse("scoring:table_import", args=[bloc_year.pk]),
        {"file": SimpleUploadedFile("bang.xlsx", content)},
    )


# --- (1) templates to download on the import page ------------------------------------------


def test_import_page_links_both_templates(world):
    client = _client(world, "secretariat_here")
    html = client.get(reverse("scoring:table_import", args=[world.bloc_year.pk])).content.decode()
    assert reverse("scoring:table_template", args=[world.bloc_year.pk]) in html
    assert reverse("scoring:table_example", args=[world.bloc_year.pk]) in html
    assert "Tệp mẫu trống (.xlsx)" in html and "Bảng chấm điểm ví dụ (.xlsx)" in html


def test_example_table_downloads_and_imports_back(world):
    client = _client(world, "secretariat_here")
    response = client.get(reverse("scoring:table_example", args=[world.bloc_year.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bang-cham-diem-vi-du.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A5"].value == "Loại"  # the export's layout: the header on row 5
    assert isinstance(ws["D7"].value, int | float)  # maximum points are numbers, not text

    imported = _post_import(client, world.bloc_year, response.content)
    assert imported.status_code == 302, imported.context["parsed"].report
    table = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    expected = [c for g in demo.TABLE for c in g["criteria"]]
    assert table.criteria.count() == len(expected) == 13
    assert table.groups.count() == len(demo.TABLE)
    assert table.name == f"Bảng chấm điểm thi đua {world.bloc.name} năm 2020"
    by_code = {c.code: c for c in table.criteria.all()}
    assert by_code["1.2"].evidence_required is True
    assert by_code["C1"].kind == "bonus" and by_code["T2"].kind == "penalty"
    assert sum(c.max_points for c in by_code.values() if c.kind == "regular") == 100


def test_empty_template_imports_to_a_clear_no_criteria_error(world):
    client = _client(world, "secretariat_here")
    response = client.get(reverse("scoring:table_template", args=[world.bloc_year.pk]))
    assert response.status_code == 200
    assert 'filename="bang-cham-diem-mau-trong.xlsx"' in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[5]] == [
        "Loại",
        "Mã",
        "Nội dung",
        "Điểm tối đa",
        "Minh chứng bắt buộc",
        "Hướng dẫn chấm",
    ]
    assert ws["A6"].value == "Nhóm"  # one example group row to fill under

    imported = _post_import(client, world.bloc_year, response.content)
    assert imported.status_code == 400
    assert not CriteriaTable.objects.exists()
    assert imported.context["parsed"].file_errors == ["Bảng không có tiêu chí nào."]
    assert "Bảng không có tiêu chí nào." in imported.content.decode()


def test_empty_template_filled_in_imports(world):
    """The template is what a new bloc starts from: rows typed under its header import."""
    client = _client(world, "secretariat_here")
    content = client.get(reverse("scoring:table_template", args=[world.bloc_year.pk])).content
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    ws.append(["Tiêu chí", "1.1", "Hoàn thành nhiệm vụ", "12,5", "Không"])
    ws.append(["Điểm cộng", "C1", "Sáng kiến", 2, "Có"])
    out = io.BytesIO()
    wb.save(out)
    imported = _post_import(client, world.bloc_year, out.getvalue())
    assert imported.status_code == 302, imported.context["parsed"].report
    table = CriteriaTable.objects.get(bloc_year=world.bloc_year)
    assert list(table.criteria.values_list("code", flat=True).order_by("position")) == [
        "1.1",
        "C1",
    ]


@pytest.mark.parametrize("name", ["scoring:table_template", "scoring:table_example"])
def test_templates_only_for_the_bloc_years_managers(world, name):
    url = reverse(name, args=[world.bloc_year.pk])
    assert _client(world, "staff_member").get(url).status_code == 403
    assert _client(world, "secretariat_other").get(url).status_code == 403
    assert _client(world, "secretariat_here").post(url).status_code == 405


# --- (2) a meeting's summary keeps its line breaks -------------------------------------------


def test_meeting_summary_keeps_line_breaks_and_stays_escaped(world):
    # Meetings are recorded in the admin (no service of their own yet).
    Meeting.objects.create(
        bloc_year=world.bloc_year,
        kind=Meeting.Kind.YEAR_END,
        held_on=datetime.date(2020, 12, 11),
        summary="Dòng một\r\nDòng hai <b>đậm?</b>",
    )
    html = (
        _client(world, "secretariat_here")
        .get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk]))
        .content.decode()
    )
    assert "Dòng một<br>Dòng hai &lt;b&gt;đậm?&lt;/b&gt;" in html


# --- (3) the favicon -------------------------------------------------------------------------


def test_favicon_is_shipped_linked_and_answered(client, world):
    path = finders.find("favicon.ico")
    assert path, "static/favicon.ico is missing"
    with open(path, "rb") as f:
        assert f.read(4) == b"\x00\x00\x01\x00"  # an ICO file's signature
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.ico"', html)
    response = client.get("/favicon.ico")  # anonymous: no login redirect
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    logged_in = _client(world, "staff_member").get("/favicon.ico")
    assert logged_in.status_code == 302 and logged_in["Location"] == "/static/favicon.ico"


# --- (4) a 403 logs one line -----------------------------------------------------------------


def _forbidden(world) -> str:
    url = reverse("scoring:table_import", args=[world.bloc_year.pk])
    response = _client(world, "staff_nonmember").get(url)
    assert response.status_code == 403
    return url


def test_a_403_logs_one_warning_line_without_traceback(world, caplog):
    caplog.set_level(logging.INFO)
    url = _forbidden(world)
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    message = record.getMessage()
    assert message == (
        f"Forbidden: GET {url} (user staff.nonmember): "
        "Bạn không có quyền với năm thi đua này của khối."
    )
    assert "\n" not in message


@pytest.mark.parametrize("debug", [False, True])
def test_a_403_reaches_the_console_once(world, settings, debug):
    """Django's default "django" console handler (DEBUG only) used to print the record a
    second time beside the root logger's console handler: two tracebacks per 403."""
    settings.DEBUG = debug
    streams = []
    for logger in (
        logging.getLogger("django.request"),
        logging.getLogger("django"),
        logging.getLogger(),
    ):
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:
                streams.append((handler, handler.setStream(io.StringIO())))
    assert streams, "no console handler configured"
    try:
        url = _forbidden(world)
        written = "".join(handler.stream.getvalue() for handler, _old in streams)
    finally:
        for handler, old in streams:
            handler.setStream(old)
    assert written.count(f"Forbidden: GET {url}") == 1, written
    assert "Traceback" not in written


def test_a_server_error_still_logs_its_traceback(world, caplog):
    """The one-line filter is for 403s only."""
    from core.log_filters import ForbiddenOneLine

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/x/",),
            sys.exc_info(),
        )
    record.status_code = 500
    assert ForbiddenOneLine().filter(record) is True
    assert record.exc_info is not None and record.getMessage() == "Internal Server Error: /x/"


# --- (5) the language switch comes after the page's forms ------------------------------------


def test_login_form_is_the_first_form_and_the_switch_is_in_the_footer(client):
    html = client.get(reverse("login")).content.decode()
    forms = re.findall(r"<form\b[^>]*>", html)
    assert 'id="login-form"' in forms[0]
    assert 'id="language-form"' in forms[-1]
    assert html.index('id="language-form"') > html.index("</main>")
    assert html.index("<footer") < html.index('id="language-form"')
    switch = html[html.index('id="language-form"') :]
    assert 'name="csrfmiddlewaretoken"' in switch[: switch.index("</form>")]
    first_submit = re.search(r'<button type="submit"[^>]*>', html).group(0)
    assert 'name="language"' not in first_submit


def test_logged_in_pages_keep_the_switch_after_the_content(world):
    html = (
        _client(world, "secretariat_here")
        .get(reverse("scoring:table_import", args=[world.bloc_year.pk]))
        .content.decode()
    )
    assert html.index('id="import-form"') < html.index('id="language-form"')
