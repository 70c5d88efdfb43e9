"""Request bodies are refused before they are read when larger than the limit of the view
they are sent to (issue 7, item 6).

- UploadLimitMiddleware reads the declared Content-Length and answers 413 without touching
  the body when it is over the limit of the URL (settings.UPLOAD_LIMITS maps URL names to
  the name of the setting that holds the view's file limit; any other URL gets
  UPLOAD_DEFAULT_MAX_BYTES). A multipart body under the limit is then parsed here, before
  any view or the CSRF check reads it, with LimitedUploadHandler in front.
- LimitedUploadHandler (first in FILE_UPLOAD_HANDLERS) counts the bytes of each file as
  they arrive and stops the upload (StopUpload, without draining the rest of the input) as
  soon as a file passes the limit, so that a body whose Content-Length is missing or lies
  cannot make Django read or store more than the limit.

Under WSGI (gunicorn, as deployed) Django never reads past the declared Content-Length (a
body without one is read as empty), so the two checks together bound what is read by the
limit plus one chunk. Under ASGI Django reads the whole body before any middleware runs:
there the server in front must enforce a body limit.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

BODY_METHODS = {"POST", "PUT", "PATCH"}
MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    bytes: int
    upload: bool  # a view that takes files (its message speaks of the file)


def limit_for(request: HttpRequest) -> Limit:
    """The largest file (bytes) the view behind this request accepts."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        match = None
    setting = settings.UPLOAD_LIMITS.get(match.view_name) if match else None
    if setting is None:
        return Limit(bytes=settings.UPLOAD_DEFAULT_MAX_BYTES, upload=False)
    return Limit(bytes=getattr(settings, setting), upload=True)


def size_text(size: int) -> str:
    """ "20 MB", "2,5 MB", "200 KB": as the limits are spoken of (1 MB = 1024 x 1024)."""
    if size < 1024:
        return f"{size} byte"
    if size < MB:
        return f"{number_format(round(size / 1024))} KB"
    mb = round(size / MB, 1)
    return f"{number_format(mb, decimal_pos=0 if mb == int(mb) else 1)} MB"


def limit_message(limit: Limit) -> str:
    """The words the forms use too, e.g. "Tệp quá lớn: tối đa 20 MB." """
    if limit.upload:
        return _("Tệp quá lớn: tối đa %(size)s.") % {"size": size_text(limit.bytes)}
    return _("Dữ liệu gửi lên quá lớn: tối đa %(size)s.") % {"size": size_text(limit.bytes)}


def declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # as Django does: an unreadable length reads as an empty body


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.headers.get("HX-Request") == "true"
        or request.content_type == "application/json"
        or ("application/json" in accept and "text/html" not in accept)
    )


def _back_url(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return reverse("core:dashboard")


def too_large_response(request: HttpRequest, limit: Limit) -> HttpResponse:
    message = limit_message(limit)
    if _wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=413)
    return render(
        request,
        "413.html",
        {"message": message, "back_url": _back_url(request)},
        status=413,
    )


class LimitedUploadHandler(FileUploadHandler):
    """Stops an upload as soon as one file passes the view's limit; the middleware turns
    that into the 413 answer (`request.upload_refused_limit`)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = limit_for(request) if request is not None else None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if self.limit is not None and start + len(raw_data) > self.limit.bytes:
            if self.request is not None:
                self.request.upload_refused_limit = self.limit
            # connection_reset: do not drain the rest of the body either.
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers store the file


class UploadLimitMiddleware:
    """Place it before any middleware that may read request.POST (CsrfViewMiddleware reads
    it in process_view, which runs after every middleware's __call__)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODY_METHODS:
            return self.get_response(request)
        limit = limit_for(request)
        if declared_length(request) > limit.bytes + settings.UPLOAD_FORM_OVERHEAD_BYTES:
            return too_large_response(request, limit)
        if request.content_type == "multipart/form-data":
            # Parse now, through LimitedUploadHandler, so that a file over the limit in a
            # body without an honest length is answered here and not seen half by a view.
            request.POST  # noqa: B018
            if getattr(request, "upload_refused_limit", None) is not None:
                return too_large_response(request, request.upload_refused_limit)
        return self.get_response(request)
