"""Uploads are refused early and checked by content (issue 7, item 6).

A body over the view's limit is answered 413 with the Vietnamese limit before one byte of
it is read (verify, evidence, import; any other URL has a default limit); a file that
passes its limit while arriving stops the reading there; evidence must be what its
extension says (PDF, JPEG, PNG, Word/Excel 97-2003, Office Open XML, OpenDocument)."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from core import filetypes
from scoring import services
from scoring.models import Evidence, ScoreSheet

from .scoring.conftest import crit, table  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "----khoithiduaBoundary"


class CountingInput:
    """A request body of `size` bytes (prefix, filler, suffix) made up on demand, counting
    what the server reads of it."""

    def __init__(self, size: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
        self.prefix, self.suffix = prefix, suffix
        self.size = size
        self.position = 0

    def _byte_range(self, start: int, end: int) -> bytes:
        filler_start, filler_end = len(self.prefix), self.size - len(self.suffix)
        parts = [self.prefix[start:end]]
        filler = min(end, filler_end) - max(start, filler_start)
        if filler > 0:
            parts.append(b"A" * filler)
        if end > filler_end:
            parts.append(self.suffix[max(start, filler_end) - filler_end : end - filler_end])
        return b"".join(parts)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self.position
        end = min(self.size, self.position + n)
        data = self._byte_range(self.position, end)
        self.position = end
        return data

    def readline(self, n: int = -1) -> bytes:
        return self.read(n)


def multipart_body(field: str, filename: str, size: int, extra: dict | None = None):
    """(prefix, suffix, total) of a multipart body holding one file of `size` bytes."""
    head = b""
    for name, value in (extra or {}).items():
        head += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    head += (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
        f'name="{field}"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, tail, len(head) + size + len(tail)


def wsgi_post(path: str, body: CountingInput, *, length: int | None, cookie: str = "", **headers):
    """Call the real WSGI handler, as gunicorn does; returns (status, headers, content)."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    else:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    for key, value in headers.items():
        environ[f"HTTP_{key.upper()}"] = value
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As django.test.Client does: the test's database connection must survive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content.decode()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def targets(world, table, crit):  # noqa: F811
    head_sheet = ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.head)
    return {
        "verify": (reverse("pledges:verify"), "pdf", None, "20 MB"),
        "evidence": (
            reverse("scoring:evidence_upload", args=[head_sheet.pk, crit["1.1"].pk]),
            "file",
            world.users["leader_member"],
            "10 MB",
        ),
        "import": (
            reverse("scoring:table_import", args=[world.bloc_year.pk]),
            "file",
            world.users["secretariat_here"],
            "2 MB",
        ),
    }


@pytest.mark.parametrize("target", ["verify", "evidence", "import"])
def test_a_60_mb_upload_is_refused_before_it_is_read(targets, target):
    path, field, user, limit = targets[target]
    prefix, suffix, total = multipart_body(field, "tep.pdf", 60 * MB)
    body = CountingInput(total, prefix, suffix)
    cookie = session_cookie(user) if user else ""
    start = time.perf_counter()
    status, headers, html = wsgi_post(path, body, length=total, cookie=cookie)
    seconds = time.perf_counter() - start
    assert status == 413
    assert body.position == 0  # not one byte of the body was read
    assert f"Tệp quá lớn: tối đa {limit}." in html
    assert 'id="upload-refused"' in html and headers["Content-Type"].startswith("text/html")
    print(f"{target}: 413 in {seconds * 1000:.0f} ms, {body.position} bytes read")  # noqa: T201


def test_htmx_and_json_callers_get_json(targets):
    path, field, user, _limit = targets["evidence"]
    prefix, suffix, total = multipart_body(field, "tep.pdf", 60 * MB)
    status, headers, content = wsgi_post(
        path,
        CountingInput(total, prefix, suffix),
        length=total,
        cookie=session_cookie(user),
        hx_request="true",
    )
    assert status == 413 and headers["Content-Type"] == "application/json"
    assert '"message": "T\\u1ec7p qu\\u00e1 l\\u1edbn: t\\u1ed1i \\u0111a 10 MB."' in content


def test_the_limit_follows_the_settings(targets, settings):
    settings.SCORING_IMPORT_MAX_BYTES = 5 * MB
    path, field, user, _limit = targets["import"]
    prefix, suffix, total = multipart_body(field, "bang.xlsx", 6 * MB)
    status, _h, html = wsgi_post(
        path, CountingInput(total, prefix, suffix), length=total, cookie=session_cookie(user)
    )
    assert status == 413 and "Tệp quá lớn: tối đa 5 MB." in html


def test_other_urls_have_a_default_limit():
    prefix, suffix, total = multipart_body("username", "x", 10 * MB)
    body = CountingInput(total, prefix, suffix)
    status, _h, html = wsgi_post(reverse("login"), body, length=total)
    assert status == 413 and body.position == 0
    assert "Dữ liệu gửi lên quá lớn: tối đa 2,5 MB." in html


