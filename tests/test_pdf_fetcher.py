"""The PDFs' URL fetcher (documents/rendering.py): a rendered template reads data: URLs and
the app's own static and font files, nothing else. A local file outside those folders
(/etc/passwd, a file next to them reached by "..") and any http(s) address, 127.0.0.1
included, are refused and logged, whether asked for as an image, a stylesheet or an
attachment."""

import http.server
import logging
import subprocess
import threading

import pytest

from documents.rendering import document_fonts, render_pdf

from .conftest import needs_pdftotext

PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwAD"
    "hgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def server():
    """A tiny HTTP server on 127.0.0.1 that records every request it receives."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            seen.append(self.path)
            body = b"p::after { content: 'TAI NGUYEN NOI BO'; }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def template_dir(tmp_path, settings):
    """A template folder of this test, on the real template engine that render_pdf uses."""
    folder = tmp_path / "templates"
    folder.mkdir()
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [folder, *engine["DIRS"]]
    settings.TEMPLATES = [engine]
    return folder


@pytest.fixture
def outside_file(tmp_path):
    """A stylesheet outside the allowed folders whose text would show in the PDF."""
    secret = tmp_path / "bi-mat.css"
    secret.write_text("p::after { content: 'NOI DUNG BI MAT'; }", encoding="utf-8")
    return secret


HOSTILE = """<html><head>
<link rel="stylesheet" href="{outside_uri}">
<link rel="stylesheet" href="{server}/style.css">
<link rel="attachment" href="file:///etc/passwd">
<link rel="attachment" href="{server}/leak.txt">
</head><body>
<p>Xin chào</p>
<img src="file:///etc/passwd">
<img src="{server}/anh.png">
<img src="https://127.0.0.1:1/anh.png">
<img src="{static_escape}">
<img src="{png}">
</body></html>"""


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=30
    ).stdout


@needs_pdftotext
def test_hostile_template_fetches_nothing(
    template_dir, outside_file, server, settings, caplog, tmp_path
):
    base, seen = server
    # "..": from inside an allowed folder (the static folder) back out to the secret file.
    static_dir = settings.STATICFILES_DIRS[0]
    escape = f"file://{static_dir}/../../../../../../..{outside_file}"
    (template_dir / "hostile.html").write_text(
        HOSTILE.format(
            outside_uri=outside_file.as_uri(), server=base, static_escape=escape, png=PNG_1PX
        ),
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="documents.rendering"):
        pdf = render_pdf(template="hostile.html", context={})

    assert pdf.startswith(b"%PDF-")
    assert seen == [], f"the PDF renderer sent requests to {seen}"
    text = _pdf_text(pdf, tmp_path)
    assert "Xin chào" in text
    assert "NOI DUNG BI MAT" not in text and "TAI NGUYEN NOI BO" not in text
    assert b"/EmbeddedFile" not in pdf, "something was attached to the PDF"
    refused = " ".join(r.getMessage() for r in caplog.records if "refused" in r.getMessage())
    for url in ("file:///etc/passwd", outside_file.as_uri(), f"{base}/style.css", "https://"):
        assert url in refused, url


def test_the_default_fetcher_would_have_leaked(template_dir, outside_file, tmp_path):
    """The test above can fail: WeasyPrint's own fetcher attaches /etc/passwd and reads the
    outside stylesheet from the same kind of template."""
    from weasyprint import HTML

    html = (
        f'<link rel="stylesheet" href="{outside_file.as_uri()}">'
        '<link rel="attachment" href="file:///etc/passwd"><p>Xin chào</p>'
    )
    assert b"/EmbeddedFile" in HTML(string=html).write_pdf()


@needs_pdftotext
def test_data_urls_and_the_document_fonts_are_allowed(template_dir, caplog, tmp_path):
    fonts = document_fonts()
    if not fonts:
        pytest.skip("Liberation Serif 2 is not installed (fonts-liberation2)")
    (template_dir / "ok.html").write_text(
        f'{{% include "documents/_nd30_style.html" %}}<p>Văn bản thử</p><img src="{PNG_1PX}">',
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="documents.rendering"):
        pdf = render_pdf(template="ok.html", context={})
    assert not [r for r in caplog.records if "refused" in r.getMessage()]
    path = tmp_path / "ok.pdf"
    path.write_bytes(pdf)
    fonts_out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert "Liberation-Serif" in fonts_out and " yes yes yes " in fonts_out, fonts_out
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf
