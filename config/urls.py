from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core import views as core_views
from core.auth import AdminLoginForm

admin.site.site_header = _("Quản trị Khối thi đua")
admin.site.site_title = _("Quản trị Khối thi đua")
admin.site.index_title = _("Danh mục quản trị")
# The admin login is throttled like the login page, with the same lockout message.
admin.site.login_form = AdminLoginForm

# Users see a reference; the details go to the log (core.views.server_error).
handler500 = "core.views.server_error"

urlpatterns = [
    path("accounts/login/", core_views.login, name="login"),
    path("accounts/logout/", core_views.logout, name="logout"),
    path("accounts/password/", core_views.password_change, name="password_change"),
    path(
        "accounts/password/done/",
        core_views.password_change_done,
        name="password_change_done",
    ),
    path("i18n/setlang/", core_views.language, name="set_language"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("", include("core.urls")),
    path("", include("blocs.urls")),
    path("", include("documents.urls")),
    path("", include("scoring.urls")),
    path("", include("pledges.urls")),
    path("", include("meetings.urls")),
    path("", include("awards.urls")),
    path("", include("reports.urls")),
]
