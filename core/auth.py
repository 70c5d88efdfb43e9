"""Login throttling (django-axes) and the password re-entered to confirm an act.

django-axes counts failed `django.contrib.auth.authenticate` calls per account and per client
address (settings.AXES_LOCKOUT_PARAMETERS) and refuses further attempts for
settings.AXES_COOLOFF_TIME. Everything that checks a password typed by a user goes through
`authenticate(request=...)` so that one counter covers the login page, the admin login, the
pledge signing password and the old password of a password change: they all guess the same
secret, so an attacker gets AXES_FAILURE_LIMIT guesses in all, not that many per form.
"""

import contextvars
import datetime as dt
import ipaddress
import math
import time
from collections.abc import Callable
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials, get_failure_limit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, authenticate, get_user_model
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .services import audit_event_record


class Purpose(models.TextChoices):
    """Why a password was typed; it picks the lockout message and the audit action."""

    LOGIN = "login", _("đăng nhập")
    PLEDGE_SIGN = "pledge_sign", _("ký giao ước")
    PASSWORD_CHANGE = "password_change", _("đổi mật khẩu")
    REPORT_SIGN = "report_sign", _("ký báo cáo")


LOCKED_MESSAGES = {
    Purpose.LOGIN: _(
        "Đăng nhập tạm bị khóa do nhập sai mật khẩu nhiều lần. "
        "Vui lòng thử lại sau %(minutes)s phút (lúc %(time)s)."
    ),
    Purpose.PLEDGE_SIGN: _(
        "Ký giao ước tạm bị khóa do nhập sai mật khẩu nhiều lần. "
        "Vui lòng thử lại sau %(minutes)s phút (lúc %(time)s)."
    ),
    Purpose.PASSWORD_CHANGE: _(
        "Đổi mật khẩu tạm bị khóa do nhập sai mật khẩu nhiều lần. "
        "Vui lòng thử lại sau %(minutes)s phút (lúc %(time)s)."
    ),
    Purpose.REPORT_SIGN: _(
        "Ký báo cáo tạm bị khóa do nhập sai mật khẩu nhiều lần. "
        "Vui lòng thử lại sau %(minutes)s phút (lúc %(time)s)."
    ),
}

# The purpose of the password being checked in this request, read by the audit receiver;
# a context variable, so that concurrent requests never see each other's.
_purpose: contextvars.ContextVar[str] = contextvars.ContextVar("auth_purpose", default="")


# --- Client address ---------------------------------------------------------------------


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the per-address lock (settings.AXES_CLIENT_IP_CALLABLE) and
    the signatures. Behind settings.PLEDGE_TRUSTED_PROXY_COUNT = N reverse proxies it is the
    N-th address from the right of X-Forwarded-For, the one the outermost trusted proxy
    appended (addresses further left are the client's own claims, so forging the header
    cannot dodge the lock); REMOTE_ADDR when there is no proxy or the header is missing or
    malformed."""
    remote = _valid_ip(request.META.get("REMOTE_ADDR"))
    count = settings.PLEDGE_TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        # The last `count` entries were appended by our proxies; any left of them are the
        # client's own claims and are never read.
        trusted = [_valid_ip(part) for part in forwarded[-count:]]
        if len(forwarded) >= count and all(trusted):
            return trusted[0]
    return remote


def throttle_address(request: HttpRequest) -> str | None:
    """The address the per-address lock counts (settings.AXES_CLIENT_IP_CALLABLE): the
    client's address; for IPv6 the first address of its /64, the block one subscriber
    usually holds, else every attempt could come from a new address of the same machine."""
    ip = client_ip(request)
    if ip is None:
        return None
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return ip


# --- Lockout ------------------------------------------------------------------------------


def locked_until(*, request: HttpRequest, username: str | None) -> dt.datetime | None:
    """When the lock on this account or address ends; None when neither is locked.

    axes keeps one row per (account, address, browser) with its count and last failure, and
    a lock holds while the rows newer than the cool-off add up to the limit: it ends when
    the oldest row needed to reach the limit expires."""
    AxesProxyHandler.update_request(request)
    credentials = get_credentials(username)
    limit = get_failure_limit(request, credentials)
    cool_off = get_cool_off(request)
    if cool_off is None:
        return None
    handler = AxesProxyHandler.get_implementation()
    ends = []
    for attempts in handler.get_user_attempts(request, credentials):
        total = 0
        for attempt_time, failures in attempts.order_by("-attempt_time").values_list(
            "attempt_time", "failures_since_start"
        ):
            total += failures
            if total >= limit:
                ends.append(attempt_time + cool_off)
                break
    return max(ends, default=None)


def locked_message(*, request: HttpRequest, username: str | None, purpose: str) -> str:
    now = timezone.now()
    until = locked_until(request=request, username=username)
    if until is None or until <= now:
        until = now + (get_cool_off(request) or dt.timedelta(0))
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    # The time is shown to the minute, so round it up: at the time shown the lock is over.
    if until.second or until.microsecond:
        until = until.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    local = timezone.localtime(until)
    same_day = local.date() == timezone.localdate(now)
    return LOCKED_MESSAGES[Purpose(purpose)] % {
        "minutes": minutes,
        "time": date_format(local, "H:i" if same_day else "H:i d/m/Y"),
    }


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: the form already shows when to try again (the forms
    below put the message next to the password), so keep that page and only say 429."""
    username = (credentials or {}).get(get_user_model().USERNAME_FIELD)
    if original_response is None or original_response.status_code != 200:
        response = HttpResponse(
            locked_message(request=request, username=username, purpose=Purpose.LOGIN),
            status=settings.AXES_HTTP_RESPONSE_CODE,
            content_type="text/plain; charset=utf-8",
        )
    else:
        response = original_response
        response.status_code = settings.AXES_HTTP_RESPONSE_CODE
        response.reason_phrase = None  # recomputed from the new status
    until = locked_until(request=request, username=username)
    if until is not None:
        response["Retry-After"] = str(max(1, math.ceil((until - timezone.now()).total_seconds())))
    return response


