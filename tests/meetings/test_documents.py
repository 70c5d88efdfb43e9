"""The meeting documents through the document pipeline (meetings/documents.py): the tally
record of a ballot, the printable paper ballots and the minutes (sealed, or a draft marked
DỰ THẢO), read back with pdftotext, pdfinfo and pdffonts; and the requests refused when
the object is another bloc-year's, in the wrong state or not the user's to issue."""

import datetime as dt
import math
import os
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services as document_services
from documents.models import DocumentJob
from meetings import documents as meeting_documents
from meetings.models import Ballot, Minutes
from meetings.services import ballots as ballot_services
from meetings.services import meetings as meeting_services
from meetings.services import minutes as minutes_services

from ..conftest import PASSWORD, log_in, make_user, needs_pdftotext
from .conftest import ballot_cast, ballot_election, ballot_nomination, ballot_year_build

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    return subprocess.run(list(args), check=True, capture_output=True, text=True).stdout


def pdf_text(job) -> str:
    return unicodedata.normalize("NFC", _run("pdftotext", "-layout", job.file.path, "-"))


def pdf_info(job) -> dict[str, str]:
    out = _run("pdfinfo", job.file.path)
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def request(kind, by, user, django_capture_on_commit_callbacks, **params) -> DocumentJob:
    with django_capture_on_commit_callbacks(execute=True):
        job = document_services.document_job_request(
            kind=kind, bloc_year=by.bloc_year, user=user, params=params
        )
    job.refresh_from_db()
    assert job.status == DocumentJob.Status.DONE, job.error
    if keep := os.environ.get("KEEP_PDF_DIR"):  # to look at them (pdftoppm)
        shutil.copy(job.file.path, os.path.join(keep, f"{kind}-{job.pk}.pdf"))
    return job


COMMITTEE = [
    {"name": "Phạm Thị Hồng Nhung", "title": "Phó Giám đốc", "note": "Tổ trưởng"},
    {"name": "Lê Văn Đức", "title": "Chánh Văn phòng", "note": "Thành viên"},
    {"name": "Hoàng Thị Ngọc Ánh", "title": "Trưởng phòng Tổng hợp", "note": "Thành viên"},
]


@pytest.fixture
def by(world):
    by = ballot_year_build(world)
    meeting_services.meeting_people_set(
        meeting=by.meeting, role="counting", people=COMMITTEE, actor=by.secretariat
    )
    return by


def _closed_nomination(by) -> Ballot:
    """Two to choose among three: 8 of the 9 members say yes to the first candidate (88,9%
    of the members), 5 to the second, 2 to the third (2 no, 5 blank)."""
    ballot = ballot_nomination(by, max_winners=2)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    a, b, c = by.units[:3]
    for i, unit in enumerate(by.units):
        answers = {
            a.pk: "yes" if i < 8 else "no",
            b.pk: "yes" if i < 5 else "no",
            c.pk: "yes" if i in (5, 6) else "no" if i > 6 else "blank",
        }
        ballot_cast(by, ballot, unit, answers)
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    ballot.refresh_from_db()
    return ballot


@pytest.fixture
def closed(by) -> Ballot:
    return _closed_nomination(by)


@pytest.fixture
def small(world):
    """A bloc-year of 3 members at its year-end meeting, for the refusals."""
    return ballot_year_build(world, n_units=3)


@pytest.fixture
def small_closed(small) -> Ballot:
    ballot = ballot_nomination(small)
    ballot_services.ballot_open(ballot=ballot, actor=small.secretariat)
    for unit in small.units:
        ballot_cast(small, ballot, unit, {small.units[0].pk: "yes"})
    ballot_services.ballot_close(ballot=ballot, actor=small.secretariat)
    ballot.refresh_from_db()
    return ballot


# --- the tally record -------------------------------------------------------------------------


