from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Hệ thống")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import auth

        # Failed password checks and lockouts go to the audit trail; a login starts the
        # idle-session clock (core.auth).
        user_login_failed.connect(auth.login_failed_record, dispatch_uid="core.login_failed")
        user_locked_out.connect(auth.locked_out_record, dispatch_uid="core.locked_out")
        user_logged_in.connect(auth.session_idle_stamp, dispatch_uid="core.session_idle")
