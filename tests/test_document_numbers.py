"""Official documents carry an issue date, a number and a named signer (issue 12): the
request form, the numbering register per bloc-year and type, the units' leaders per year,
and what the PDF then says (read back with pdftotext)."""

import datetime as dt
import re
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from blocs import services as bloc_services
from blocs.models import Membership, RoleAssignment
from core.models import AuditEvent
from documents import services
from documents.models import DocumentJob
from meetings.models import Meeting

from .conftest import make_user, needs_pdftotext


def pdf_text(path, *, first_page_only: bool = False) -> str:
    args = ["pdftotext", "-layout"] + (["-l", "1"] if first_page_only else [])
    return subprocess.run(
        [*args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def kinh_te_nganh(db):
    """The bloc of seeds/001 in 2019: Sở Giao thông Vận tải heads it, led by Đặng Trọng
    Thắng; Sở Công Thương is the deputy, led by Đinh Văn An; one member without a leader."""
    province = bloc_services.province_create(
        name="Tỉnh Thử Nghiệm",
        code="tinh-thu-nghiem",
        board_name="Ban Thi đua, Khen thưởng (Sở Nội vụ)",
        authority_name="UBND tỉnh Thử Nghiệm",
    )
    bloc = bloc_services.bloc_create(province=province, name="Khối thi đua Kinh tế ngành")
    head = bloc_services.unit_create(province=province, name="Sở Giao thông Vận tải")
    deputy = bloc_services.unit_create(province=province, name="Sở Công Thương")
    member = bloc_services.unit_create(province=province, name="Sở Xây dựng")
    bloc_year = bloc_services.bloc_year_create(
        bloc=bloc, year=2019, members=[head, deputy, member], head=head, deputy=deputy
    )
    bloc_services.bloc_year_leaders_set(
        bloc_year=bloc_year,
        leaders={
            head.pk: ("Đặng Trọng Thắng", "Giám đốc Sở Giao thông Vận tải"),
            deputy.pk: ("Đinh Văn An", "Giám đốc Sở Công Thương"),
        },
    )
    secretary = make_user("thuky.ktn")
    bloc_services.role_assign(
        user=secretary, role=RoleAssignment.Role.SECRETARIAT, bloc_year=bloc_year
    )
    return {
        "bloc_year": bloc_year,
        "head": head,
        "deputy": deputy,
        "member": member,
        "secretary": secretary,
    }


def _request(client, bloc_year, kind="roster", **data):
    return client.post(reverse("documents:request", args=[bloc_year.pk, kind]), data)


def _signature_lines(text: str) -> list[str]:
    """The right-hand column after "Nơi nhận:" (the signature block), line by line."""
    tail = text[text.index("Nơi nhận:") :]
    lines = []
    for line in tail.splitlines():
        # -layout puts "Nơi nhận" on the left and the signature on the right of a line.
        parts = re.split(r"\s{3,}", line.strip())
        if line.startswith(" " * 20):
            right = line.strip()
        elif len(parts) > 1:
            right = parts[-1]
        else:
            right = ""
        if right:
            lines.append(right)
    return lines


# --- the roster as the issue asks for it ---------------------------------------------------


@needs_pdftotext
def test_roster_dated_numbered_and_signed_by_the_head_units_leader(
    client, kinh_te_nganh, django_capture_on_commit_callbacks
):
    by = kinh_te_nganh["bloc_year"]
    client.force_login(kinh_te_nganh["secretary"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _request(client, by, issued_on="11/12/2019", number="12", signer="head")
    job = DocumentJob.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (job.issued_on, job.number, job.number_code) == (dt.date(2019, 12, 11), 12, "DS-KTĐ")
    assert job.status == DocumentJob.Status.DONE

    text = pdf_text(job.file.path, first_page_only=True)
    assert "Tỉnh Thử Nghiệm, ngày 11 tháng 12 năm 2019" in text
    assert "Số: 12/DS-KTĐ" in text
    signature = _signature_lines(text)
    # TM. line, capacity, the signer's title, then the name: in that order.
    expected = [
        "TM. KHỐI THI ĐUA KINH TẾ NGÀNH",
        "TRƯỞNG KHỐI",
        "GIÁM ĐỐC SỞ GIAO THÔNG VẬN TẢI",
        "Đặng Trọng Thắng",
    ]
    assert [line for line in signature if line in expected] == expected, signature
    # The unit is not where the name belongs.
    assert "Sở Giao thông Vận tải" not in signature
    # The render date is not the document's date (nothing else on the page says 2026).
    assert f"năm {timezone.localdate().year}" not in text


@needs_pdftotext
def test_deputy_signs_in_the_heads_stead(kinh_te_nganh, django_capture_on_commit_callbacks):
    by = kinh_te_nganh["bloc_year"]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_job_request(
            kind="roster",
            bloc_year=by,
            user=kinh_te_nganh["secretary"],
            issued_on=dt.date(2019, 12, 11),
            signer_role="deputy",
        )
    job.refresh_from_db()
    signature = _signature_lines(pdf_text(job.file.path))
    expected = [
        "TM. KHỐI THI ĐUA KINH TẾ NGÀNH",
        "KT. TRƯỞNG KHỐI",
        "PHÓ TRƯỞNG KHỐI",
        "GIÁM ĐỐC SỞ CÔNG THƯƠNG",
        "Đinh Văn An",
    ]
    assert [line for line in signature if line in expected] == expected, signature


@needs_pdftotext
def test_head_without_a_recorded_leader_leaves_the_name_line_empty(
    world, django_capture_on_commit_callbacks
):
    """The world's head unit has no leader recorded: the block keeps its capacity lines and
    an empty name line to sign by hand, never the unit's name."""
    with django_capture_on_commit_callbacks(execute=True):
        job = services.document_job_request(
            kind="roster", bloc_year=world.bloc_year, user=world.users["secretariat_here"]
        )
    job.refresh_from_db()
    assert job.signer_role == "head" and job.signer_name == "" and job.signer_title == ""
    text = pdf_text(job.file.path)
    signature = _signature_lines(text)
    assert "TRƯỞNG KHỐI" in signature
    assert not any("Ban Quản lý Khu kinh tế" in line for line in signature), signature
    assert "Số: 01/DS-KTĐ" in text


# --- numbering -------------------------------------------------------------------------------


def test_auto_numbers_increment_per_bloc_year_and_type(world, kinh_te_nganh):
    user = world.users["admin"]

    def request(kind, bloc_year, number=None):
        return services.document_job_request(
            kind=kind, bloc_year=bloc_year, user=user, number=number
        ).number_display

    by = world.bloc_year
    assert [request("roster", by) for _ in range(3)] == ["01/DS-KTĐ", "02/DS-KTĐ", "03/DS-KTĐ"]
    # Another type has its own register; so has another bloc-year.
    assert request("scoreboard", by) == "01/BC-KTĐ"
    assert request("roster", kinh_te_nganh["bloc_year"]) == "01/DS-KTĐ"
    # An entered number; the next automatic one follows the highest.
    assert request("roster", by, number=12) == "12/DS-KTĐ"
    assert request("roster", by) == "13/DS-KTĐ"
    # A free lower number may still be entered by hand.
    assert request("roster", by, number=7) == "07/DS-KTĐ"


def test_duplicate_number_refused_in_vietnamese_next_to_the_field(client, world):
    client.force_login(world.users["secretariat_here"])
    assert _request(client, world.bloc_year, number="12").status_code == 302
    events = AuditEvent.objects.count()
    response = _request(client, world.bloc_year, issued_on="11/12/2019", number="12")
    body = response.content.decode()
    assert response.status_code == 400
    first = DocumentJob.objects.get()
    assert f"Số 12/DS-KTĐ đã được dùng cho văn bản #{first.pk} của khối năm 2020" in body
    # Next to the number field, and the form keeps what was typed.
    field = body[body.index('id="id_roster_number"') - 400 :]
    assert "is-invalid" in field[:800]
    assert 'value="11/12/2019"' in body
    assert DocumentJob.objects.count() == 1
    assert AuditEvent.objects.count() == events
    # "12/DS-KTĐ" typed in full is the same number.
    assert _request(client, world.bloc_year, number="12/DS-KTĐ").status_code == 400
    assert DocumentJob.objects.count() == 1


def test_the_database_keeps_numbers_unique(world):
    DocumentJob.objects.create(
        kind="roster", bloc_year=world.bloc_year, number=5, number_code="DS-KTĐ"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentJob.objects.create(
            kind="roster", bloc_year=world.bloc_year, number=5, number_code="DS-KTĐ"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentJob.objects.create(
            kind="roster", bloc_year=world.bloc_year, number=0, number_code="DS-KTĐ"
        )
    # Unnumbered jobs (the pledge) do not collide.
    for _ in range(2):
        DocumentJob.objects.create(kind="pledge", bloc_year=world.bloc_year, number_code="GƯ-KTĐ")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"issued_on": "31/02/2019"},
            "issued_on",
            "Ngày không hợp lệ: nhập theo thứ tự ngày/tháng/năm",
        ),
        ({"issued_on": "12/31/2019"}, "issued_on", "Ngày không hợp lệ"),
        ({"issued_on": "2019-12-11"}, "issued_on", "Ngày không hợp lệ"),
        ({"issued_on": "11/12/2017"}, "issued_on", "không được trước ngày 01/01/2019"),
        ({"issued_on": "11/12/2999"}, "issued_on", "không được sau ngày"),
        ({"number": "abc"}, "number", "Số văn bản là một số nguyên dương"),
        ({"number": "-3"}, "number", "Số văn bản là một số nguyên dương"),
        ({"number": "0"}, "number", "từ 1 đến 99999"),
        ({"number": "123456"}, "number", "từ 1 đến 99999"),
        ({"number": "12/QĐ-KTĐ"}, "number", "Ký hiệu của văn bản này là /DS-KTĐ"),
        ({"number": "1" * 5000}, "number", "tối đa 40 kí tự"),
        ({"signer": "chairman"}, "signer", "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_request_input_is_refused_next_to_its_field(client, world, data, field, message):
    client.force_login(world.users["secretariat_here"])
    response = _request(client, world.bloc_year, **data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body, body[body.find("invalid-feedback") - 200 :][:1500]
    assert f'id="id_roster_{field}"' in body
    assert not DocumentJob.objects.exists()


def test_day_first_date_is_read_day_first(client, world):
    client.force_login(world.users["secretariat_here"])
    assert _request(client, world.bloc_year, issued_on="11/12/2019").status_code == 302
    assert DocumentJob.objects.get().issued_on == dt.date(2019, 12, 11)


def test_signer_of_a_role_the_year_lacks_is_refused(world):
    bloc_services.bloc_year_set_leadership(
        bloc_year=world.other_bloc_year, head=world.non_member, deputy=None
    )
    with pytest.raises(ValidationError) as caught:
        services.document_job_request(
            kind="roster",
            bloc_year=world.other_bloc_year,
            user=world.users["admin"],
            signer_role="deputy",
        )
    assert "chưa có đơn vị Phó khối" in str(caught.value)
    assert not DocumentJob.objects.exists()


# --- defaults --------------------------------------------------------------------------------


def test_default_date_of_a_past_year_is_its_year_end_meeting(world):
    """2020 is past: without a meeting, today; with its year-end meeting recorded, the
    meeting's day."""
    user = world.users["admin"]
    job = services.document_job_request(kind="roster", bloc_year=world.bloc_year, user=user)
    assert job.issued_on == timezone.localdate()
    Meeting.objects.create(
        bloc_year=world.bloc_year, kind=Meeting.Kind.YEAR_END, held_on=dt.date(2021, 1, 13)
    )
    job = services.document_job_request(kind="scoreboard", bloc_year=world.bloc_year, user=user)
    assert job.issued_on == dt.date(2021, 1, 13)


def test_request_form_shows_the_default_date_and_signers(client, kinh_te_nganh):
    by = kinh_te_nganh["bloc_year"]
    Meeting.objects.create(bloc_year=by, kind=Meeting.Kind.YEAR_END, held_on=dt.date(2019, 12, 11))
    client.force_login(kinh_te_nganh["secretary"])
    body = client.get(reverse("blocs:bloc_year_detail", args=[by.pk])).content.decode()
    form = body[body.index('id="request-roster-form"') :]
    form = form[: form.index("</form>")]
    assert 'value="11/12/2019"' in form
    assert "Trưởng khối: Sở Giao thông Vận tải – Đặng Trọng Thắng" in form
    assert "Sở Công Thương – Đinh Văn An" in form
    assert 'id="request-roster"' in form


def test_signer_is_kept_when_the_leader_changes_later(kinh_te_nganh):
    by, head = kinh_te_nganh["bloc_year"], kinh_te_nganh["head"]
    job = services.document_job_request(kind="roster", bloc_year=by, user=None)
    bloc_services.bloc_year_leaders_set(
        bloc_year=by, leaders={head.pk: ("Người Khác", "Phó Giám đốc phụ trách")}
    )
    job.refresh_from_db()
    assert (job.signer_name, job.signer_title) == (
        "Đặng Trọng Thắng",
        "Giám đốc Sở Giao thông Vận tải",
    )


# --- the leaders of the units, per year --------------------------------------------------------


def _leaders_url(by):
    return reverse("blocs:bloc_year_leaders", args=[by.pk])


def test_leaders_page_records_and_the_bloc_year_page_shows_them(client, world):
    client.force_login(world.users["secretariat_here"])
    url = _leaders_url(world.bloc_year)
    assert client.get(url).status_code == 200
    data = {
        f"u{world.head.pk}-leader_name": "  Trần   Văn Hùng ",
        f"u{world.head.pk}-leader_title": "Trưởng ban Ban Quản lý Khu kinh tế",
        f"u{world.deputy.pk}-leader_name": "",
        f"u{world.deputy.pk}-leader_title": "",
        f"u{world.member.pk}-leader_name": "",
        f"u{world.member.pk}-leader_title": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    membership = Membership.objects.get(bloc_year=world.bloc_year, unit=world.head)
    assert membership.leader_name == "Trần Văn Hùng"
    event = AuditEvent.objects.get(action="bloc_year_leaders_set")
    assert event.actor == world.users["secretariat_here"]
    body = client.get(reverse("blocs:bloc_year_detail", args=[world.bloc_year.pk])).content.decode()
    assert "Trần Văn Hùng" in body and "Trưởng ban Ban Quản lý Khu kinh tế" in body
    assert "chưa ghi nhận" in body  # the deputy and the member
    # Another year of the same units is untouched: leaders are kept per year.
    assert not Membership.objects.exclude(bloc_year=world.bloc_year).exclude(leader_name="")


@pytest.mark.parametrize(
    ("name", "title", "field", "message"),
    [
        ("", "Giám đốc Sở Giao thông vận tải", "leader_name", "Nhập họ và tên thủ trưởng"),
        ("Nguyễn Văn A", "", "leader_title", "Nhập chức vụ như ghi ở khối chữ ký"),
        ("N" * 101, "Giám đốc", "leader_name", "Tối đa 100 ký tự (đang có 101)"),
        ("Nguyễn Văn A", "G" * 201, "leader_title", "Tối đa 200 ký tự (đang có 201)"),
        ("Nguyễn\x07Văn A", "Giám đốc", "leader_name", "ký tự điều khiển"),
        ("12345", "Giám đốc", "leader_name", "phải có chữ cái"),
    ],
)
def test_bad_leader_input_is_refused_and_nothing_saved(client, world, name, title, field, message):
    client.force_login(world.users["secretariat_here"])
    data = {
        # A valid row beside the bad one: it is not saved either.
        f"u{world.deputy.pk}-leader_name": "Lê Văn Bình",
        f"u{world.deputy.pk}-leader_title": "Giám đốc Sở Giao thông vận tải",
        f"u{world.head.pk}-leader_name": name,
        f"u{world.head.pk}-leader_title": title,
    }
    response = client.post(_leaders_url(world.bloc_year), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    error_id = f'id="id_u{world.head.pk}-{field}-errors"'
    assert error_id in body
    assert not Membership.objects.exclude(leader_name="").exists()
    assert not AuditEvent.objects.filter(action="bloc_year_leaders_set").exists()


def test_leaders_service_refuses_a_unit_outside_the_bloc_year(world):
    with pytest.raises(ValidationError):
        bloc_services.bloc_year_leaders_set(
            bloc_year=world.bloc_year,
            leaders={
                world.head.pk: ("Trần Văn Hùng", "Trưởng ban"),
                world.non_member.pk: ("Ai Đó", "Giám đốc"),
            },
        )
    assert not Membership.objects.exclude(leader_name="").exists()


def test_leaders_page_only_for_that_bloc_years_secretariat(client, world):
    url = _leaders_url(world.bloc_year)
    for role, status in [
        ("secretariat_other", 403),
        ("leader_member", 403),
        ("secretariat_here", 200),
    ]:
        client.force_login(world.users[role])
        assert client.get(url).status_code == status, role
    client.force_login(world.users["secretariat_other"])
    response = client.post(
        url,
        {f"u{world.head.pk}-leader_name": "Kẻ Lạ", f"u{world.head.pk}-leader_title": "Giám đốc"},
    )
    assert response.status_code == 403
    assert not Membership.objects.exclude(leader_name="").exists()
