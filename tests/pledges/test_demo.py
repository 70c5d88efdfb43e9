"""Demo pledges: Đắk Lắk 2021 signed by its eight units at the 28/01/2021 meeting;
Quảng Bình 2020 open with some units still to sign. Loaded as `load_demo` does: the blocs'
loader, then this app's (named on PledgesConfig.demo_loader)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from blocs import demo as blocs_demo
from blocs.demo import DEMO_PASSWORD, DL_BLOC, QB_BLOC
from blocs.models import BlocYear
from pledges import demo as pledges_demo
from pledges import selectors, services
from pledges.models import Pledge, PledgeVersion, Signature, UnitTarget

from ..conftest import log_in

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def demo() -> list[tuple[str, str]]:
    assert apps.get_app_config("pledges").demo_loader == "pledges.demo.demo_load"
    blocs_demo.demo_load()
    return pledges_demo.demo_load()


def _version(code: str, bloc: str, year: int) -> PledgeVersion:
    by = BlocYear.objects.get(bloc__province__code=code, bloc__name=bloc, year=year)
    return selectors.current_version(bloc_year=by)


def test_dak_lak_2021_signed_by_its_eight_units_at_the_meeting(demo):
    version = _version("dak-lak", DL_BLOC, 2021)
    assert version.status == PledgeVersion.Status.SIGNED
    signatures = list(version.signatures.select_related("unit", "signer"))
    assert len(signatures) == 8
    for s in signatures:
        assert s.signed_at.astimezone(VN).date() == dt.date(2021, 1, 28)
        assert s.signer.username.startswith("lanhdao.") and s.signer.username.endswith(".daklak")
    # Three of them have successors since 2025: history is kept, the signature still counts.
    inactive = [s.unit.name for s in signatures if not s.unit.active]
    assert sorted(inactive) == [
        "Sở Giao thông Vận tải",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Tài nguyên và Môi trường",
    ]
    result = selectors.pledge_verify(code=version.verification_code)
    assert result.intact and len(result.checks) == 8 and not result.unsigned_units
    assert "Chỉ thị số 34-CT/TW" in version.commitments.first().text


def test_quang_binh_2020_open_and_lanhdao_can_sign(demo):
    version = _version("quang-binh", QB_BLOC, 2020)
    assert version.status == PledgeVersion.Status.OPEN
    assert version.signatures.count() == 5
    assert UnitTarget.objects.filter(version=version).values("unit").distinct().count() == 9
    client = Client()
    assert log_in(client, username="lanhdao", password=DEMO_PASSWORD)
    by = version.pledge.bloc_year
    unit = by.members.get(name="Ban Quản lý Khu kinh tế")
    page = client.get(reverse("pledges:sign", args=[by.pk, unit.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("pledges:sign", args=[by.pk, unit.pk]),
        {
            "content_hash": services.content_hash_compute(version=version, unit=unit),
            "confirm": "on",
            "password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert version.signatures.filter(unit=unit, signer__username="lanhdao").exists()


def test_demo_pledges_are_idempotent_and_list_their_accounts(demo):
    usernames = [u for u, _description in demo]
    assert len([u for u in usernames if u.endswith(".daklak")]) == 8
    assert "lanhdao.bqlkcn.daklak" in usernames
    assert "lanhdao.bqlkkt.quangbinh" not in usernames  # `lanhdao` leads that unit
    counts = (Pledge.objects.count(), PledgeVersion.objects.count(), Signature.objects.count())
    blocs_demo.demo_load()
    assert pledges_demo.demo_load() == demo
    assert (
        (
            Pledge.objects.count(),
            PledgeVersion.objects.count(),
            Signature.objects.count(),
        )
        == counts
        == (2, 2, 13)
    )


def test_demo_leader_accounts_log_in(demo):
    assert log_in(Client(), username="lanhdao.sct.daklak", password=DEMO_PASSWORD)
