import logging
import secrets

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from blocs.selectors import dashboard_for_user

from .auth import LoginForm, PasswordChangeView
from .permissions import access_rule

logger = logging.getLogger(__name__)


@access_rule("authenticated")
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "core/dashboard.html", dashboard_for_user(user=request.user))


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}


def _check_broker() -> dict:
    """A connection to the broker (Redis), when tasks are queued rather than run eagerly."""
    from config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager", "required": False}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return {"ok": False, "required": True, "error": type(exc).__name__}
    return {"ok": True, "required": True}


def _check_broker_and_workers() -> tuple[dict, dict]:
    from config.celery import app

    broker = _check_broker()
    if broker.get("mode") == "eager":
        return broker, dict(broker)
    if not broker["ok"]:
        return broker, {"ok": False, "required": True, "count": 0}
    try:
        replies = app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        logger.warning("Worker ping failed: %s", exc)
        replies = {}
    return broker, {"ok": bool(replies), "required": True, "count": len(replies)}


# Only a caller on this machine (the container healthcheck) or a staff member sees what is
# behind the verdict. A reverse proxy on the same host also connects from the loopback
# address, but it adds a forwarding header, and its callers are not local.
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def _healthz_details_allowed(request: HttpRequest) -> bool:
    if request.META.get("REMOTE_ADDR") in LOCAL_ADDRESSES and not any(
        header in request.META for header in PROXY_HEADERS
    ):
        return True
    return request.user.is_authenticated and request.user.is_staff


@access_rule("public")
@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Anyone else gets only ok / error from one cheap database query: no vendor, no
    exception names, and no broker or worker ping that an outsider could trigger at will."""
    database = _check_database()
    if not _healthz_details_allowed(request):
        body = {"status": "ok" if database["ok"] else "error"}
        return _health_response(body, ok=database["ok"], details={"database": database})
    broker, workers = _check_broker_and_workers()
    ok = database["ok"] and broker["ok"] and workers["ok"]
    body = {
        "status": "ok" if ok else "error",
        "database": database,
        "broker": broker,
        "workers": workers,
    }
    return _health_response(body, ok=ok, details=body)


@access_rule("public")
@login_not_required
@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers: no database, no broker, nothing else (the proxy's
    healthcheck). A failing database is /readyz/'s business: restarting web would not fix it."""
    return JsonResponse({"status": "ok"})


@access_rule("public")
@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Web can serve requests: one database query and, when tasks are queued (REDIS_URL), a
    connection to the broker, so that a document request can be accepted. The workers are
    not part of it (a dead worker must not take web out of service; /healthz/ reports them).
    Only a caller on this machine or a staff user sees the details."""
    database = _check_database()
    broker = _check_broker()
    ok = database["ok"] and broker["ok"]
    details = {"status": "ok" if ok else "error", "database": database, "broker": broker}
    body = details if _healthz_details_allowed(request) else {"status": details["status"]}
    return _health_response(body, ok=ok, details=details)


@access_rule("public")
@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the static file.
    Not a permanent redirect: in production the target has a hashed name that changes with
    the icon."""
    return HttpResponseRedirect(static("favicon.ico"))


def _health_response(body: dict, *, ok: bool, details: dict) -> JsonResponse:
    response = JsonResponse(body, status=200 if ok else 503)
    if not ok:
        # Logged here as a warning; Django would log every 503 as an error and mail it to
        # ADMINS, once per probe (every 30 s from the container healthcheck alone).
        logger.warning("Health check failed: %s", details)
        response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the user sees a reference, the traceback goes to the log under it (and
    Django mails it to ADMINS). Must never fail itself: a plain-text page if the template
    cannot be rendered."""
    reference = f"ERR-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4).upper()}"
    logger.exception("Server error, reference %s: %s %s", reference, request.method, request.path)
    # Django mails ADMINS the report after this handler returns; its request section lists
    # META, so the reference the user quotes appears in that e-mail too.
    request.META["ERROR_REFERENCE"] = reference
    try:
        body = loader.get_template("500.html").render({"reference": reference})
    except Exception:
        logger.exception("The 500 page could not be rendered (reference %s)", reference)
        return HttpResponseServerError(
            f"Lỗi máy chủ. Mã tham chiếu: {reference}\nServer error. Reference: {reference}\n",
            content_type="text/plain; charset=utf-8",
        )
    return HttpResponseServerError(body)


# Django's own views, with their access rule declared here.
# Login and password change check passwords through django-axes (core.auth).
login = access_rule("public")(
    auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm)
)
logout = access_rule("authenticated")(auth_views.LogoutView.as_view())
password_change = access_rule("authenticated")(PasswordChangeView.as_view())
password_change_done = access_rule("authenticated")(auth_views.PasswordChangeDoneView.as_view())
language = access_rule("public")(login_not_required(set_language))
