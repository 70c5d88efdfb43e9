"""Measure the render of the meeting documents: the tally record of a 15-voter, 12-candidate
ballot and the sealed minutes of its meeting (15 units present, 4 agenda items, the ballot's
result), each `--runs` times through the pipeline's render service (template, WeasyPrint,
storage), on a throwaway test database; prints the first render and the median of the
others. Nothing here is a test: timings vary by machine."""

import statistics
import tempfile
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import override_settings


class Command(BaseCommand):
    help = (
        "Đo thời gian tạo PDF biên bản kiểm phiếu và biên bản hội nghị (15 đơn vị, 12 đơn vị "
        "được bỏ phiếu) trên một cơ sở dữ liệu thử tạm thời."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=10)

    def handle(self, *args, runs: int, **options) -> None:
        settings.DEBUG = False
        old_name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            None if connection.vendor == "sqlite" else f"bench_meeting_docs_{old_name}"
        )
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
                bloc_year, ballot, minutes, user = self._world()
                for kind, params in (
                    ("ballot_tally", {"ballot_id": ballot.pk}),
                    ("minutes", {"minutes_id": minutes.pk}),
                ):
                    self._measure(kind, params, bloc_year=bloc_year, user=user, runs=runs)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _measure(self, kind: str, params: dict, *, bloc_year, user, runs: int) -> None:
        from documents import services
        from documents.models import DocumentJob

        timings, cpu = [], []
        first = DocumentJob.objects.filter(bloc_year=bloc_year, number_code="BB-KTĐ").count() + 1
        for number in range(first, first + runs + 1):
            job = DocumentJob.objects.create(
                kind=kind,
                bloc_year=bloc_year,
                params=params,
                requested_by=user,
                number=number,
                number_code="BB-KTĐ",
                issued_on=bloc_year.meetings.first().held_on,
            )
            start, start_cpu = time.perf_counter(), time.process_time()
            job = services.document_job_render(job_id=job.pk)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if job.status != DocumentJob.Status.DONE:
                raise RuntimeError(f"{kind}: {job.error}")
        warm = timings[1:]  # the first run loads fonts and templates
        self.stdout.write(
            f"{kind} PDF: first {timings[0] * 1000:.0f} ms; then median "
            f"{statistics.median(warm) * 1000:.0f} ms, min {min(warm) * 1000:.0f} ms, "
            f"max {max(warm) * 1000:.0f} ms over {runs} runs "
            f"(CPU time of this process: median {statistics.median(cpu[1:]) * 1000:.0f} ms; "
            "the wall time includes waiting for a core on a shared machine)"
        )

    def _world(self):
        from meetings.bench import build
        from meetings.models import Minutes
        from meetings.services import ballots as ballot_services
        from meetings.services import meetings as meeting_services
        from meetings.services import minutes as minutes_services

        world = build(voters=15, tag="docs")
        meeting, secretariat = world["meeting"], world["secretariat"]
        units = world["units"]
        chair = world["leaders"][units[0].pk]
        meeting_services.meeting_people_set(
            meeting=meeting,
            role="chair",
            people=[
                {"name": "Nguyễn Văn Chủ Trì", "title": "Giám đốc", "unit": units[0], "user": chair}
            ],
            actor=secretariat,
        )
        meeting_services.meeting_people_set(
            meeting=meeting,
            role="secretary",
            people=[{"name": "Trần Thị Thư Ký", "title": "Chuyên viên", "user": secretariat}],
            actor=secretariat,
        )
        meeting_services.meeting_people_set(
            meeting=meeting,
            role="counting",
            people=[
                {"name": f"Thành viên Tổ kiểm phiếu {i}", "title": "Phó Giám đốc", "unit": units[i]}
                for i in range(1, 4)
            ],
            actor=secretariat,
        )
        meeting_services.meeting_agenda_set(
            meeting=meeting,
            items=[
                {"title": f"Nội dung thứ {i} của hội nghị", "presenter": "Trưởng khối"}
                for i in range(1, 5)
            ],
            actor=secretariat,
        )
        ballot = ballot_services.ballot_create(
            meeting=meeting,
            kind="nomination",
            title="Bình xét Cờ thi đua năm 2024",
            method="online",
            candidates=[(u, "") for u in units[:12]],
            actor=secretariat,
            award_type=world["award_type"],
            max_winners=3,
        )
        ballot_services.ballot_open(ballot=ballot, actor=secretariat)
        ids = list(ballot.candidates.order_by("order").values_list("pk", flat=True))
        for i, unit in enumerate(units):
            yes = {ids[i % 12], ids[(i * 7 + 3) % 12]}
            choices = {cid: "yes" if cid in yes else "no" for cid in ids}
            ballot_services.ballot_vote_cast(
                ballot=ballot, unit=unit, user=world["leaders"][unit.pk], choices=choices
            )
        ballot_services.ballot_close(ballot=ballot, actor=secretariat)
        minutes = minutes_services.minutes_draft(meeting=meeting, actor=secretariat)
        for section in minutes.sections.all():
            minutes_services.minutes_section_update(
                section=section,
                text="Các đơn vị thảo luận, thống nhất nội dung. " * 12,
                actor=secretariat,
            )
        minutes_services.minutes_approve(minutes=minutes, user=chair)
        minutes_services.minutes_approve(minutes=minutes, user=secretariat)
        minutes = Minutes.objects.get(pk=minutes.pk)
        if minutes.status != Minutes.Status.SEALED:
            raise RuntimeError("the minutes were not sealed")
        return meeting.bloc_year, ballot, minutes, secretariat
