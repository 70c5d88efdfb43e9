"""`make bench-docs`: the report PDF (median of 10), the dossier, and a 40-bloc province
batch on one and on two worker processes (reports/bench.py), on a throwaway database with
the demo loaded. Needs PostgreSQL (the workers share the database) and Redis for the batch
part (REDIS_URL, or --redis-url). Nothing here is a test: timings vary by machine."""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import override_settings


class Command(BaseCommand):
    help = (
        "Đo thời gian tạo PDF báo cáo tổng kết, hồ sơ cuối năm và báo cáo toàn tỉnh (40 khối) "
        "trên một và hai tiến trình worker, trên cơ sở dữ liệu thử tạm thời."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--blocs", type=int, default=40)
        parser.add_argument("--redis-url", default=settings.REDIS_URL or "")
        parser.add_argument("--skip-batch", action="store_true")
        parser.add_argument("--only-batch", action="store_true", help="no demo, no report")
        parser.add_argument(
            "--own-sessions",
            action="store_true",
            help="also run the workers each in its own session (see reports/bench.py)",
        )

    def handle(
        self,
        *args,
        runs: int,
        blocs: int,
        redis_url: str,
        skip_batch: bool,
        only_batch: bool,
        own_sessions: bool,
        **o,
    ) -> None:
        from reports import bench

        out = self.stdout.write
        for name in ("weasyprint", "fontTools", "celery"):  # their progress lines
            logging.getLogger(name).setLevel(logging.WARNING)
        settings.DEBUG = False
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            None if connection.vendor == "sqlite" else f"bench_docs_{old_name}"
        )
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
                out("Máy đo dùng chung với các phiên làm việc khác: số liệu dao động.")
                if not only_batch:
                    settings.DEBUG = True  # the demo loads only in development
                    call_command("load_demo", verbosity=0)
                    settings.DEBUG = False
                    bloc_year = bench.measure_report(out, runs)
                    bench.measure_dossier(out, bloc_year)
                if skip_batch:
                    return
                if connection.vendor != "postgresql" or not redis_url:
                    out("batch: skipped (needs PostgreSQL and REDIS_URL or --redis-url)")
                    return
                province, admin = bench.synthetic_province(blocs)
                with override_settings(CELERY_BROKER_URL=redis_url, CELERY_TASK_ALWAYS_EAGER=False):
                    from config.celery import app

                    app._pool = None
                    app.amqp._producer_pool = None
                    for own in (False, True) if own_sessions else (False,):
                        times = {}
                        for processes in (1, 2):
                            times[processes] = bench.measure_batch(
                                out,
                                province=province,
                                admin=admin,
                                processes=processes,
                                redis_url=redis_url,
                                media_root=media,
                                log_dir=Path(media),
                                own_session=own,
                            )
                        out(
                            f"ratio two worker processes / one: {times[2] / times[1]:.2f} "
                            "— target ≤ 0.60"
                        )
                    app._pool = None
                    app.amqp._producer_pool = None
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
