from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = (
        "Đo thời gian bỏ phiếu, kết thúc và kiểm phiếu (15 và 200 đơn vị, 12 đơn vị được bỏ "
        "phiếu) trên một cơ sở dữ liệu thử tạm thời (Benchmark of the secret ballot on a "
        "throwaway test database)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, **options) -> None:
        from meetings.bench import run

        settings.DEBUG = False
        old_name = connection.settings_dict["NAME"]
        # A database of its own, so that a test run using test_<name> is never disturbed.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            None if connection.vendor == "sqlite" else f"bench_ballots_{old_name}"
        )
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            ok = run(self.stdout.write, rounds=options["rounds"])
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        if not ok:
            raise CommandError("Benchmark failed.")