@needs_pdftotext
def test_tally_record_reads_right(by, closed, django_capture_on_commit_callbacks):
    job = request(
        "ballot_tally", by, by.secretariat, django_capture_on_commit_callbacks, ballot_id=closed.pk
    )
    text = pdf_text(job)
    flat = squash(text)
    assert "BIÊN BẢN KIỂM PHIẾU" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 01/BB-KTĐ" in text
    # Dated by its meeting (20/12/2020); the ballot closed today, in the app.
    closed_at = timezone.localtime(closed.closed_at)
    assert "Quảng Bình, ngày 20 tháng 12 năm 2020" in text
    assert "Ngày 20/12/2020, tại Hội trường Sở Giao thông Vận tải, Hội nghị tổng kết năm" in flat
    for person in COMMITTEE:
        assert person["name"] in text
    assert "Phạm Thị Hồng Nhung, Phó Giám đốc: Tổ trưởng" in flat
    assert "Số đơn vị thành viên của khối: 9 đơn vị" in flat
    assert "Số đơn vị có mặt: 9 đơn vị; số đơn vị có quyền bỏ phiếu: 9 đơn vị" in flat
    assert "Số phiếu phát ra: 9 phiếu" in flat
    assert "Số phiếu thu vào: 9 phiếu" in flat
    assert "Số phiếu hợp lệ: 9 phiếu" in flat
    assert "Số phiếu không hợp lệ: 0 phiếu" in flat
    rows = {
        line.split()[0]: squash(line)
        for line in text.splitlines()
        if re.match(r"\s*[123]\s+Sở ", line)
    }
    assert len(rows) == 3, text
    assert "Sở Giao thông Vận tải 8 1 0 88,9% Được đề nghị" in rows["1"]
    assert "Sở Công Thương 5 4 0 55,6% Được đề nghị" in rows["2"]
    assert "Sở Tư pháp 2 2 5 22,2% Không đạt" in rows["3"]
    assert "Sở Giao thông Vận tải: 8 phiếu đồng ý, đạt 88,9%" in flat
    assert "Trường hợp bằng phiếu: không có." in flat
    assert (
        f"Thời điểm kết thúc bỏ phiếu (ghi nhận trên hệ thống): {closed_at:%H} giờ "
        f"{closed_at:%M} phút, ngày {closed_at:%d/%m/%Y}"
    ) in flat
    assert "TỔ TRƯỞNG TỔ KIỂM PHIẾU" in text
    assert "THÀNH VIÊN TỔ KIỂM PHIẾU" in text
    assert "Nơi nhận:" in text
    assert "minh họa" not in text
    # No mojibake (UTF-8 read as Latin-1 gives "áº", "Ã¡"), no missing glyph.
    for bad in ("\ufffd", "áº", "Ã¡", "Æ°"):
        assert bad not in text
    # Diacritics intact: precomposed letters as typed, not base letters with loose marks.
    raw = _run("pdftotext", "-layout", job.file.path, "-")
    assert raw == unicodedata.normalize("NFC", raw)
    assert "Hoàng Thị Ngọc Ánh" in raw
    info = pdf_info(job)
    assert info["Page size"].startswith("595.") and "(A4)" in info["Page size"]
    fonts = _run("pdffonts", job.file.path)
    serif = [line for line in fonts.splitlines() if re.match(r"\w+\+Liberation-?Serif", line)]
    assert serif, fonts
    # Every font embedded (the "emb" column, fifth from the right).
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:]), fonts


@needs_pdftotext
def test_tally_record_of_an_illustrative_election_with_a_tie(
    world, django_capture_on_commit_callbacks
):
    by = ballot_year_build(world, n_units=5)
    ballot = ballot_election(
        by, heads=[by.units[2], by.units[3]], deputies=[by.units[4], by.units[1]]
    )
    ballot_services.ballot_update(ballot=ballot, actor=by.secretariat, illustrative=True)
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    u = by.units
    for i, unit in enumerate(u):
        head_vote = {u[2].pk: "yes", u[3].pk: "no"} if i < 3 else {u[2].pk: "no", u[3].pk: "yes"}
        deputy = {(u[4].pk, "deputy"): "yes", (u[1].pk, "deputy"): "no"}
        ballot_cast(by, ballot, unit, {**{(k, "head"): v for k, v in head_vote.items()}, **deputy})
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    job = request(
        "ballot_tally", by, by.secretariat, django_capture_on_commit_callbacks, ballot_id=ballot.pk
    )
    flat = squash(pdf_text(job))
    assert "Số liệu minh họa" in flat
    assert "bầu Trưởng khối, Phó khối năm 2021" in flat
    assert "Sở Tư pháp trúng cử Trưởng khối năm 2021 với 3 phiếu đồng ý" in flat
    assert "Sở Tài nguyên và Môi trường trúng cử Phó khối năm 2021" in flat
    # No committee recorded: dotted lines to fill in by hand.
    assert re.search(r"1\. Tổ trưởng; 2\. Thành viên; 3\. Thành viên\.", flat), flat


