"""Names the Vietnamese way (core.names): family name, middle name, given name everywhere a
person is named (pages, e-mails, the signed PDF, the admin), and people listed by given name
in Vietnamese alphabetical order."""

import datetime as dt
import random
import re
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from blocs import services as bloc_services
from blocs import setup
from blocs.models import RoleAssignment
from core.names import name_sort_key, person_full_name, person_name, person_sort_key
from pledges import services as pledge_services

from .conftest import make_user, needs_pdftotext
from .pledges.conftest import PledgeSetup, draft_with_targets, sign
from .pledges.test_pdf import pdf_text, render

User = get_user_model()


def _named(family: str, given: str, username: str = "u") -> object:
    """An account as the admin's labels fill it: Họ (last_name), Tên (first_name)."""
    return User(username=username, last_name=family, first_name=given)


# --- The name ---------------------------------------------------------------------------------


def test_family_name_comes_first():
    assert person_name(_named("Lê Thị", "Thu Hằng")) == "Lê Thị Thu Hằng"
    assert person_name(_named("Đặng", "Trọng Thắng")) == "Đặng Trọng Thắng"
    # Django's own order, which the product used to show:
    assert _named("Lê Thị", "Thu Hằng").get_full_name() == "Thu Hằng Lê Thị"


def test_a_whole_name_in_one_field_reads_as_typed():
    """Invited accounts keep the whole name in first_name (the invitation form has one
    "Họ và tên" field); stray spaces do not show."""
    assert person_name(_named("", "Nguyễn Văn An")) == "Nguyễn Văn An"
    assert person_name(_named("  Lê   Thị ", " Thu  Hằng ")) == "Lê Thị Thu Hằng"
    assert person_name(_named("Lê Thị", "")) == "Lê Thị"


def test_no_name_falls_back_to_the_login_name():
    assert person_name(_named("", "", username="thuky")) == "thuky"
    assert person_name(_named(" ", "  ", username="thuky")) == "thuky"
    assert person_full_name(_named("", "", username="thuky")) == ""
    assert person_name(None) == ""


# --- The order --------------------------------------------------------------------------------


def _sorted(names: list[str]) -> list[str]:
    shuffled = list(names)
    random.Random(12).shuffle(shuffled)
    return sorted(shuffled, key=name_sort_key)


def test_people_sort_by_given_name_in_the_vietnamese_alphabet():
    """a < ă < â and d < đ are letters of their own; the tone decides only between the same
    letters. So Ánh (a-n-h) comes before Ân (â-n), and Dũng before Đức."""
    expected = [
        "Nguyễn Văn An",
        "Trần Thị Ánh",
        "Phạm Thị Ân",
        "Lê Văn Bình",
        "Hoàng Văn Dũng",
        "Đỗ Văn Đức",
    ]
    assert _sorted(expected) == expected
    # Sorting by the whole string (family name first, code points) gets it wrong:
    assert sorted(expected) != expected


def test_letters_with_marks_are_letters_of_their_own():
    expected = ["Lê An", "Lê Ăn", "Lê Ân", "Lê Bê", "Lê Dương", "Lê Đào", "Lê Em", "Lê Êm"]
    assert _sorted(expected) == expected
    expected = ["Lê Oanh", "Lê Ôn", "Lê Ơn", "Lê Uyên", "Lê Ưng", "Lê Vân", "Lê Xuân", "Lê Yến"]
    assert _sorted(expected) == expected


def test_tones_in_dictionary_order_after_the_letters():
    """No mark, huyền, hỏi, ngã, sắc, nặng (Hoàng Phê's dictionary order), and only after the
    letters: Hà before Hải (a-i comes after a)."""
    expected = ["Vũ Ha", "Vũ Hà", "Vũ Hả", "Vũ Hã", "Vũ Há", "Vũ Hạ", "Vũ Hải", "Vũ Hàm", "Vũ Hằng"]
    assert _sorted(expected) == expected
    # ặ decomposes with the tone before the breve; the letter is still ă.
    assert _sorted(["Lê Ặn", "Lê Ân", "Lê An"]) == ["Lê An", "Lê Ặn", "Lê Ân"]


def test_same_given_name_then_family_then_middle_name():
    expected = ["Lê Thị Hoa", "Lê Văn Hoa", "Nguyễn Hoa", "Nguyễn Thị Hoa", "Trần Hòa"]
    assert _sorted(expected) == expected


