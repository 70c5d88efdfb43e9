"""Data for the load test (`make loadtest`, loadtest/run.py): the demo, plus a 15-unit x
60-criterion bloc-year in its scoring step with every cross-stage cell filled, and the
load test's accounts (one password, hashed once). Writes the plan that the locust users
read (accounts, ids) as JSON. Meant for a throwaway database (loadtest/run.py makes one)."""

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

UNITS, CRITERIA = 15, 60
PASSWORD = "loadtest-khoithidua"  # noqa: S105 - throwaway accounts of a throwaway database
SCORERS_PER_UNIT, VIEWERS_PER_UNIT, LEADERS_PER_UNIT = 10, 4, 2


class Command(BaseCommand):
    help = "Dữ liệu cho thử tải (Load-test data: the demo and a 15 x 60 bloc-year)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plan", required=True, help="where to write the plan (JSON)")

    def handle(self, *args, **options) -> None:
        from blocs import cycle
        from blocs import services as bloc_services
        from blocs.demo import demo_load
        from blocs.models import Province, RoleAssignment
        from pledges import services as pledge_services
        from scoring import services
        from scoring.models import ScoreSheet, Stage

        if os.environ.get("LOADTEST_THROWAWAY_DB") != "1":  # set by loadtest/run.py
            raise CommandError(
                "Accounts with a known password: only for the throwaway database that "
                "loadtest/run.py creates (it sets LOADTEST_THROWAWAY_DB=1)."
            )
        if Province.objects.filter(code="loadtest").exists():
            raise CommandError("The load-test data exist already: use a fresh database.")
        demo_load()
        for config in apps.get_app_configs():
            loader = getattr(config, "demo_loader", None)
            if loader:
                import_string(loader)()

        province = bloc_services.province_create(
            name="Tỉnh thử tải",
            code="loadtest",
            board_name="Ban Thi đua - Khen thưởng",
            authority_name="UBND tỉnh",
        )
        bloc = bloc_services.bloc_create(province=province, name="Khối thử tải")
        units = [
            bloc_services.unit_create(province=province, name=f"Sở thử tải {i:02d}")
            for i in range(UNITS)
        ]
        bloc_year = bloc_services.bloc_year_create(
            bloc=bloc, year=timezone.localdate().year, members=units, head=units[0], deputy=units[1]
        )
        user_model = get_user_model()
        hashed = make_password(PASSWORD)  # once: hashing costs half a CPU-second

        def account(username: str, role: str, **scope) -> str:
            user = user_model.objects.create(username=username, password=hashed)
            bloc_services.role_assign(user=user, role=role, **scope)
            return username

        secretariat = user_model.objects.create(username="lt.thuky", password=hashed)
        bloc_services.role_assign(
            user=secretariat, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
        )
        per_group = CRITERIA // 6
        groups, made = [], 0
        for g in range(6):
            items = []
            for _i in range(per_group):
                made += 1
                kind = "regular"
                if made > CRITERIA - 3:
                    kind = "bonus" if made <= CRITERIA - 1 else "penalty"
                items.append(
                    {
                        "code": f"{g + 1}.{made}",
                        "name": f"Tiêu chí {made}",
                        "kind": kind,
                        "max_points": "10" if kind == "regular" else "5",
                    }
                )
            groups.append({"code": str(g + 1), "name": f"Nhóm {g + 1}", "criteria": items})
        table = services.criteria_table_create(
            province=province,
            year=bloc_year.year,
            bloc_year=bloc_year,
            name="Bảng thử tải",
            groups=groups,
            bonus_cap=Decimal(3),
            penalty_cap=Decimal(2),
        )
        version = pledge_services.pledge_create(
            bloc_year=bloc_year,
            title="Giao ước thi đua thử tải",
            commitments=[pledge_services.CommitmentData(text=f"Cam kết {i}") for i in range(5)],
            actor=secretariat,
        )
        for unit in units:
            pledge_services.unit_targets_save(
                version=version,
                unit=unit,
                targets=[
                    pledge_services.TargetData(
                        description="Tỷ lệ hồ sơ giải quyết đúng hạn",
                        target_value=Decimal(98),
                        unit_of_measure="%",
                    )
                ],
                actor=secretariat,
            )
        pledge_services.pledge_open(
            version=version,
            deadline=timezone.localdate() + dt.timedelta(days=30),
            actor=secretariat,
        )
        cycle.bloc_year_start(bloc_year=bloc_year, actor=secretariat, close_signing=True)
        # Each unit cross-scores the next two: every row has two units scoring it, so that
        # scorers meet each other's saves (409s) as they would in a real bloc.
        services.cross_assignment_set(
            bloc_year=bloc_year,
            pairs=[(units[i].pk, units[(i + k) % UNITS].pk) for i in range(UNITS) for k in (1, 2)],
            actor=secretariat,
        )
        cycle.bloc_year_open_scoring(bloc_year=bloc_year, actor=secretariat)
        criteria = list(table.criteria.order_by("position", "id"))
        services.scores_save(
            bloc_year=bloc_year,
            stage=Stage.CROSS,
            cells=[services.CellInput(u.pk, c.pk, 0, "1,5") for u in units for c in criteria],
            actor=secretariat,
        )
        sheets = dict(ScoreSheet.objects.filter(bloc_year=bloc_year).values_list("unit_id", "pk"))
        scorers, viewers, leaders = [], [], []
        for i, unit in enumerate(units):
            for k in range(SCORERS_PER_UNIT):
                scorers.append(
                    account(f"lt.scorer.{i:02d}.{k}", RoleAssignment.Role.STAFF, unit=unit)
                )
            for k in range(VIEWERS_PER_UNIT):
                viewers.append(
                    account(f"lt.viewer.{i:02d}.{k}", RoleAssignment.Role.STAFF, unit=unit)
                )
            for k in range(LEADERS_PER_UNIT):
                leaders.append(
                    [
                        account(f"lt.leader.{i:02d}.{k}", RoleAssignment.Role.LEADER, unit=unit),
                        sheets[unit.pk],
                    ]
                )
        # Interleave the units, so that the first users of a run are spread over them.
        by_unit = sorted(range(len(scorers)), key=lambda n: (n % SCORERS_PER_UNIT, n))
        plan = {
            "password": PASSWORD,
            "bloc_year": bloc_year.pk,
            "bloc": bloc.pk,
            "stage": Stage.CROSS,
            "scorers": [scorers[n] for n in by_unit],
            "viewers": sorted(viewers, key=lambda u: (u[-1], u)),
            "leaders": sorted(leaders, key=lambda u: (u[0][-1], u[0])),
        }
        Path(options["plan"]).write_text(json.dumps(plan, indent=1))
        self.stdout.write(
            f"Load-test data: bloc-year {bloc_year.pk} ({UNITS} units x {len(criteria)} "
            f"criteria), {len(scorers)} scorers, {len(viewers)} viewers, {len(leaders)} leaders."
        )