def _is_locked_out(request: HttpRequest | None) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


# --- Password checks ----------------------------------------------------------------------


def password_confirm(
    *, request: HttpRequest | None, user: Any, password: str, purpose: str
) -> None:
    """Raise ValidationError unless `password` is the (active) user's own.

    With the request it goes through `authenticate`, so django-axes counts a wrong password
    and refuses while the account or the address is locked, a right password included.
    Without one (the demo loader, service tests) nothing asks from outside, and it is a
    plain check. Call it outside any transaction: the failure must be kept although the
    act it guards is refused."""
    if request is None:
        if not (user.is_active and user.check_password(password or "")):
            raise ValidationError(gettext("Mật khẩu không đúng."), code="password_incorrect")
        return
    token = _purpose.set(purpose)
    try:
        confirmed = authenticate(request, username=user.get_username(), password=password or "")
    finally:
        _purpose.reset(token)
    if _is_locked_out(request):
        raise ValidationError(
            locked_message(request=request, username=user.get_username(), purpose=purpose),
            code="locked_out",
        )
    if confirmed is None or confirmed.pk != user.pk:
        raise ValidationError(gettext("Mật khẩu không đúng."), code="password_incorrect")


class _LockoutMessageMixin:
    """AuthenticationForm says "wrong username or password" whenever authenticate() gives
    nothing; when axes refused, say instead that logins are locked and until when."""

    request: HttpRequest | None
    cleaned_data: dict

    def get_invalid_login_error(self) -> ValidationError:
        if _is_locked_out(self.request):
            message = locked_message(
                request=self.request,
                username=self.cleaned_data.get("username"),
                purpose=Purpose.LOGIN,
            )
            return ValidationError(message, code="locked_out")
        return super().get_invalid_login_error()  # type: ignore[misc]


class LoginForm(_LockoutMessageMixin, auth_forms.AuthenticationForm):
    pass


class AdminLoginForm(_LockoutMessageMixin, AdminAuthenticationForm):
    pass


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The old password is a password guess like any other: counted and throttled."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        try:
            password_confirm(
                request=self.request,
                user=self.user,
                password=old_password,
                purpose=Purpose.PASSWORD_CHANGE,
            )
        except ValidationError as exc:
            if exc.code == "locked_out":
                raise
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            ) from None
        return old_password


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "request": self.request}


# --- Idle sessions ------------------------------------------------------------------------

IDLE_STAMP = "_idle_refreshed_at"
IDLE_REFRESH_SECONDS = 60


def session_idle_stamp(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """Receiver of user_logged_in: the login's own save of the session starts the clock."""
    request.session[IDLE_STAMP] = int(time.time())


class SessionIdleMiddleware:
    """Logged-in sessions end settings.SESSION_COOKIE_AGE (DJANGO_SESSION_IDLE_SECONDS) after
    the last request. Every save of a session moves its end to that long from now; this saves
    a logged-in session again once its last save is a minute old, so the idle time holds to
    the minute with at most one write a minute per user. (SESSION_SAVE_EVERY_REQUEST would
    write the session row on every request, each grid save and HTMX fragment included.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A session logged out during this request has no SESSION_KEY: never revive it.
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            stamp = session.get(IDLE_STAMP)
            if not isinstance(stamp, int) or now - stamp >= IDLE_REFRESH_SECONDS:
                session[IDLE_STAMP] = now  # saved by SessionMiddleware, with a new end
        return response


# --- Audit trail --------------------------------------------------------------------------


def _refused_while_locked(request: HttpRequest | None) -> bool:
    """axes refused without checking the password. Its backend flags the request before the
    failure signal; a failure that axes counted (and that may just have started the lock)
    has axes_failures_since_start set, a refused one never has, whichever receiver runs
    first."""
    return _is_locked_out(request) and getattr(request, "axes_failures_since_start", None) is None


def _audit(*, request: HttpRequest | None, username: str | None, event: str, **data: Any) -> None:
    purpose = _purpose.get() or Purpose.LOGIN
    user_model = get_user_model()
    target = user_model._default_manager.filter(
        **{user_model.USERNAME_FIELD: username or ""}
    ).first()
    action = f"login_{event}" if purpose == Purpose.LOGIN else f"password_confirm_{event}"
    audit_event_record(
        actor=getattr(request, "user", None),
        action=action,
        # An attempt on an account that does not exist names the model only.
        target=target or user_model,
        data={
            "username": (username or "")[:150],
            "ip_address": client_ip(request) if request is not None else None,
            "path": request.path[:200] if request is not None else "",
            **({"purpose": purpose} if purpose != Purpose.LOGIN else {}),
            **data,
        },
    )


def login_failed_record(
    sender: Any, credentials: dict, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Receiver of django.contrib.auth's user_login_failed: who was tried, from where (the
    credentials arrive with the password already masked, and it is not kept)."""
    username = credentials.get(get_user_model().USERNAME_FIELD)
    _audit(
        request=request,
        username=username,
        event="failed",
        refused_while_locked=_refused_while_locked(request),
    )


def locked_out_record(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    """Receiver of axes' user_locked_out, which fires when a lock starts and again for each
    attempt refused under it; only the start is recorded (the refusals are failures)."""
    if _refused_while_locked(request):
        return
    until = locked_until(request=request, username=username)
    _audit(
        request=request,
        username=username,
        event="locked_out",
        until=until.isoformat() if until else None,
    )
