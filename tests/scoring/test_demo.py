"""The demo data reproduce the 2019 ranking of the Quảng Bình report (seeds/000)."""

import pytest
from django.test import Client
from django.urls import reverse

from blocs.demo import QB_BLOC
from blocs.demo import demo_load as blocs_demo_load
from blocs.models import BlocYear
from scoring.demo import demo_load
from scoring.models import ScoreChange, ScoreSheet, ScoreValue
from scoring.selectors import scoreboard

pytestmark = pytest.mark.django_db


def _by(year):
    return BlocYear.objects.get(bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=year)


def test_demo_2019_ranking_matches_the_report_and_loading_twice_changes_nothing():
    blocs_demo_load()
    assert demo_load() == []
    counts = (ScoreValue.objects.count(), ScoreChange.objects.count(), ScoreSheet.objects.count())
    demo_load()
    assert (
        ScoreValue.objects.count(),
        ScoreChange.objects.count(),
        ScoreSheet.objects.count(),
    ) == counts

    board = scoreboard(bloc_year=_by(2019))
    assert board["state"].locked
    ranks = [(r.unit.name, r.rank) for r in board["rows"]]
    assert ranks[:4] == [
        ("Ban Quản lý Khu kinh tế", 1),
        ("Sở Giao thông vận tải", 2),
        ("Sở Tài nguyên và Môi trường", 3),
        ("Sở Xây dựng", 3),
    ]
    assert len(ranks) == 9 and all(rank and rank > 3 for _name, rank in ranks[4:])
    third = [r for r in board["rows"] if r.rank == 3]
    assert third[0].totals["verified"].total == third[1].totals["verified"].total
    assert "cùng xếp thứ Ba" in third[0].rank_reason
    assert all(r.classification for r in board["rows"])

    board2020 = scoreboard(bloc_year=_by(2020))
    assert board2020["table"].copied_from == board["table"]
    assert ScoreSheet.objects.filter(bloc_year=_by(2020)).count() == 9
    assert not ScoreValue.objects.filter(sheet__bloc_year=_by(2020)).exists()


def test_demo_accounts_see_their_scoring_pages():
    from django.contrib.auth import get_user_model

    blocs_demo_load()
    demo_load()
    users = {u.username: u for u in get_user_model().objects.all()}
    by = _by(2020)
    client = Client()
    client.force_login(users["thuky"])
    page = client.get(reverse("scoring:grid", args=[by.pk, "cross"]))
    assert page.status_code == 200
    client.force_login(users["canbo"])
    response = client.get(reverse("blocs:bloc_year_detail", args=[by.pk]))
    assert "Phiếu chấm điểm của" in response.content.decode()
    client.force_login(users["ban.tdkt"])
    response = client.get(reverse("scoring:scoreboard", args=[_by(2019).pk]))
    assert response.status_code == 200
    assert "Hoàn thành xuất sắc nhiệm vụ" in response.content.decode()