@needs_pdftotext
def test_tally_record_names_how_a_tie_was_resolved(by, django_capture_on_commit_callbacks):
    """One to choose, passing at 1/3 of the members: two candidates at 4 votes each."""
    ballot = ballot_nomination(by, candidates=by.units[:3], max_winners=1)
    ballot_services.ballot_update(
        ballot=ballot, actor=by.secretariat, threshold_numerator=1, threshold_denominator=3
    )
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    a, b, c = by.units[:3]
    for i, unit in enumerate(by.units):
        choice = a if i < 4 else b if i < 8 else c
        ballot_cast(by, ballot, unit, {choice.pk: "yes"})
    ballot_services.ballot_close(ballot=ballot, actor=by.secretariat)
    ballot.refresh_from_db()
    assert ballot.tie_note
    job = request(
        "ballot_tally", by, by.secretariat, django_capture_on_commit_callbacks, ballot_id=ballot.pk
    )
    flat = squash(pdf_text(job))
    assert "Trường hợp bằng phiếu: " + squash(ballot.tie_note)[:60] in flat


# --- refusals ---------------------------------------------------------------------------------


def _post(client, by, kind, **data):
    return client.post(
        reverse("documents:request", args=[by.bloc_year.pk, kind]), data, follow=False
    )


def test_tally_of_an_open_ballot_is_refused_with_the_reason(small, client):
    ballot = ballot_nomination(small)
    ballot_services.ballot_open(ballot=ballot, actor=small.secretariat)
    client.force_login(small.secretariat)
    response = _post(client, small, "ballot_tally", subject=ballot.pk)
    assert response.status_code == 400
    assert "Chỉ lập biên bản kiểm phiếu khi cuộc bỏ phiếu đã kết thúc" in response.content.decode()
    # The form carries the ballot again, to post it once more.
    assert f'name="subject" value="{ballot.pk}"' in response.content.decode()
    assert not DocumentJob.objects.exists()


def test_tally_of_another_bloc_years_ballot_is_refused(world, small_closed, client):
    """The world's own bloc-year's secretariat asks, on its bloc-year's URL, for the tally
    of a ballot of another bloc-year: not found there, nothing created."""
    client.force_login(world.users["secretariat_here"])
    response = client.post(
        reverse("documents:request", args=[world.bloc_year.pk, "ballot_tally"]),
        {"subject": small_closed.pk},
    )
    assert response.status_code == 404
    assert not DocumentJob.objects.exists()


@pytest.mark.parametrize("subject", ["", "abc", "-1", "0", "1" * 30, "٣"])
def test_tally_with_a_bad_subject_is_refused(small, small_closed, client, subject):
    client.force_login(small.secretariat)
    response = _post(client, small, "ballot_tally", subject=subject)
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "cuộc bỏ phiếu" in response.content.decode()
    assert not DocumentJob.objects.exists()


@pytest.mark.parametrize("who", ["board", "leader", "other_secretariat"])
def test_tally_for_a_bloc_year_you_cannot_run_is_forbidden(world, small, small_closed, client, who):
    user = {
        "board": small.board,
        "leader": small.leaders[small.units[0].pk],
        "other_secretariat": world.users["secretariat_here"],
    }[who]
    client.force_login(user)
    response = _post(client, small, "ballot_tally", subject=small_closed.pk)
    assert response.status_code == 403
    assert not DocumentJob.objects.exists()


