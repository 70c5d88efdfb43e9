"""Who closes (submits) a sheet's cross-scoring stage: the bloc-year's secretariat, an
administrator, or a leader of a unit the bloc assigns to cross-score that unit. Staff of
any unit (the assigned one included), leaders of units not assigned to it, the scored
unit's own people, the board and other blocs' secretariats are refused, by the page, the
endpoint and the service alike."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from blocs import services as bloc_services
from blocs.models import RoleAssignment
from scoring import services
from scoring.models import ScoreSheet, Stage

from ..conftest import make_user
from .conftest import FULL, save

pytestmark = pytest.mark.django_db

REFUSAL = (
    "Chỉ thư ký khối hoặc lãnh đạo đơn vị được phân công chấm chéo mới hoàn tất "
    "bước chấm chéo của đơn vị này."
)


@pytest.fixture
def people(world, table, crit):
    """The head unit cross-scores the member unit; the member's cross stage is complete."""
    services.cross_assignment_set(
        bloc_year=world.bloc_year, pairs=[(world.head.pk, world.member.pk)], actor=None
    )
    R = RoleAssignment.Role
    extra = {
        "staff_of_assigned": (R.STAFF, world.head),
        "leader_of_unassigned_member": (R.LEADER, world.deputy),
        "staff_of_unassigned_member": (R.STAFF, world.deputy),
        "leader_of_scored": (R.LEADER, world.member),
    }
    users = dict(world.users)
    for key, (role, unit) in extra.items():
        users[key] = make_user(key.replace("_", "."))
        bloc_services.role_assign(user=users[key], role=role, unit=unit)
    save(world.bloc_year, Stage.CROSS, world.users["leader_member"], world.member, crit, FULL)
    return users


def _sheet(world, unit) -> ScoreSheet:
    return ScoreSheet.objects.get(bloc_year=world.bloc_year, unit=unit)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _close(user, sheet):
    return _client(user).post(reverse("scoring:sheet_submit", args=[sheet.pk, "cross"]))


REFUSED = [
    "staff_of_assigned",  # the case: staff of the scoring unit
    "staff_member",  # staff of the scored unit
    "leader_of_scored",  # nobody closes their own unit's cross stage
    "leader_of_unassigned_member",
    "staff_of_unassigned_member",
    "leader_nonmember",
    "staff_nonmember",
    "board_here",
    "board_other",
    "secretariat_other",
    "norole",
]


@pytest.mark.parametrize("role", REFUSED)
def test_only_the_assigned_units_leader_or_the_secretariat_closes_the_cross_stage(
    world, people, role
):
    sheet = _sheet(world, world.member)
    response = _close(people[role], sheet)
    assert response.status_code == 403
    with pytest.raises(PermissionDenied) as exc:
        services.score_stage_submit(sheet=sheet, stage=Stage.CROSS, actor=people[role])
    assert str(exc.value) == REFUSAL
    sheet.refresh_from_db()
    assert sheet.cross_submitted_at is None and sheet.cross_submitted_by is None


def test_the_refusal_page_says_why_in_vietnamese(world, people):
    response = _close(people["staff_of_assigned"], _sheet(world, world.member))
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()


@pytest.mark.parametrize("role", ["leader_member", "secretariat_here", "admin"])
def test_the_assigned_leader_the_secretariat_and_the_admin_close_it(world, people, role):
    sheet = _sheet(world, world.member)
    response = _close(people[role], sheet)
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.cross_submitted_at is not None
    assert sheet.cross_submitted_by == people[role]


def test_the_close_button_is_shown_only_to_who_may_close(world, people):
    sheet = _sheet(world, world.member)
    url = reverse("scoring:sheet_detail", args=[sheet.pk])
    action = reverse("scoring:sheet_submit", args=[sheet.pk, "cross"])
    # The assigned unit's staff still score the cells and read the sheet, without the button.
    page = _client(people["staff_of_assigned"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="submit-cross"' not in html and action not in html
    html = _client(people["leader_member"]).get(url).content.decode()
    assert 'id="submit-cross"' in html and action in html


def test_staff_of_the_assigned_unit_still_score_but_do_not_close(world, people, crit):
    sheet = _sheet(world, world.member)
    staff = people["staff_of_assigned"]
    save(world.bloc_year, Stage.CROSS, staff, world.member, crit, {"1.1": "9"}, {"1.1": 1})
    assert _close(staff, sheet).status_code == 403
    assert _close(people["leader_member"], sheet).status_code == 302


def test_a_leader_closes_only_the_units_their_unit_is_assigned_to(world, people, crit):
    # The head unit is not assigned to the deputy: its leader cannot close the deputy's.
    save(world.bloc_year, Stage.CROSS, world.users["admin"], world.deputy, crit, FULL)
    deputy_sheet = _sheet(world, world.deputy)
    assert _close(people["leader_member"], deputy_sheet).status_code == 403
    # Once the bloc assigns it, they can.
    services.cross_assignment_set(
        bloc_year=world.bloc_year,
        pairs=[(world.head.pk, world.member.pk), (world.head.pk, world.deputy.pk)],
        actor=None,
    )
    assert _close(people["leader_member"], deputy_sheet).status_code == 302
    deputy_sheet.refresh_from_db()
    assert deputy_sheet.cross_submitted_by == people["leader_member"]


def test_assignment_pairs_take_ascii_digits_only(world, table):
    from scoring.models import CrossAssignment

    client = _client(world.users["secretariat_here"])
    url = reverse("scoring:assignments", args=[world.bloc_year.pk])
    arabic = str(world.head.pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    for bad in (f"{arabic}:{world.member.pk}", f"{world.head.pk}:+{world.member.pk}", "1_0:2"):
        response = client.post(url, {"pair": [bad]}, follow=True)
        assert response.status_code == 200
        assert "Dữ liệu gửi lên không hợp lệ." in response.content.decode()
    assert not CrossAssignment.objects.exists()
