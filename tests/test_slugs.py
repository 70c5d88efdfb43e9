"""Codes keep Vietnamese letters as their ASCII base letters (core.text.vn_slugify)."""

import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from blocs.models import Province
from core.text import vn_slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Tỉnh Thử Nghiệm", "tinh-thu-nghiem"),
        ("Đắk Lắk", "dak-lak"),
        ("ĐỒNG THÁP", "dong-thap"),
        ("đường Đồng Khởi", "duong-dong-khoi"),
        ("Thừa Thiên Huế", "thua-thien-hue"),
        ("Bà Rịa – Vũng Tàu", "ba-ria-vung-tau"),
        ("  Quảng   Bình  ", "quang-binh"),
        ("ạảãàáâậầấẩẫăắằặẳẵ ẹẻẽèéêếềệểễ ịỉĩìí ọỏõòóôốồộổỗơớờợởỡ ụủũùúưứừựửữ ỵỷỹỳý", None),
        ("Khối Thi đua số 5", "khoi-thi-dua-so-5"),
        ("!!!", ""),
    ],
)
def test_vietnamese_letters_become_their_base_letters(text, slug):
    result = vn_slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|", result)
    if slug is None:  # every vowel with every mark keeps its base letter
        assert result == "aaaaaaaaaaaaaaaaa-eeeeeeeeeee-iiiii-ooooooooooooooooo-uuuuuuuuuuu-yyyyy"
    else:
        assert result == slug


def test_decomposed_input_gives_the_same_code():
    assert vn_slugify(unicodedata.normalize("NFD", "Tỉnh Đắk Nông")) == "tinh-dak-nong"


def test_cut_to_the_field_length_without_a_trailing_hyphen():
    assert vn_slugify("Tỉnh Bà Rịa Vũng Tàu", max_length=12) == "tinh-ba-ria"
    assert len(vn_slugify("Ủy ban nhân dân " * 10, max_length=40)) <= 40


def test_no_other_slug_maker_in_the_product():
    """Every code is made through vn_slugify: Django's slugify alone drops đ ("k-lk")."""
    offenders = []
    for app in ["blocs", "core", "documents", "meetings", "pledges", "rules", "scoring", "awards"]:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if path.name == "text.py" and app == "core":
                continue
            source = path.read_text(encoding="utf-8")
            if "prepopulated_fields" in source or re.search(r"(?<!vn_)slugify\(", source):
                offenders.append(str(path))
    assert offenders == []


# --- the province code in the admin --------------------------------------------------------


def _province_post(**overrides) -> dict:
    data = {
        "name": "Tỉnh Thử Nghiệm",
        "code": "",
        "board_name": "Ban Thi đua - Khen thưởng tỉnh Thử Nghiệm",
        "authority_name": "UBND tỉnh Thử Nghiệm",
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.users["admin"])
    return client


def test_a_province_code_left_empty_is_made_from_the_name(admin_client_):
    page = admin_client_.get(reverse("admin:blocs_province_add"))
    # The admin's own script (URLify) would fill in "tnh-th-nghim" as the name is typed.
    assert 'data-prepopulated-fields="[]"' in page.content.decode()
    response = admin_client_.post(reverse("admin:blocs_province_add"), _province_post())
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Province.objects.get(name="Tỉnh Thử Nghiệm").code == "tinh-thu-nghiem"


def test_a_typed_code_is_transliterated_too(admin_client_):
    response = admin_client_.post(
        reverse("admin:blocs_province_add"), _province_post(name="Đắk Nông", code="Đắk Nông")
    )
    assert response.status_code == 302
    assert Province.objects.get(name="Đắk Nông").code == "dak-nong"


def test_a_code_already_taken_is_refused_next_to_the_field(world, admin_client_):
    response = admin_client_.post(
        reverse("admin:blocs_province_add"), _province_post(name="Đắk Lắk mới", code="")
    )
    assert response.status_code == 302  # "dak-lak-moi" is free
    response = admin_client_.post(
        reverse("admin:blocs_province_add"), _province_post(name="Tỉnh khác", code="Đắk Lắk")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["code"] and "đã tồn tại" in errors["code"][0]
    assert not Province.objects.filter(name="Tỉnh khác").exists()


def test_a_code_of_no_letters_is_refused_in_vietnamese(admin_client_):
    response = admin_client_.post(
        reverse("admin:blocs_province_add"), _province_post(name="Tỉnh X", code="!!!")
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == [
        "Hãy ghi mã gồm chữ không dấu, chữ số và dấu gạch ngang."
    ]