def test_a_file_passing_its_limit_while_arriving_stops_the_reading(targets, settings):
    """The declared length passes the middleware's check (here: a large allowance for the
    form's other fields), the file itself does not: reading stops at the limit."""
    settings.SCORING_EVIDENCE_MAX_BYTES = 200 * 1024
    settings.UPLOAD_FORM_OVERHEAD_BYTES = 60 * MB
    path, field, user, _limit = targets["evidence"]
    prefix, suffix, total = multipart_body(field, "tep.pdf", 50 * MB)
    body = CountingInput(total, prefix, suffix)
    status, _h, html = wsgi_post(path, body, length=total, cookie=session_cookie(user))
    assert status == 413 and "Tệp quá lớn: tối đa 200 KB." in html
    assert body.position < 200 * 1024 + 2 * 64 * 1024  # the limit and at most a chunk more
    assert not Evidence.objects.exists()


def test_a_missing_or_false_length_reads_no_more_than_declared(targets):
    path, field, user, _limit = targets["import"]
    cookie = session_cookie(user)
    prefix, suffix, total = multipart_body(field, "bang.xlsx", 60 * MB)
    chunked = CountingInput(total, prefix, suffix)
    status, _h, _html = wsgi_post(path, chunked, length=None, cookie=cookie)
    assert status < 500 and chunked.position == 0
    lying = CountingInput(total, prefix, suffix)
    status, _h, _html = wsgi_post(path, lying, length=1000, cookie=cookie)
    assert status < 500 and lying.position <= 1000


def test_uploads_under_the_limit_still_work(world, targets):
    path, field, user, _limit = targets["evidence"]
    client = Client()
    client.force_login(user)
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.7\n" + b"0" * (3 * MB))
    response = client.post(path, {field: pdf})
    assert response.status_code == 302
    assert Evidence.objects.get().size == 3 * MB + 9


# --- evidence by content ----------------------------------------------------------------


def zip_bytes(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if stored_first:
            z.writestr(stored_first, members.pop(stored_first), compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"},
    stored_first="mimetype",
)
ODS = zip_bytes(
    {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
    stored_first="mimetype",
)
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\0\x10JFIF\0"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0" + b"\0" * 48 + b"This program cannot be run"
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"

ACCEPTED = [
    ("bao-cao.pdf", PDF),
    ("anh.jpg", JPEG),
    ("anh.JPEG", JPEG),
    ("anh.png", PNG),
    ("van-ban.doc", OLE2),
    ("bang.xls", OLE2),
    ("van-ban.docx", DOCX),
    ("bang.xlsx", XLSX),
    ("van-ban.odt", ODT),
]
REFUSED = [
    ("chuong-trinh.pdf", EXE),  # a renamed .exe
    ("trang.pdf", HTML),  # HTML named .pdf
    ("trang.jpg", HTML),
    ("anh.jpg", PNG),  # real image, wrong extension
    ("anh.png", JPEG),
    ("van-ban.docx", XLSX),  # a workbook named .docx
    ("bang.xlsx", DOCX),
    ("van-ban.docx", zip_bytes({"a.txt": b"x"})),  # any zip
    ("van-ban.odt", ODS),  # a spreadsheet named .odt
    ("van-ban.doc", PDF),
    ("rong.pdf", b""),
    ("cat.pdf", b"%PD"),
    ("hong.docx", b"PK\x03\x04 not really a zip"),
]


@pytest.mark.parametrize(("name", "content"), ACCEPTED)
def test_sniffing_recognises_the_accepted_formats(name, content):
    upload = SimpleUploadedFile(name, content)
    assert filetypes.content_matches_extension(upload, name.rsplit(".", 1)[1])
    assert upload.tell() == 0  # put back for storing


@pytest.mark.parametrize(("name", "content"), REFUSED)
def test_sniffing_refuses_content_that_disagrees_with_the_extension(name, content):
    assert not filetypes.content_matches_extension(
        SimpleUploadedFile(name, content), name.rsplit(".", 1)[1]
    )


def _evidence(world, crit, name, content):  # noqa: F811
    return services.evidence_add(
        sheet=ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=world.member),
        criterion=crit["1.1"],
        upload=SimpleUploadedFile(name, content),
        actor=world.users["staff_member"],
    )


def test_evidence_service_refuses_a_renamed_file_and_saves_nothing(world, crit):  # noqa: F811
    for name, content in (("chuong-trinh.pdf", EXE), ("trang.pdf", HTML)):
        with pytest.raises(ValidationError) as exc:
            _evidence(world, crit, name, content)
        assert exc.value.message_dict["file"] == [
            "Nội dung tệp không phải là tệp .pdf thật (tệp bị đổi tên?). Hãy tải lên tệp gốc."
        ]
    assert not Evidence.objects.exists()
    for name, content in ACCEPTED:
        _evidence(world, crit, name, content)
    assert Evidence.objects.count() == len(ACCEPTED)
    stored = Evidence.objects.get(original_name="bao-cao.pdf")
    with stored.file.open("rb") as f:
        assert f.read() == PDF  # stored whole, from its first byte


def test_evidence_page_shows_the_refusal(world, targets):
    path, field, user, _limit = targets["evidence"]
    client = Client()
    client.force_login(user)
    response = client.post(path, {field: SimpleUploadedFile("bao-cao.pdf", HTML)})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Nội dung tệp không phải là tệp .pdf thật" in page
    assert not Evidence.objects.exists()
