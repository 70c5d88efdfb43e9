"""Logging filters (config/settings/base.py LOGGING). Imported while logging is configured,
before the apps are ready: no models here."""

import logging


class ForbiddenOneLine(logging.Filter):
    """A 403 is an answer, not a fault: django.request logs it with the PermissionDenied
    traceback, which says nothing the refusal's reason does not. Keep one line: method,
    path, user and reason."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) != 403:
            return True
        request = getattr(record, "request", None)
        user = getattr(request, "user", None)
        who = user.get_username() if getattr(user, "is_authenticated", False) else "anonymous"
        exc = record.exc_info[1] if record.exc_info else None
        reason = " ".join(str(exc).split())[:200] if exc is not None else ""
        record.msg = "Forbidden: %s %s (user %s)%s"
        record.args = (
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            who,
            f": {reason}" if reason else "",
        )
        record.exc_info = None
        record.exc_text = None
        return True
