from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

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
        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu."))
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for username, description in accounts:
            self.stdout.write(f"  {username:<18} {description}")
