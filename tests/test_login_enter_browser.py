"""Issue 12: the language switch is no longer the page's first submit button. In headless
Chromium, Enter in the login page's password field logs in (the login form is the
document's first form) and leaves the language alone; a script's "first submit button"
is the login button."""

import re

import pytest

from .conftest import PASSWORD, make_user, needs_chromium
from .test_browser import browser, page  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def person(transactional_db):
    return make_user("nguoi.dung", first_name="Thu Hằng", last_name="Lê Thị")


def test_enter_in_the_password_field_logs_in(page, person):  # noqa: F811
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "vi")
    assert page.evaluate("document.forms[0].id") == "login-form"
    assert page.evaluate("document.querySelector('button[type=submit]').form.id") == "login-form"
    # The switch is still there, after the main content.
    assert page.evaluate(
        "Boolean(document.querySelector('main')"
        ".compareDocumentPosition(document.getElementById('language-form'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING)"
    )
    page.fill("#id_username", "nguoi.dung")
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("h1")).to_contain_text("Xin chào")
    expect(html).to_have_attribute("lang", "vi")
    # Logged in, the page's own forms still come before the switch (the logout button
    # sits in the navbar, which is no form a user types in).
    assert page.evaluate("document.forms[document.forms.length - 1].id") == "language-form"


def test_enter_on_the_language_button_switches_language(page, person):  # noqa: F811
    """The switch still works from the keyboard where it now is."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.locator("#switch-language-en").focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
