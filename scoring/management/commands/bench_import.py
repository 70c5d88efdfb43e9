"""Benchmark of the criteria-table import against hostile spreadsheets (issue 7, item 5).

It writes two small .xlsx files whose worksheet expands to many rows (the default: about
750 KB that expand to 2,000,000 rows / 226 MB of XML, and 20,000 bad rows), posts each to
the import page through the full Django stack in a throwaway test database, and prints per
file: the answer (status, first error), the wall time, the growth of the process's peak
memory (ru_maxrss, measured in a forked child so that each file starts from the same
baseline) and the size of the page. Nothing here is a test: timings vary by machine."""

import json
import os
import resource
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def row_xml(values: list) -> str:
    cells = []
    for v in values:
        if isinstance(v, int | float):
            cells.append(f"<c><v>{v}</v></c>")
        else:
            cells.append(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
    return "<row>" + "".join(cells) + "</row>"


def raw_xlsx(target, sheet_xml: Iterable[bytes]) -> None:
    """Write a minimal .xlsx (path or binary file) whose only worksheet is the given XML,
    streamed chunk by chunk (so that a huge sheet needs no memory to build)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in sheet_xml:
                f.write(chunk)


SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
TEMPLATE_HEAD = [
    ["Tên bảng", "Bảng nhiều dòng"],
    ["Trần điểm cộng", 5],
    ["Trần điểm trừ", 5],
    [],
    ["Loại", "Mã", "Nội dung", "Điểm tối đa", "Minh chứng bắt buộc", "Hướng dẫn chấm"],
    ["Nhóm", "I", "Nhóm một"],
]


def many_rows_xlsx(target, rows: int, row: list | None = None) -> None:
    """An .xlsx in the import template's layout whose first worksheet holds `rows`
    identical criterion rows after the header (by default each lacks its maximum, so every
    row is a bad row). Identical rows without `r` attributes compress about 300:1, which is
    what makes a small upload expand to millions of rows."""
    row = row if row is not None else ["Tiêu chí", "1.1", 1]

    def chunks():
        yield SHEET_START + b"<sheetData>"
        yield "".join(row_xml(r) for r in TEMPLATE_HEAD).encode()
        block = (row_xml(row) * 10_000).encode()
        for _i in range(rows // 10_000):
            yield block
        yield (row_xml(row) * (rows % 10_000)).encode()
        yield b"</sheetData></worksheet>"

    raw_xlsx(target, chunks())


def _world():
    from django.contrib.auth import get_user_model

    from blocs import services as bloc_services
    from blocs.models import RoleAssignment

    province = bloc_services.province_create(
        name="Tỉnh đo hiệu năng",
        code="bench-import",
        board_name="Ban Thi đua - Khen thưởng",
        authority_name="UBND tỉnh",
    )
    bloc = bloc_services.bloc_create(province=province, name="Khối đo nhập bảng")
    unit = bloc_services.unit_create(province=province, name="Sở thử nghiệm")
    bloc_year = bloc_services.bloc_year_create(bloc=bloc, year=2024, members=[unit], head=unit)
    user = get_user_model().objects.create_user(username="thuky.bench.import", password=None)
    bloc_services.role_assign(user=user, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year)
    return bloc_year, user


def _measure(path: Path, bloc_year, user) -> dict:
    """Post the file to the import page; runs in a forked child (see _in_child)."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    url = reverse("scoring:table_import", args=[bloc_year.pk])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = client.post(url, {"file": upload})
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    html = response.content.decode()
    first = re.search(r'class="alert alert-danger">([^<]*)<', html) or re.search(
        r'class="invalid-feedback"[^>]*><strong>([^<]*)<', html
    )
    return {
        "status": response.status_code,
        "seconds": round(seconds, 2),
        "peak_growth_mb": round((peak - before) / 1024, 1),
        "page_kb": round(len(response.content) / 1024, 1),
        "error_rows_on_page": html.count('class="table-danger"'),
        "first_error": first.group(1).strip() if first else "",
    }


def _in_child(func, *args) -> dict:
    connection.close()  # the child opens its own connection
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_end)
        try:
            result = func(*args)
        except Exception as exc:  # report, never hang the parent
            result = {"error": repr(exc)}
        os.write(write_end, json.dumps(result, ensure_ascii=False).encode())
        os.close(write_end)
        connection.close()
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(data or b'{"error": "no answer"}')


class Command(BaseCommand):
    help = (
        "Đo thời gian và bộ nhớ khi nhập bảng chấm điểm từ tệp .xlsx độc hại (Benchmark of "
        "the table import with a small .xlsx that expands to millions of rows)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rows", type=int, default=2_000_000)
        parser.add_argument("--bad-rows", type=int, default=20_000)
        # To see the row-by-row path (and the 200-error report) on big files:
        parser.add_argument("--max-rows", type=int, help="SCORING_IMPORT_MAX_ROWS")
        parser.add_argument(
            "--max-uncompressed-mb", type=int, help="SCORING_IMPORT_MAX_UNCOMPRESSED_BYTES"
        )

    def handle(self, *args, **options) -> None:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.DEBUG = False
        if options["max_rows"]:
            settings.SCORING_IMPORT_MAX_ROWS = options["max_rows"]
        if options["max_uncompressed_mb"]:
            settings.SCORING_IMPORT_MAX_UNCOMPRESSED_BYTES = options["max_uncompressed_mb"] << 20
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            None if connection.vendor == "sqlite" else f"bench_import_{old_name}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            files = []
            for label, rows in (("big", options["rows"]), ("bad", options["bad_rows"])):
                path = Path(tmp) / f"bang-{label}.xlsx"
                many_rows_xlsx(path, rows)
                with zipfile.ZipFile(path) as z:
                    expanded = sum(i.file_size for i in z.infolist())
                files.append((path, rows, expanded))
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                bloc_year, user = _world()
                for path, rows, expanded in files:
                    result = _in_child(_measure, path, bloc_year, user)
                    self.stdout.write(
                        f"{rows:>9,} rows, {path.stat().st_size / 1024:,.0f} KB "
                        f"(expands to {expanded / 1e6:,.0f} MB): "
                        + json.dumps(result, ensure_ascii=False)
                    )
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
