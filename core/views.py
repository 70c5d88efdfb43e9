import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import set_language

from blocs.selectors import dashboard_for_user

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


def _check_broker_and_workers() -> tuple[dict, dict]:
    from config.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        eager = {"ok": True, "mode": "eager", "required": False}
        return eager, dict(eager)
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        broker = {"ok": True, "required": True}
    except Exception as exc:
        return {"ok": False, "required": True, "error": type(exc).__name__}, {
            "ok": False,
            "required": True,
            "count": 0,
        }
    try:
        replies = app.control.inspect(timeout=1.0).ping() or {}
    except Exception as exc:
        logger.warning("Worker ping failed: %s", exc)
        replies = {}
    return broker, {"ok": bool(replies), "required": True, "count": len(replies)}


@access_rule("public")
@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = _check_database()
    broker, workers = _check_broker_and_workers()
    ok = database["ok"] and broker["ok"] and workers["ok"]
    body = {
        "status": "ok" if ok else "error",
        "database": database,
        "broker": broker,
        "workers": workers,
    }
    return JsonResponse(body, status=200 if ok else 503)


# Django's own views, with their access rule declared here.
login = access_rule("public")(auth_views.LoginView.as_view(redirect_authenticated_user=True))
logout = access_rule("authenticated")(auth_views.LogoutView.as_view())
password_change = access_rule("authenticated")(auth_views.PasswordChangeView.as_view())
password_change_done = access_rule("authenticated")(auth_views.PasswordChangeDoneView.as_view())
language = access_rule("public")(login_not_required(set_language))
