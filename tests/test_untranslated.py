"""No English message left in the Vietnamese UI.

The product's own strings are written in Vietnamese (their msgids are Vietnamese), so what can
show in English is a message of Django or of an installed app whose Vietnamese catalogue lacks
it (Django 5.2's lags behind its English msgids; locale/vi/ fills the gaps). The test builds
the set of those messages that are still untranslated with Vietnamese active, and fails when
one of them appears in the visible text (text nodes; title, placeholder, aria-label, alt; the
value of buttons) of:
- the pages the crawl test visits (every demo account, one page per URL pattern), and
- the admin pages a superuser sees: the index, every app index, every registered model's
  changelist, add form, change form, history and delete confirmation, the user add form
  (also sent empty, so its errors show) and the password change form.
"""

import ast
import html
import re
import sysconfig
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.utils import translation

from tests.test_demo_crawl import crawl, demo, url_shape  # noqa: F401 - demo is a fixture

# Messages that read the same in Vietnamese, or are names: "Email" is the Vietnamese word too.
SAME_IN_VIETNAMESE = {"Email", "IPv4", "IPv6"}
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
PO_LINE = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')
# %s, %(name)s, %d, %(num)d, {}, {name}: the parts of a message that are filled in.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[srdifuxXeEgGc]|\{\w*\}")
WORD = re.compile(r"[^\W\d_]{2,}")
TWO_WORDS = re.compile(r"[^\W\d_]{2,}[^\w%{]+[^\W\d_]{2,}")
TAG = re.compile(r"<[^>]*>")
VISIBLE_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
BUTTON_TYPES = {"submit", "button", "reset"}


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None = None
    context: str | None = None


# --- Where the English messages come from -----------------------------------------------------


def read_po(po: Path) -> list[Message]:
    """The messages of a .po file (a small reader: msgctxt, msgid, msgid_plural)."""
    messages, entry, key = [], {}, ""

    def flush() -> None:
        if entry.get("msgid"):
            messages.append(
                Message(entry["msgid"], entry.get("msgid_plural"), entry.get("msgctxt"))
            )
        entry.clear()

    for raw in po.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if match := PO_LINE.match(line):
            if match[1] in ("msgctxt", "msgid") and key.startswith("msgstr"):
                flush()
            key = match[1]
            entry[key] = ast.literal_eval(match[2])
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
    flush()
    return messages


def source_messages(root: Path) -> list[Message]:
    """gettext("...") / _("...") literals of an app's Python source, for apps that ship no
    English catalogue (django-axes): their other languages' catalogues can lag too."""
    found = []
    for py in root.rglob("*.py"):
        if "migrations" in py.parts or "tests" in py.parts:
            continue
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            texts = [a.value for a in node.args[:2] if isinstance(a, ast.Constant)]
            if name in GETTEXT_CALLS and texts and all(isinstance(t, str) for t in texts):
                found.append(Message(texts[-1], None, texts[0] if len(texts) == 2 else None))
    return found


def english_messages() -> set[Message]:
    """Every message Django and the installed apps other than the project's can show."""
    base = Path(settings.BASE_DIR).resolve()
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()  # .venv lies under base
    django_root = Path(django.__file__).parent
    found = set(read_po(django_root / "conf/locale/en/LC_MESSAGES/django.po"))
    for app in apps.get_app_configs():
        root = Path(app.path).resolve()
        if root.is_relative_to(base) and not root.is_relative_to(installed):
            continue  # the project's msgids are Vietnamese
        english = root / "locale/en/LC_MESSAGES/django.po"
        if english.exists():
            found.update(read_po(english))
        else:
            for po in root.glob("locale/*/LC_MESSAGES/django.po"):
                found.update(read_po(po))
            found.update(source_messages(root))
    return found


def _translated(message: Message) -> tuple[str, str | None]:
    if message.plural is None:
        if message.context is None:
            return translation.gettext(message.msgid), None
        return translation.pgettext(message.context, message.msgid), None
    if message.context is None:
        one = translation.ngettext(message.msgid, message.plural, 1)
        return one, translation.ngettext(message.msgid, message.plural, 2)
    one = translation.npgettext(message.context, message.msgid, message.plural, 1)
    return one, translation.npgettext(message.context, message.msgid, message.plural, 2)


def checkable(text: str) -> bool:
    """False for what cannot be told apart from Vietnamese or from data: punctuation, units,
    names, and format strings whose fixed text is under two words ("%(size)d byte")."""
    text = html.unescape(TAG.sub(" ", text)).strip()
    if text in SAME_IN_VIETNAMESE:
        return False
    if PLACEHOLDER.search(text):
        return any(TWO_WORDS.search(part) for part in PLACEHOLDER.split(text))
    return bool(WORD.search(text))


