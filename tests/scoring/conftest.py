"""Fixtures of the scoring tests: a small criteria table for the world's 2020 bloc-year and
helpers that save scores through the real service, as the grid does."""

from decimal import Decimal

import pytest

from blocs.models import BlocYear
from scoring import services
from scoring.models import Criterion

from ..conftest import year_reach

# Regular criteria: 10 + 10 + 20 + 10 = 50 points; bonus items capped 3 each and 5 per
# sheet; penalty items capped 2 and 5 each and 4 per sheet.
TABLE_SPEC = [
    {
        "code": "I",
        "name": "Thực hiện nhiệm vụ chính trị",
        "criteria": [
            {"code": "1.1", "name": "Hoàn thành chỉ tiêu kế hoạch", "max_points": "10"},
            {
                "code": "1.2",
                "name": "Cải cách hành chính",
                "max_points": "10",
                "evidence_required": True,
            },
        ],
    },
    {
        "code": "II",
        "name": "Công tác thi đua, khen thưởng",
        "criteria": [
            {"code": "2.1", "name": "Tổ chức phong trào thi đua", "max_points": "20"},
            {"code": "2.2", "name": "Báo cáo đúng hạn", "max_points": "10"},
        ],
    },
    {
        "code": "III",
        "name": "Điểm cộng, điểm trừ",
        "criteria": [
            {"code": "C1", "name": "Sáng kiến", "kind": "bonus", "max_points": "3"},
            {"code": "C2", "name": "Được khen thưởng", "kind": "bonus", "max_points": "3"},
            {"code": "T1", "name": "Báo cáo chậm", "kind": "penalty", "max_points": "2"},
            {"code": "T2", "name": "Vi phạm kỷ luật", "kind": "penalty", "max_points": "5"},
        ],
    },
]


@pytest.fixture
def table(world):
    """The world's table; the world's year is then driven to its scoring step."""
    table = services.criteria_table_create(
        province=world.province,
        year=2020,
        bloc_year=world.bloc_year,
        name="Bảng chấm điểm năm 2020",
        groups=TABLE_SPEC,
        bonus_cap=Decimal("5"),
        penalty_cap=Decimal("4"),
    )
    year_reach(world.bloc_year, BlocYear.Status.SCORING, actor=world.users["secretariat_here"])
    return table


@pytest.fixture
def crit(table):
    return {c.code: c for c in Criterion.objects.filter(table=table)}


def cells_for(unit, crit, values: dict, versions: dict | None = None):
    versions = versions or {}
    return [
        services.CellInput(
            unit_id=unit.pk,
            criterion_id=crit[code].pk,
            version=versions.get(code, 0),
            value=value,
        )
        for code, value in values.items()
    ]


def save(bloc_year, stage, user, unit, crit, values: dict, versions: dict | None = None):
    return services.scores_save(
        bloc_year=bloc_year,
        stage=stage,
        cells=cells_for(unit, crit, values, versions),
        actor=user,
    )


FULL = {"1.1": "10", "1.2": "9,5", "2.1": "18", "2.2": "10"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start every test with an empty cache (the grid keeps none of its own)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
