"""Measure how long the document pipeline takes to render the bloc-year roster PDF.

Runs the real service (template, WeasyPrint, storage) in-process on a throwaway
15-member bloc-year inside a transaction that is rolled back, and prints the figures."""

import statistics
import tempfile
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings

from blocs import services as bloc_services
from documents import services
from documents.models import DocumentJob


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Đo thời gian tạo PDF danh sách đơn vị thành viên (15 đơn vị)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, runs: int, **options) -> None:
        timings: list[float] = []
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            try:
                with transaction.atomic():
                    bloc_year, user = self._world()
                    for _ in range(runs + 1):
                        job = DocumentJob.objects.create(
                            kind="roster", bloc_year=bloc_year, requested_by=user
                        )
                        start = time.perf_counter()
                        services.document_job_render(job_id=job.pk)
                        timings.append(time.perf_counter() - start)
                    raise _Rollback
            except _Rollback:
                pass
        warm = timings[1:]  # the first run loads fonts and templates
        self.stdout.write(
            f"roster PDF, 15 units: first {timings[0] * 1000:.0f} ms; "
            f"then median {statistics.median(warm) * 1000:.0f} ms, "
            f"min {min(warm) * 1000:.0f} ms, max {max(warm) * 1000:.0f} ms over {runs} runs"
        )

    def _world(self):
        province = bloc_services.province_create(
            name="Tỉnh đo hiệu năng",
            code="bench-documents",
            board_name="Ban Thi đua - Khen thưởng tỉnh",
            authority_name="UBND tỉnh",
        )
        bloc = bloc_services.bloc_create(province=province, name="Khối thi đua đo hiệu năng")
        units = [
            bloc_services.unit_create(
                province=province, name=f"Sở thứ {i:02d} có tên đầy đủ khá dài để xuống dòng"
            )
            for i in range(15)
        ]
        bloc_year = bloc_services.bloc_year_create(
            bloc=bloc, year=2026, members=units, head=units[0], deputy=units[1]
        )
        user = get_user_model().objects.create_user(username="bench-documents")
        return bloc_year, user