def untranslated_english() -> dict[str, re.Pattern]:
    """English texts with no Vietnamese translation (gettext with Vietnamese active gives the
    msgid back), each with the pattern that finds it in a page's visible text."""
    found = {}
    with translation.override("vi"):
        for message in english_messages():
            one, other = _translated(message)
            for english, shown in ((message.msgid, one), (message.plural, other)):
                if english is not None and shown == english and checkable(english):
                    found[english] = text_pattern(english)
    return found


def text_pattern(english: str) -> re.Pattern:
    """The message as it reads on a page: markup gone, any spacing, placeholders filled with
    anything short, the first letter in either case (the admin capitalises verbose names)."""
    text = " ".join(html.unescape(TAG.sub(" ", english)).split())
    parts = []
    for n, piece in enumerate(PLACEHOLDER.split(text)):
        if n:
            parts.append(r".{0,200}?")
        parts.append(r"\s+".join(re.escape(word) for word in piece.split(" ") if word))
        if piece.endswith(" "):
            parts.append(r"\s*")
    body = "".join(parts)
    if text[:1].isalpha():  # a letter is not escaped: body starts with it
        body = f"(?i:{text[0]})" + body[1:]
    start = r"(?<![^\W_])" if text[:1].isalnum() else ""
    end = r"(?![^\W_])" if text[-1:].isalnum() else ""
    return re.compile(start + body + end)