def test_tally_request_through_the_page_form(small, small_closed, client):
    by, closed = small, small_closed
    log_in(client, username=by.secretariat.username, password=PASSWORD)
    page = client.get(reverse("meetings:ballot_detail", args=[closed.pk]))
    html = page.content.decode()
    assert 'id="request-ballot_tally-form"' in html
    assert f'name="subject" value="{closed.pk}"' in html
    response = _post(client, by, "ballot_tally", subject=closed.pk, issued_on="", number="")
    assert response.status_code == 302
    job = DocumentJob.objects.get()
    assert job.kind == "ballot_tally" and job.params == {"ballot_id": closed.pk}
    assert job.number == 1 and job.number_code == "BB-KTĐ"
    assert job.signer_role == ""
    assert job.issued_on == by.meeting.held_on
    # Readers of the ballot find the record on its page.
    leader = by.leaders[by.units[2].pk]
    client.force_login(leader)
    html = client.get(reverse("meetings:ballot_detail", args=[closed.pk])).content.decode()
    assert reverse("documents:detail", args=[job.pk]) in html
    assert 'id="request-ballot_tally-form"' not in html


def test_tally_number_taken_is_named_next_to_the_field(small, small_closed, client):
    by, closed = small, small_closed
    client.force_login(by.secretariat)
    assert _post(client, by, "ballot_tally", subject=closed.pk, number="7").status_code == 302
    response = _post(client, by, "ballot_tally", subject=closed.pk, number="7")
    assert response.status_code == 400
    assert "Số 07/BB-KTĐ đã được dùng" in response.content.decode()
    assert DocumentJob.objects.count() == 1


def test_a_kind_without_subject_ignores_one(small, client):
    """The bloc-year's documents (the roster) are asked for as before; a posted subject is
    not stored."""
    client.force_login(small.secretariat)
    response = _post(client, small, "roster", subject="12")
    assert response.status_code == 302
    assert DocumentJob.objects.get().params == {}


# --- paper ballots ---------------------------------------------------------------------------


@needs_pdftotext
@pytest.mark.parametrize(("candidates", "copies"), [(3, 9), (3, 10), (8, 5)])
def test_paper_ballots_numbered_several_per_page(
    by, django_capture_on_commit_callbacks, candidates, copies
):
    ballot = ballot_nomination(by, candidates=by.units[:candidates], method="paper")
    job = request(
        "ballot_papers",
        by,
        by.secretariat,
        django_capture_on_commit_callbacks,
        ballot_id=ballot.pk,
        copies=copies,
    )
    assert job.number is None and job.issued_on is None
    text = pdf_text(job)
    numbers = re.findall(r"Phiếu số (\d+)", text)
    assert numbers == [f"{n:02d}" for n in range(1, copies + 1)]
    per_page = meeting_documents.papers_per_page(candidates)
    assert per_page >= 2
    assert int(pdf_info(job)["Pages"]) == math.ceil(copies / per_page)
    flat = squash(text)
    assert flat.count("Bình xét Cờ thi đua của UBND tỉnh năm 2020") >= copies
    assert flat.count("Sở Giao thông Vận tải") >= copies
    assert "Đồng ý" in text and "Không đồng ý" in text
    assert "Hội nghị tổng kết năm 2020" in flat


@needs_pdftotext
def test_paper_ballots_of_an_election_list_both_positions(
    world, django_capture_on_commit_callbacks
):
    by = ballot_year_build(world, n_units=6)
    ballot = ballot_election(by, method="mixed")
    ballot_services.ballot_open(ballot=ballot, actor=by.secretariat)
    job = request(
        "ballot_papers", by, by.secretariat, django_capture_on_commit_callbacks, ballot_id=ballot.pk
    )
    text = pdf_text(job)
    # Default: one per entitled unit.
    assert re.findall(r"Phiếu số (\d+)", text) == ["01", "02", "03", "04", "05", "06"]
    assert "PHIẾU BẦU TRƯỞNG KHỐI, PHÓ KHỐI NĂM 2021" in text
    assert "Trưởng khối" in text and "Phó khối" in text


