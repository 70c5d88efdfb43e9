from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Đo hiệu năng bảng nhập điểm 15 đơn vị x 60 tiêu chí trên một cơ sở dữ liệu thử "
        "tạm thời (Benchmark of the score grid on a throwaway test database)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rounds", type=int, default=40)

    def handle(self, *args, **options) -> None:
        from scoring.bench import run

        # Not django.test's setup_test_environment(): its template instrumentation would add
        # test-only costs to every page measured. The test client only needs its host.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.DEBUG = False
        old_name = connection.settings_dict["NAME"]
        # A database of its own, so that a test run using test_<name> is never disturbed.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            None if connection.vendor == "sqlite" else f"bench_scoring_{old_name}"
        )
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            ok = run(self.stdout.write, rounds=options["rounds"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if not ok:
            raise CommandError("A query count grows with the size.")