# --- What a page shows ------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Text nodes (outside script and style) and the attributes a person reads or hears."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.attributes: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        a = {k: v for k, v in attrs if v}
        self.attributes += [v for k, v in a.items() if k in VISIBLE_ATTRIBUTES]
        is_button = tag == "button" or (
            tag == "input" and a.get("type", "").lower() in BUTTON_TYPES
        )
        if is_button and "value" in a:
            self.attributes.append(a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.nodes.append(data)


def visible_texts(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    return [" ".join(" ".join(parser.nodes).split()), *parser.attributes]


class Findings:
    """Which untranslated message showed on which pages."""

    def __init__(self, untranslated: dict[str, re.Pattern]) -> None:
        self.untranslated = untranslated
        self.any = (
            re.compile("|".join(f"(?:{p.pattern})" for p in untranslated.values()))
            if untranslated
            else None
        )
        self.pages: dict[str, list[str]] = defaultdict(list)
        self.checked = 0

    def check(self, url: str, page: str) -> None:
        self.checked += 1
        texts = visible_texts(page)
        if self.any is None or not any(self.any.search(t) for t in texts):
            return
        for english, pattern in self.untranslated.items():
            if any(pattern.search(t) for t in texts):
                self.pages[english].append(url)

    def report(self) -> str:
        return "\n".join(
            f"{english!r} untranslated, shown on {len(urls)} page(s), e.g. {urls[:3]}"
            for english, urls in sorted(self.pages.items())
        )


OBJECT_VIEWS = ("change", "history", "delete")


def admin_pages(client: Client) -> list[tuple[str, str]]:
    """The admin pages a superuser sees (url, html), GET, plus the user add form sent empty."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        app_index = reverse("admin:app_list", args=[opts.app_label])
        if app_index not in urls:
            urls.append(app_index)
        name = f"admin:{opts.app_label}_{opts.model_name}"
        urls += [reverse(f"{name}_changelist"), reverse(f"{name}_add")]
        first = model_admin.get_queryset(_request(client)).order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{name}_{view}", args=[first.pk]) for view in OBJECT_VIEWS]
    superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    urls.append(reverse("admin:auth_user_password_change", args=[superuser.pk]))
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            pages.append((url, response.content.decode()))
    empty = sent_empty(client, reverse("admin:auth_user_add"))
    pages.append((reverse("admin:auth_user_add") + " (sent empty)", empty))
    return pages


MANAGEMENT_FIELD = re.compile(
    r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"[^>]*value="(\d+)"'
)


def sent_empty(client: Client, url: str) -> str:
    """The form sent back with nothing filled in (its inlines' management data as the page
    gave it, as a browser sends it): the page again, with its errors; nothing saved."""
    data = dict(MANAGEMENT_FIELD.findall(client.get(url).content.decode()))
    response = client.post(url, data)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _request(client: Client):
    """A request as the logged-in superuser, for the admins' own get_queryset."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    return request


# --- The product and its admin, in Vietnamese -------------------------------------------------


@pytest.mark.usefixtures("demo")
def test_no_untranslated_message_on_the_crawled_pages_or_in_the_admin():
    findings = Findings(untranslated_english())
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    visitors: list[tuple[str, object, tuple[str, ...]]] = [(u.username, u, ("/",)) for u in users]
    visitors.append(("(anonymous)", None, ("/", reverse("pledges:verify"), reverse("login"))))
    for label, user, starts in visitors:
        cache.clear()  # rate-limit counters: every account sees the real pages, not 429
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = settings.LANGUAGE_CODE
        if user is not None:
            client.force_login(user)
        result = crawl(
            client,
            starts=starts,
            key=url_shape,
            on_page=lambda url, page, label=label: findings.check(f"[{label}] {url}", page),
        )
        assert not result.failures, result.failures
    crawled = findings.checked

    client = Client()
    client.force_login(get_user_model().objects.filter(is_superuser=True).earliest("pk"))
    for url, page in admin_pages(client):
        findings.check(f"[admin] {url}", page)

    print(
        f"{crawled} crawled pages, {findings.checked - crawled} admin pages; "
        f"{len(findings.untranslated)} untranslated messages looked for"
    )
    assert crawled > 100, crawled  # the crawl is not vacuous
    assert findings.checked - crawled > 3 * len(admin.site._registry), findings.checked
    assert not findings.pages, findings.report()


def test_the_admin_user_forms_read_in_vietnamese(admin_client):
    """The messages the issue found in English, as the admin shows them now."""
    add = sent_empty(admin_client, reverse("admin:auth_user_add"))
    assert "Hãy sửa lỗi dưới đây." in add
    assert "Sau khi tạo người dùng, bạn sẽ có thể sửa thêm các tùy chọn" in add
    assert "Xác thực bằng mật khẩu" in add
    for english in ("Please correct the error", "After you’ve created a user", "Enabled"):
        assert english not in add
    changelist = admin_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Show counts" not in changelist
    assert "Skip to main content" not in changelist
    assert "Chuyển đến nội dung chính" in changelist


def test_the_admin_calendar_and_select_boxes_are_vietnamese(admin_client):
    """The admin's JavaScript messages come from the jsi18n catalogue, not from the page."""
    catalog = admin_client.get(reverse("admin:jsi18n")).content.decode()
    assert "Ch\\u1ee7 nh\\u1eadt" in catalog or "Chủ nhật" in catalog  # Sunday
    assert "Choose all %s" in catalog  # the msgid is there only with a translation


# --- The check itself can fail ----------------------------------------------------------------


def test_django_messages_without_the_project_catalogue_are_found(settings, admin_client):
    """Without locale/vi/ Django 5.2's Vietnamese catalogue lacks the issue's messages: the
    set holds them, and the admin pages they show on are reported."""
    settings.LOCALE_PATHS = []  # resets the translation caches (django.test.signals)
    untranslated = untranslated_english()
    for english in (
        "Please correct the error below.",
        "After you’ve created a user, you’ll be able to edit more user options.",
        "Password-based authentication",
        "Enabled",
        "Show counts",
        "Skip to main content",
    ):
        assert english in untranslated
    findings = Findings(untranslated)
    findings.check("add", sent_empty(admin_client, reverse("admin:auth_user_add")))
    findings.check(
        "list", admin_client.get(reverse("admin:core_auditevent_changelist")).content.decode()
    )
    assert {"Please correct the error below.", "Please correct the errors below."} & set(
        findings.pages
    )
    assert "Enabled" in findings.pages
    assert findings.pages["Skip to main content"] == ["add", "list"]
    assert not [english for english in findings.pages if english.startswith("ManagementForm")]
    assert "Show counts" in findings.report()


def test_the_project_catalogue_translates_what_django_lacks():
    assert "Show counts" not in untranslated_english()
    assert "Please correct the error below." not in untranslated_english()


def _english_page(request):
    return HttpResponse(
        "<!doctype html><html><head><title>Trang</title><script>var s = 'Show counts';</script>"
        "</head><body><p>Thông tin</p>"
        '<input type="submit" value="Set password"><a title="Toggle navigation">≡</a>'
        "<p>This action will <strong>enable</strong>\n password-based authentication for "
        "this user.</p><p>Select all 12 users</p></body></html>"
    )


urlpatterns = [path("english/", login_not_required(_english_page))]


@pytest.mark.urls(__name__)
def test_english_in_text_attributes_and_markup_is_detected_but_not_in_scripts():
    untranslated = {
        english: text_pattern(english)
        for english in (
            "Set password",
            "Toggle navigation",
            "This action will <strong>enable</strong> password-based authentication for this user.",
            "Select all %(total_count)s %(module_name)s",
            "Show counts",
            "Sidebar",
        )
    }
    findings = Findings(untranslated)
    result = crawl(Client(), starts=("/english/",), on_page=findings.check)
    assert list(result.visited) == ["/english/"]
    assert set(findings.pages) == set(untranslated) - {"Show counts", "Sidebar"}


def test_what_cannot_be_told_from_vietnamese_is_not_checked():
    assert not checkable("Email")
    assert not checkable("%(size)d byte")
    assert not checkable("%s KB")
    assert not checkable("…")
    assert checkable("Enabled")
    assert checkable("View selected %(model)s")
    # A whole word only: "Tắt" (Vietnamese) and "Disabledness" are not "Disabled".
    pattern = text_pattern("Disabled")
    assert not pattern.search("Disabledness")
    assert pattern.search("Trạng thái: disabled.")