def test_paper_ballots_refused_for_online_or_closed_ballots(small, small_closed, client):
    client.force_login(small.secretariat)
    response = _post(client, small, "ballot_papers", subject=small_closed.pk)
    assert response.status_code == 400
    assert "chỉ bỏ phiếu trực tuyến" in response.content.decode()
    paper = ballot_nomination(small, method="paper")
    ballot_services.ballot_open(ballot=paper, actor=small.secretariat)
    ballot_services.ballot_paper_counts_enter(
        ballot=paper,
        issued=3,
        returned=3,
        valid=3,
        invalid=0,
        per_candidate={
            c.pk: (3, 0, 0) if c.unit_id == small.units[0].pk else (0, 3, 0)
            for c in paper.candidates.all()
        },
        actor=small.secretariat,
    )
    ballot_services.ballot_close(ballot=paper, actor=small.secretariat)
    response = _post(client, small, "ballot_papers", subject=paper.pk)
    assert response.status_code == 400
    assert "không in phiếu nữa" in response.content.decode()
    assert not DocumentJob.objects.exists()


@pytest.mark.parametrize(
    ("copies", "message"),
    [("0", "ít nhất là 1"), ("201", "nhiều nhất là 200"), ("8,5", "số nguyên"), ("x", "số nguyên")],
)
def test_paper_ballots_bad_copies_next_to_the_field(small, client, copies, message):
    ballot = ballot_nomination(small, method="paper")
    client.force_login(small.secretariat)
    response = _post(client, small, "ballot_papers", subject=ballot.pk, copies=copies)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'name="copies"' in html
    assert not DocumentJob.objects.exists()


# --- the minutes ----------------------------------------------------------------------------


def _sealed_minutes(by, world) -> Minutes:
    chair, secretary = make_user("chu.tri"), make_user("thu.ky.hn")
    meeting_services.meeting_people_set(
        meeting=by.meeting,
        role="chair",
        people=[
            {
                "name": "Đặng Trọng Thắng",
                "title": "Giám đốc Sở Giao thông Vận tải",
                "unit": by.units[0],
                "user": chair,
            }
        ],
        actor=by.secretariat,
    )
    meeting_services.meeting_people_set(
        meeting=by.meeting,
        role="secretary",
        people=[{"name": "Nguyễn Thị Lan", "title": "Chuyên viên", "user": secretary}],
        actor=by.secretariat,
    )
    meeting_services.meeting_people_set(
        meeting=by.meeting,
        role="guest",
        people=[
            {
                "name": "Trương Minh Hiến",
                "title": "Phó Chủ tịch UBND tỉnh",
                "note": "phát biểu chỉ đạo, kết luận hội nghị",
            }
        ],
        actor=by.secretariat,
    )
    meeting_services.meeting_agenda_set(
        meeting=by.meeting,
        items=[
            {"title": "Báo cáo tổng kết phong trào thi đua năm 2020", "presenter": "Trưởng khối"},
            {"title": "Bình xét, suy tôn các đơn vị dẫn đầu", "presenter": "Thư ký khối"},
        ],
        actor=by.secretariat,
    )
    minutes = minutes_services.minutes_draft(meeting=by.meeting, actor=by.secretariat)
    first, second = minutes.sections.order_by("order")
    minutes_services.minutes_section_update(
        section=first,
        text="Đồng chí Trưởng khối trình bày báo cáo.\n\nCác đơn vị thảo luận, thống nhất.",
        actor=by.secretariat,
    )
    minutes_services.minutes_section_update(
        section=second, text="Hội nghị bỏ phiếu kín.", actor=by.secretariat
    )
    return minutes, chair, secretary


