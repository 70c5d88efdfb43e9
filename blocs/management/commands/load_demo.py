from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from blocs.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: năm khối thi đua của các bản tin và các tài khoản mẫu."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "Chỉ nạp dữ liệu mẫu khi DEBUG bật (môi trường phát triển). "
                "Demo data loads only with DEBUG on."
            )
        accounts = demo_load()
        # Other apps add their demo data by naming a loader on their AppConfig
        # (`demo_loader = "scoring.demo.demo_load"`); each returns extra accounts.
        for config in apps.get_app_configs():
            loader = getattr(config, "demo_loader", None)
            if loader:
                accounts.extend(import_string(loader)())
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu."))
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        unique = dict(reversed(accounts))  # first description of each username wins
        width = max(len(u) for u in unique) + 2
        for username in dict.fromkeys(u for u, _d in accounts):
            self.stdout.write(f"  {username:<{width}}{unique[username]}")
