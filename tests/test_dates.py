"""Dates read and show day first (dd/mm/yyyy), in the product and in the admin
(config/formats); an impossible date is refused in Vietnamese, next to the field."""

import datetime as dt
import html
import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from blocs.models import Unit
from blocs.services import unit_create
from meetings.models import Meeting
from pledges.forms import OpenForm

IMPOSSIBLE = ["31/02/2020", "2019-13-01", "12/31/2019", "00/12/2019", "11/12/19", "ngày mai"]


@pytest.fixture
def admin_client_(world) -> Client:
    client = Client()
    client.force_login(world.users["admin"])
    return client


def _field_errors(page: str, name: str) -> str:
    """The text of the admin's error list in the row of field `name`."""
    row = re.search(
        rf'<div class="form-row[^"]*field-{name}[^"]*">(.*?)</div>\s*</div>', page, re.S
    )
    assert row, f"no row for {name}"
    errors = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', row.group(1), re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", errors.group(1))) if errors else ""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_same_typed_date_means_the_same_day_in_both_languages(language):
    with translation.override(language):
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
        assert forms.DateField().clean("11/12/2019") == dt.date(2019, 12, 11)
        assert forms.DateField().clean("2019-12-11") == dt.date(2019, 12, 11)  # ISO still read
        assert forms.DateTimeField().clean("11/12/2019 14:30").timetuple()[:5] == (
            2019,
            12,
            11,
            14,
            30,
        )
        assert formats.date_format(dt.date(2019, 12, 11), "SHORT_DATE_FORMAT") == "11/12/2019"
        assert formats.localize(dt.date(2019, 12, 11)) == "11/12/2019"


@pytest.mark.parametrize("value", IMPOSSIBLE)
def test_an_impossible_or_ambiguous_date_is_refused(value):
    with translation.override("vi"), pytest.raises(forms.ValidationError) as exc:
        forms.DateField().clean(value)
    assert exc.value.messages == ["Nhập một ngày hợp lệ."]


# --- the admin -------------------------------------------------------------------------------


def _meeting_post(world, held_on: str) -> dict:
    return {
        "bloc_year": world.bloc_year.pk,
        "kind": Meeting.Kind.YEAR_END,
        "held_on": held_on,
        "host_unit": world.head.pk,
        "place": "Hội trường tỉnh",
        "summary": "",
        "source": "",
        # The meeting's inlines (people, agenda, attendance), sent empty.
        **{
            f"{prefix}-{key}": value
            for prefix in ("people", "agenda_items", "attendances")
            for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }


def test_a_meeting_date_typed_day_first_in_the_admin_is_stored_and_shown_day_first(
    world, admin_client_
):
    response = admin_client_.post(
        # The world's bloc-year is 2020: its year-end meeting falls in its year.
        reverse("admin:meetings_meeting_add"),
        _meeting_post(world, "11/12/2020"),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    meeting = Meeting.objects.get()
    assert meeting.held_on == dt.date(2020, 12, 11)  # 11 December, not 12 November

    page = admin_client_.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert 'name="held_on" value="11/12/2020"' in page.content.decode()
    listing = admin_client_.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert "11/12/2020" in listing and "2020-12-11" not in listing


@pytest.mark.parametrize("value", ["31/02/2020", "2019-13-01", "12/31/2019"])
def test_an_impossible_meeting_date_is_refused_in_the_admin(world, admin_client_, value):
    response = admin_client_.post(
        reverse("admin:meetings_meeting_add"), _meeting_post(world, value)
    )
    assert response.status_code == 200
    assert "Nhập một ngày hợp lệ." in _field_errors(response.content.decode(), "held_on")
    assert not Meeting.objects.exists()


def test_the_admin_calendar_and_today_shortcut_write_day_first(admin_client_):
    """DateTimeShortcuts.js and calendar.js write get_format('DATE_INPUT_FORMATS')[0]."""
    script = admin_client_.get(reverse("admin:jsi18n")).content.decode()
    formats_json = re.search(r'"DATE_INPUT_FORMATS": \[\s*"([^"]+)"', script)
    assert formats_json and formats_json.group(1) == "%d/%m/%Y"
    datetime_json = re.search(r'"DATETIME_INPUT_FORMATS": \[\s*"([^"]+)"', script)
    assert datetime_json and datetime_json.group(1) == "%d/%m/%Y %H:%M:%S"


def test_a_succession_date_in_the_admin_is_read_day_first(world, admin_client_):
    new = unit_create(province=world.province, name="Sở Xây dựng mới")
    response = admin_client_.post(
        reverse("admin:blocs_unit_change", args=[world.non_member.pk]),
        {
            "province": world.province.pk,
            "name": world.non_member.name,
            "short_name": "",
            "successor": new.pk,
            "succeeded_on": "01/03/2025",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    world.non_member.refresh_from_db()
    assert world.non_member.succeeded_on == dt.date(2025, 3, 1)


# --- the product ---------------------------------------------------------------------------


def test_the_pledge_deadline_is_a_day_first_text_box():
    with translation.override("vi"):
        form = OpenForm(data={"deadline": "11/12/2099"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["deadline"] == dt.date(2099, 12, 11)
        shown = str(OpenForm(initial={"deadline": dt.date(2099, 12, 11)})["deadline"])
    # Not type="date": that shows the browser's locale order (mm/dd/yyyy in English).
    assert 'type="text"' in shown and 'value="11/12/2099"' in shown
    assert 'placeholder="dd/mm/yyyy"' in shown


@pytest.mark.parametrize("value", ["31/02/2099", "2099-13-01"])
def test_an_impossible_pledge_deadline_is_refused_in_vietnamese(value):
    with translation.override("vi"):
        form = OpenForm(data={"deadline": value})
        assert not form.is_valid()
    assert form.errors["deadline"] == [
        "Ngày không hợp lệ; hãy nhập theo dạng ngày/tháng/năm, ví dụ 31/01/2026."
    ]


def test_a_merge_date_typed_day_first_in_the_product_is_stored_and_shown_day_first(world):
    client = Client()
    client.force_login(world.users["board_here"])
    url = reverse("blocs:unit_succession", args=[world.province.pk])
    form_page = client.get(url).content.decode()
    assert 'name="on"' in form_page and 'type="date"' not in form_page
    response = client.post(
        url, {"units": [world.non_member.pk], "new_name": "Sở Văn hóa mới", "on": "11/12/2019"}
    )
    assert response.status_code == 302
    world.non_member.refresh_from_db()
    assert world.non_member.succeeded_on == dt.date(2019, 12, 11)
    page = client.get(reverse("blocs:province_units", args=[world.province.pk])).content.decode()
    assert "11/12/2019" in page


@pytest.mark.parametrize("value", ["31/02/2020", "2019-13-01"])
def test_an_impossible_merge_date_is_refused_next_to_the_field(world, value):
    client = Client()
    client.force_login(world.users["board_here"])
    response = client.post(
        reverse("blocs:unit_succession", args=[world.province.pk]),
        {"units": [world.non_member.pk], "new_name": "Sở Văn hóa mới", "on": value},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["on"] == ["Ngày không hợp lệ."] and list(errors) == ["on"]
    assert not Unit.objects.filter(name="Sở Văn hóa mới").exists()
    world.non_member.refresh_from_db()
    assert world.non_member.successor is None