@needs_pdftotext
def test_minutes_sealed_pdf(world, by, closed, django_capture_on_commit_callbacks):
    minutes, chair, secretary = _sealed_minutes(by, world)
    draft = request(
        "minutes_draft",
        by,
        by.secretariat,
        django_capture_on_commit_callbacks,
        minutes_id=minutes.pk,
    )
    pages = int(pdf_info(draft)["Pages"])
    for page in range(1, pages + 1):  # marked on every page
        assert "DỰ THẢO" in _run(
            "pdftotext", "-f", str(page), "-l", str(page), draft.file.path, "-"
        )
    assert draft.number is None
    minutes_services.minutes_approve(minutes=minutes, user=chair)
    minutes_services.minutes_approve(minutes=minutes, user=secretary)
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.SEALED
    job = request(
        "minutes", by, by.secretariat, django_capture_on_commit_callbacks, minutes_id=minutes.pk
    )
    assert job.number_display == "01/BB-KTĐ"
    assert job.issued_on == dt.date(2020, 12, 20)
    text = pdf_text(job)
    flat = squash(text)
    assert "BIÊN BẢN HỘI NGHỊ" in text
    assert "DỰ THẢO" not in text
    assert "Số: 01/BB-KTĐ" in text
    assert "ngày 20 tháng 12 năm 2020" in flat
    assert "Hội nghị tổng kết năm 2020 của Khối thi đua các ngành Kinh tế" in flat
    # Attendance.
    assert "Đơn vị thành viên dự họp: 9/9 đơn vị" in flat
    assert "Quỹ Đầu tư phát triển tỉnh" in flat
    assert "Trương Minh Hiến, Phó Chủ tịch UBND tỉnh" in flat
    # Agenda sections with their text.
    assert "1. Báo cáo tổng kết phong trào thi đua năm 2020" in flat
    assert "Các đơn vị thảo luận, thống nhất." in flat
    assert "2. Bình xét, suy tôn các đơn vị dẫn đầu" in flat
    # The ballot's result.
    assert "Bình xét Cờ thi đua của UBND tỉnh năm 2020" in flat
    assert re.search(r"1 Sở Giao thông( Vận tải)? 8 1 0 88,9% Được đề nghị", flat), flat
    assert "Sở Tư pháp 2 2 5 22,2% Không đạt" in flat
    # Signatures and the seal.
    assert "CHỦ TRÌ HỘI NGHỊ" in text and "THƯ KÝ HỘI NGHỊ" in text
    assert "Đặng Trọng Thắng" in text and "Nguyễn Thị Lan" in text
    assert "Nơi nhận:" in text
    assert minutes.sha256 in flat.replace(" ", "") or minutes.sha256 in text.replace("\n", "")
    assert "\ufffd" not in text


def test_minutes_requests_refused_in_the_wrong_state(world, small, client):
    by = small
    minutes, chair, secretary = _sealed_minutes(by, world)
    client.force_login(by.secretariat)
    response = _post(client, by, "minutes", subject=minutes.pk)
    assert response.status_code == 400
    assert "chỉ in được bản dự thảo" in response.content.decode()
    minutes_services.minutes_approve(minutes=minutes, user=chair)
    minutes_services.minutes_approve(minutes=minutes, user=secretary)
    response = _post(client, by, "minutes_draft", subject=minutes.pk)
    assert response.status_code == 400
    assert not DocumentJob.objects.exists()
    # Another bloc-year's minutes on this bloc-year's URL: not found.
    client.force_login(world.users["admin"])
    response = client.post(
        reverse("documents:request", args=[world.bloc_year.pk, "minutes"]), {"subject": minutes.pk}
    )
    assert response.status_code == 404
    assert not DocumentJob.objects.exists()


def test_minutes_page_offers_the_documents(world, small, client):
    by = small
    minutes, chair, secretary = _sealed_minutes(by, world)
    client.force_login(by.secretariat)
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request_ = RequestFactory().get("/")
    request_.user = by.secretariat
    html = render_to_string(
        "meetings/_minutes_documents.html",
        {"minutes": minutes, "meeting": by.meeting, "bloc_year": by.bloc_year, "can_run": True},
        request=request_,
    )
    assert 'id="request-minutes_draft-form"' in html
    assert 'id="request-minutes-form"' not in html
    minutes_services.minutes_approve(minutes=minutes, user=chair)
    minutes_services.minutes_approve(minutes=minutes, user=secretary)
    minutes.refresh_from_db()
    html = render_to_string(
        "meetings/_minutes_documents.html",
        {"minutes": minutes, "meeting": by.meeting, "bloc_year": by.bloc_year, "can_run": True},
        request=request_,
    )
    assert 'id="request-minutes-form"' in html
    assert 'id="request-minutes_draft-form"' not in html