def test_case_and_composition_do_not_change_the_order():
    """A name typed in capitals, or in decomposed Unicode (some keyboards), sorts as the same
    name."""
    decomposed = unicodedata.normalize("NFD", "Phạm Thị Ân")
    assert name_sort_key(decomposed)[:2] == name_sort_key("Phạm Thị Ân")[:2]
    assert name_sort_key("PHẠM THỊ ÂN")[:2] == name_sort_key("Phạm Thị Ân")[:2]
    assert _sorted(["NGUYỄN VĂN BÌNH", "Trần Thị Ánh"]) == ["Trần Thị Ánh", "NGUYỄN VĂN BÌNH"]


def test_person_sort_key_uses_the_fields_and_the_login_name():
    people = [
        _named("Lê Văn", "Bình", "b"),
        _named("", "", "zzz"),  # no name: sorted by the login name as a name
        _named("Trần Thị", "Ánh", "a2"),
        _named("Trần Thị", "Ánh", "a1"),  # namesakes: login name decides
        _named("", "Nguyễn Văn An", "an"),
    ]
    ordered = [u.username for u in sorted(people, key=person_sort_key)]
    assert ordered == ["an", "a1", "a2", "b", "zzz"]


def test_strange_names_do_not_break_the_key():
    for name in ["", " ", "Đ", "O'Brien", "Nguyễn-Trần", "Lê 2", "ɐ\u0301\u0306", "\u0301", "李"]:
        name_sort_key(name)
    assert _sorted(["Lê Zoe", "Lê Yến", "Lê 李"]) == ["Lê Yến", "Lê Zoe", "Lê 李"]


# --- Shown everywhere -------------------------------------------------------------------------


@pytest.fixture
def named(world):
    """The secretariat and the head unit's leader with a family name and a given name, as the
    admin's Họ/Tên labels ask."""
    secretariat = world.users["secretariat_here"]
    secretariat.last_name, secretariat.first_name = "Lê Thị", "Thu Hằng"
    secretariat.save()
    leader = world.users["leader_member"]
    leader.last_name, leader.first_name = "Đặng", "Trọng Thắng"
    leader.email = "thang@example.gov.vn"
    leader.save()
    return world


def test_pages_show_the_family_name_first(client, named):
    client.force_login(named.users["secretariat_here"])
    html = client.get(reverse("core:dashboard")).content.decode()
    assert "Xin chào, Lê Thị Thu Hằng" in html
    assert "Thu Hằng Lê Thị" not in html
    client.force_login(named.users["board_here"])
    html = client.get(reverse("blocs:province_users", args=[named.province.pk])).content.decode()
    assert "Đặng Trọng Thắng" in html and "Lê Thị Thu Hằng" in html
    assert "Trọng Thắng Đặng" not in html


def test_province_users_are_listed_by_given_name(client, named):
    for username, family, given in [
        ("c.binh", "Lê Văn", "Bình"),
        ("c.anh", "Trần Thị", "Ánh"),
        ("c.an", "Phạm Thị", "Ân"),
        ("c.duc", "Đỗ Văn", "Đức"),
    ]:
        user = make_user(username, last_name=family, first_name=given)
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.STAFF, unit=named.member)
    client.force_login(named.users["board_here"])
    html = client.get(reverse("blocs:province_users", args=[named.province.pk])).content.decode()
    names = ["Trần Thị Ánh", "Phạm Thị Ân", "Lê Văn Bình", "Đỗ Văn Đức", "Đặng Trọng Thắng"]
    positions = [html.index(n) for n in names]
    assert positions == sorted(positions)


def test_secretariat_choices_by_given_name_family_first(client, named):
    for username, family, given in [("s.duc", "Đỗ Văn", "Đức"), ("s.anh", "Trần Thị", "Ánh")]:
        user = make_user(username, last_name=family, first_name=given)
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.STAFF, unit=named.head)
    client.force_login(named.users["secretariat_here"])
    url = reverse("blocs:bloc_year_secretariat", args=[named.bloc_year.pk])
    html = client.get(url).content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", html)
    assert options == [
        "Trần Thị Ánh (s.anh)",
        "Đỗ Văn Đức (s.duc)",
        "Đặng Trọng Thắng (leader.member)",
    ]
    # The secretariat list itself: family name first.
    assert "Lê Thị Thu Hằng" in html


def test_admin_user_list_and_form_put_the_family_name_first(client, named):
    client.force_login(named.users["admin"])
    html = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Họ và tên" in html and "Lê Thị Thu Hằng" in html
    change = reverse("admin:auth_user_change", args=[named.users["secretariat_here"].pk])
    html = client.get(change).content.decode()
    assert html.index('name="last_name"') < html.index('name="first_name"')
    assert re.search(r"<label[^>]*for=\"id_last_name\"[^>]*>Họ", html)
    assert re.search(r"<label[^>]*for=\"id_first_name\"[^>]*>Tên", html)


