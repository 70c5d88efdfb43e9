"""The demo's bloc-years have the statuses their seed reports imply, reached through the
cycle's services (an audit row per step, never a write of the field); `thuky` creates the
Quảng Bình 2021 bloc-year from 2020 in the browser; the board sees every step bar."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from blocs.demo import DEMO_PASSWORD, DL_BLOC, QB_BLOC
from blocs.models import BlocYear, Province
from core.models import AuditEvent
from scoring.models import ScoringYear
from tests.conftest import log_in

pytestmark = pytest.mark.django_db

S = BlocYear.Status
EXPECTED = {
    # The year-end meeting of 13/01/2020 opened voting (meetings.demo).
    ("quang-binh", QB_BLOC, 2019): S.VOTING,
    ("quang-binh", QB_BLOC, 2020): S.PLEDGING,
    # Proposals submitted to the board (awards.demo).
    ("chua-ro-ten", "Khối thi đua Kinh tế ngành", 2019): S.PROPOSED,
    ("chua-ro-ten", "Khối thi đua Kinh tế ngành", 2020): S.SETUP,
    ("bac-ninh", None, 2019): S.PROPOSED,
    ("bac-ninh", None, 2020): S.SETUP,
    ("bac-kan", "Khối thi đua Kinh tế - Kỹ thuật", 2018): S.IN_PROGRESS,
    ("dak-lak", DL_BLOC, 2020): S.VOTING,
    ("dak-lak", DL_BLOC, 2021): S.IN_PROGRESS,
}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())


def _get(code, bloc, year) -> BlocYear:
    qs = BlocYear.objects.filter(bloc__province__code=code, year=year)
    return qs.get(bloc__name=bloc) if bloc else qs.get()


def test_demo_statuses_reached_through_the_services(demo):
    for (code, bloc, year), status in EXPECTED.items():
        by = _get(code, bloc, year)
        assert by.status == status, (code, bloc, year, by.status)
        steps = list(
            AuditEvent.objects.filter(
                target_type="blocs.blocyear", target_id=str(by.pk), data__has_key="to"
            ).order_by("id")
        )
        order = list(S.values)
        assert [e.data["to"] for e in steps] == order[1 : order.index(status) + 1]
    qb2019 = _get("quang-binh", QB_BLOC, 2019)
    assert ScoringYear.objects.get(bloc_year=qb2019).locked  # scored and verified
    # What the report does not give is recorded as such, with its source.
    opened = AuditEvent.objects.get(action="bloc_year_open_pledging", target_id=str(qb2019.pk))
    assert opened.data["historical_source"] == "seeds/000"
    assert set(opened.data["not_recorded"]) == {"head", "deputy", "pledge_open"}
    # Đắk Lắk 2021 started when its eighth leader signed.
    dl2021 = _get("dak-lak", DL_BLOC, 2021)
    started = AuditEvent.objects.get(action="bloc_year_start", target_id=str(dl2021.pk))
    assert started.actor.username.startswith("lanhdao.") and "closed_signing" not in started.data


def test_thuky_creates_2021_from_2020_and_the_board_sees_every_step_bar(demo):
    qb2020 = _get("quang-binh", QB_BLOC, 2020)
    client = Client()
    assert log_in(client, username="thuky", password=DEMO_PASSWORD)
    page = client.get(reverse("blocs:bloc_year_detail", args=[qb2020.pk])).content.decode()
    assert 'id="new-year"' in page
    url = reverse("blocs:bloc_year_new", args=[qb2020.bloc_id])
    form = client.get(url).content.decode()
    assert 'value="2021"' in form
    members = list(qb2020.members.values_list("pk", flat=True))
    response = client.post(url, {"year": "2021", "members": members}, follow=True)
    assert response.status_code == 200
    qb2021 = _get("quang-binh", QB_BLOC, 2021)
    assert qb2021.status == S.SETUP and qb2021.members.count() == 9
    html = response.content.decode()
    assert 'data-status="setup"' in html and "Sở Giao thông vận tải" in html

    board = Client()
    assert log_in(board, username="ban.tdkt", password=DEMO_PASSWORD)
    province = Province.objects.get(code="quang-binh")
    page = board.get(reverse("blocs:province_cycle", args=[province.pk])).content.decode()
    for by in BlocYear.objects.filter(bloc__province=province):
        assert f'data-bloc-year="{by.pk}"' in page
    assert page.count('class="step-bar step-bar-compact"') == 3
