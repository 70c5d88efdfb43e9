"""Refusals and missing pages are explained in Vietnamese, inside the app's layout."""

from django.test import Client
from django.urls import reverse


def test_403_page_is_vietnamese_and_gives_the_reason(client, world):
    client.force_login(world.users["leader_nonmember"])
    response = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert response.status_code == 403
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Không có quyền truy cập" in body
    assert "Bạn không có quyền xem khối thi đua này." in body


def test_404_page_is_vietnamese(client, world):
    client.force_login(world.users["admin"])
    response = client.get(reverse("blocs:bloc_detail", args=[987654]))
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang" in body and '<html lang="vi">' in body


def test_500_page_is_vietnamese(world, settings, monkeypatch):
    from blocs import views

    def boom(**kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(views.selectors, "bloc_get_for_user", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    response = client.get(reverse("blocs:bloc_detail", args=[world.bloc.pk]))
    assert response.status_code == 500
    assert "Lỗi máy chủ" in response.content.decode()