def test_emails_name_the_leader_family_name_first(named, django_capture_on_commit_callbacks):
    draft = draft_with_targets(named)
    with django_capture_on_commit_callbacks(execute=True):
        version = pledge_services.pledge_open(
            version=draft,
            deadline=timezone.localdate() + dt.timedelta(days=3),
            actor=named.users["secretariat_here"],
        )
    invitation = next(m for m in mail.outbox if m.to == ["thang@example.gov.vn"])
    assert invitation.body.startswith("Kính gửi Đặng Trọng Thắng,")
    mail.outbox.clear()
    assert pledge_services.pledge_reminders_send(version=version) >= 1
    reminder = next(m for m in mail.outbox if m.to == ["thang@example.gov.vn"])
    assert reminder.body.startswith("Kính gửi Đặng Trọng Thắng,")


def test_invitation_names_the_inviter_family_name_first(named, django_capture_on_commit_callbacks):
    board = named.users["board_here"]
    board.last_name, board.first_name = "Hoàng", "Văn Dũng"
    board.save()
    with django_capture_on_commit_callbacks(execute=True):
        setup.user_invite(
            province=named.province,
            email="moi@example.gov.vn",
            full_name="Phạm Thị Ân",
            unit=named.member,
            role=RoleAssignment.Role.STAFF,
            actor=board,
        )
    (message,) = mail.outbox
    assert message.body.startswith("Kính gửi Phạm Thị Ân,")
    assert "Hoàng Văn Dũng đã tạo tài khoản" in message.body
    invited = User.objects.get(username="moi@example.gov.vn")
    assert person_name(invited) == "Phạm Thị Ân"


def _signer_in_row(text: str, number: int, unit_name: str) -> str:
    """The "Người ký" cell of the signature table's row `number`, from pdftotext: a cell that
    wraps interleaves with the unit's cell, so the unit's words are taken out."""
    page = text[text.index("STT Đơn vị Người ký") :]
    row = re.search(rf" {number} (.+?) \d\d:\d\d ngày", page).group(1).split()
    for word in unit_name.split():
        row.remove(word)
    return " ".join(row)


@needs_pdftotext
def test_signature_and_pdf_name_the_signer_family_name_first(
    client, named, django_capture_on_commit_callbacks
):
    draft = draft_with_targets(named)
    leaders = {named.head.pk: named.users["leader_member"]}
    for key, unit, family, given in [
        ("deputy", named.deputy, "Lê Thị", "Thu Hằng"),
        ("member", named.member, "", ""),  # no name: a neutral title, never the login name
    ]:
        user = make_user(f"ld.{key}", email=f"{key}@example.gov.vn", last_name=family)
        user.first_name = given
        user.save()
        bloc_services.role_assign(user=user, role=RoleAssignment.Role.LEADER, unit=unit)
        leaders[unit.pk] = user
    version = pledge_services.pledge_open(
        version=draft,
        deadline=timezone.localdate() + dt.timedelta(days=3),
        actor=named.users["secretariat_here"],
    )
    pledge = PledgeSetup(world=named, version=version, leaders=leaders)
    signatures = {unit.pk: sign(pledge, unit) for unit in pledge.units}
    assert signatures[named.head.pk].signer_name == "Đặng Trọng Thắng"
    assert signatures[named.deputy.pk].signer_name == "Lê Thị Thu Hằng"
    assert signatures[named.member.pk].signer_name == "Lãnh đạo Sở Xây dựng"
    version.refresh_from_db()
    job, pdf = render(pledge, django_capture_on_commit_callbacks, version)
    text = pdf_text(pdf)
    assert _signer_in_row(text, 1, named.head.name) == "Đặng Trọng Thắng"
    assert _signer_in_row(text, 2, named.deputy.name) == "Lê Thị Thu Hằng"
    assert "Thu Hằng Lê" not in text and "Trọng Thắng Đặng" not in text
    assert "Lãnh đạo Sở Xây dựng" in text and "ld.member" not in text
    # The document's page names who asked for it, family name first.
    client.force_login(named.users["secretariat_here"])
    html = client.get(reverse("documents:detail", args=[job.pk])).content.decode()
    assert "Yêu cầu bởi Lê Thị Thu Hằng" in html
