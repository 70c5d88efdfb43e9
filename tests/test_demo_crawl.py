"""Every page a demo account can reach answers without a server error.

The demo is loaded as `make run` loads it; then, for every user in the database (so accounts
that later demo loaders add are crawled without touching this file), the crawler logs in,
starts at the dashboard and follows every same-site link breadth-first, GET only: a[href],
the actions of GET forms, hx-get, img/iframe src. Downloads (.xlsx, PDF, evidence) are read
to the end. Logout, the language switch, /admin/ and /static/ are not followed. A per-account
page cap fails the test rather than silently truncating the crawl.
"""

import io
import re
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse

from blocs.demo import QB_BLOC
from blocs.models import BlocYear
from core.names import person_name
from scoring.models import ScoreSheet

# A crawl that reaches this many pages for one account stops and fails: either the demo
# grew (raise it) or some page links to an endless family of URLs (fix the page).
MAX_PAGES_PER_ACCOUNT = 2000
HOST = "testserver"
SKIPPED_PREFIXES = ("/admin/", "/static/", "/i18n/", "/accounts/logout/")
README_ACCOUNTS = {
    "admin",
    "ban.tdkt",
    "thuky",
    "lanhdao",
    "canbo",
    "ban.tdkt.daklak",
    "thuky.daklak",
    "thuky.bacninh",
    "thuky.backan",
}


class _Links(HTMLParser):
    """Collects the GET targets of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v for k, v in attrs if v is not None}
        if tag == "a" and "href" in a:
            self.targets.append(a["href"])
        elif tag == "form" and a.get("method", "get").lower() == "get":
            self.targets.append(a.get("action", ""))
        elif tag in ("img", "iframe") and "src" in a:
            self.targets.append(a["src"])
        if "hx-get" in a:
            self.targets.append(a["hx-get"])


def _same_site(base: str, href: str) -> str | None:
    """The path?query to follow for href found on base, or None if it is not ours to follow."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(f"http://{HOST}{base}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None  # off-site, mailto:, tel:, javascript:, data:
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


@dataclass
class Crawl:
    visited: dict[str, int] = field(default_factory=dict)  # url -> status (0: exception)
    failures: list[str] = field(default_factory=list)
    truncated: bool = False

    def statuses(self) -> Counter:
        return Counter(self.visited.values())


def _every_url(url: str) -> str:
    return url


def url_shape(url: str) -> str:
    """/scoring/sheets/7/ and /scoring/sheets/8/ are the same page with other data."""
    return re.sub(r"\d+", "N", url)


def crawl(
    client: Client,
    *,
    starts: tuple[str, ...] = ("/",),
    cap: int = MAX_PAGES_PER_ACCOUNT,
    key: Callable[[str], str] = _every_url,
    on_page: Callable[[str, str], None] | None = None,
) -> Crawl:
    """Breadth-first GET of every same-site link reachable from starts; a URL is followed
    once per key (every URL by default; url_shape samples one page per URL pattern).
    on_page(url, html), if given, sees every HTML page that answered 200."""
    result = Crawl()
    queue: deque[tuple[str, str]] = deque((start, "(start)") for start in starts)
    seen = {key(start) for start in starts}
    while queue:
        if len(result.visited) >= cap:
            result.truncated = True
            break
        url, referrer = queue.popleft()
        try:
            response = client.get(url)
            if response.streaming:  # a download can fail while it streams; read it to the end
                b"".join(response.streaming_content)
        except Exception as exc:  # noqa: BLE001 - every server error is a finding
            result.visited[url] = 0
            result.failures.append(f"{url} (from {referrer}): {type(exc).__name__}: {exc}")
            continue
        result.visited[url] = response.status_code
        if response.status_code >= 500:
            result.failures.append(f"{url} (from {referrer}): HTTP {response.status_code}")
            continue
        targets: list[str] = []
        if response.status_code in (301, 302, 303, 307, 308):
            targets = [response["Location"]]
        elif response.status_code == 200 and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            html = response.content.decode(response.charset or "utf-8")
            if on_page is not None:
                on_page(url, html)
            parser = _Links()
            parser.feed(html)
            targets = parser.targets
        for href in targets:
            target = _same_site(url, href)
            if target is not None and key(target) not in seen:
                seen.add(key(target))
                queue.append((target, url))
    return result


# --- The demo, crawled as every account --------------------------------------------------------


@pytest.fixture
def demo(db, settings) -> Iterator[str]:
    settings.DEBUG = True  # load_demo refuses otherwise, exactly as under `make run`
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    settings.DEBUG = False
    yield out.getvalue()
    cache.clear()  # no rate-limit counts left behind for the next tests


def test_no_page_a_demo_account_reaches_answers_5xx(demo):
    users = list(get_user_model().objects.filter(is_active=True).order_by("username"))
    usernames = {u.username for u in users}
    assert usernames >= README_ACCOUNTS, README_ACCOUNTS - usernames
    assert any(name.startswith("lanhdao.") for name in usernames)

    # Every account, every page, in Vietnamese. The other languages' catalogues can break a
    # page on their own (a bad placeholder): the README accounts (every role, four provinces)
    # visit one page per URL pattern in each of them. And a visitor who is not logged in.
    vi = settings.LANGUAGE_CODE
    runs = [(u.username, u, vi, ("/",), _every_url) for u in users]
    runs += [
        (f"{u.username} ({code})", u, code, ("/",), url_shape)
        for u in users
        if u.username in README_ACCOUNTS
        for code, _name in settings.LANGUAGES
        if code != vi
    ]
    runs.append(("(anonymous)", None, vi, ("/", reverse("pledges:verify")), _every_url))
    failures: list[str] = []
    report: list[str] = []
    crawls: dict[str, Crawl] = {}
    started = time.perf_counter()
    for label, user, language, starts, key in runs:
        cache.clear()  # rate-limit counters: every account sees the real pages, not 429
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            client.force_login(user)
        t0 = time.perf_counter()
        result = crawl(client, starts=starts, key=key)
        crawls[label] = result
        report.append(
            f"{label}: {len(result.visited)} pages in {time.perf_counter() - t0:.1f} s "
            f"{dict(sorted(result.statuses().items()))}"
        )
        failures += [f"[{label}] {line}" for line in result.failures]
        if result.truncated:
            failures.append(
                f"[{label}] crawl stopped at the cap of {MAX_PAGES_PER_ACCOUNT} pages; "
                "raise MAX_PAGES_PER_ACCOUNT if the demo grew, else fix the endless links"
            )
    total = sum(len(c.visited) for c in crawls.values())
    report.append(f"total: {total} pages, {time.perf_counter() - started:.1f} s")
    print("\n".join(report))  # shown with -s or on failure
    assert not failures, "\n".join(failures)

    # The crawl is not vacuous: the secretariat reaches every 2019 score sheet of its bloc
    # (the pages that once answered 500) and the downloads.
    by2019 = BlocYear.objects.get(bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=2019)
    sheets = ScoreSheet.objects.filter(bloc_year=by2019).values_list("pk", flat=True)
    thuky = crawls["thuky"].visited
    for pk in sheets:
        assert thuky.get(reverse("scoring:sheet_detail", args=[pk])) == 200
    assert any(url.endswith("/xlsx/") and status == 200 for url, status in thuky.items())
    assert len(crawls["admin"].visited) > len(crawls["canbo"].visited)
    english = {url_shape(url) for url in crawls["thuky (en)"].visited}
    assert url_shape(reverse("scoring:sheet_detail", args=[1])) in english
    assert "/verify/" in crawls["(anonymous)"].visited


def test_historic_sheet_without_submitter_says_so(demo):
    """2019 sheets were submitted on paper: the submitter is unknown, the page says so."""
    by2019 = BlocYear.objects.get(bloc__province__code="quang-binh", bloc__name=QB_BLOC, year=2019)
    client = Client()
    client.force_login(get_user_model().objects.get(username="thuky"))
    for sheet in ScoreSheet.objects.filter(bloc_year=by2019).select_related("self_submitted_by"):
        html = client.get(reverse("scoring:sheet_detail", args=[sheet.pk])).content.decode()
        assert 'id="self-status"' in html
        if sheet.self_submitted_by is None:
            assert "người nộp chưa ghi nhận" in html
        else:
            assert "người nộp chưa ghi nhận" not in html
            assert person_name(sheet.self_submitted_by) in html


# --- The crawler itself can fail --------------------------------------------------------------


def _page(*hrefs: str) -> HttpResponse:
    links = "".join(f'<a href="{h}">x</a>' for h in hrefs)
    return HttpResponse(f"<!doctype html><html><body>{links}</body></html>")


def _home(request):
    return _page(
        "ok/",
        "/redirect/",
        "https://example.org/",
        "//example.org/x/",
        "mailto:a@b.c",
        "javascript:void(0)",
        "/admin/",
        "/accounts/logout/",
        "/i18n/setlang/",
        "/static/app.css",
        "#top",
        "/ok/#frag",
    )


def _ok(request):
    return HttpResponse('<form method="get" action="/search/"></form><div hx-get="/part/"></div>')


def _boom(request):
    raise RuntimeError("hỏng")


def _fake_site() -> list:
    views = {
        "": _home,
        "ok/": _ok,
        "search/": lambda r: _page("/deep/", "/ok/"),
        "part/": lambda r: HttpResponse("<p>ok</p>"),
        "redirect/": lambda r: HttpResponse(status=302, headers={"Location": "/boom/"}),
        "deep/": lambda r: HttpResponse(status=503),
        "boom/": _boom,
        "admin/": _boom,
        "accounts/logout/": _boom,
        "i18n/setlang/": _boom,
        "static/app.css": _boom,
        "n/<int:n>/": lambda r, n: _page(f"/n/{n + 1}/"),
    }
    return [path(route, login_not_required(view)) for route, view in views.items()]


urlpatterns = _fake_site()


@pytest.mark.urls(__name__)
def test_crawler_reports_every_5xx_with_its_referrer():
    result = crawl(Client())
    assert set(result.visited) == {
        "/",
        "/ok/",
        "/search/",
        "/part/",
        "/redirect/",
        "/boom/",
        "/deep/",
    }
    assert result.failures == [
        "/boom/ (from /redirect/): RuntimeError: hỏng",
        "/deep/ (from /search/): HTTP 503",
    ]
    assert not result.truncated


@pytest.mark.urls(__name__)
def test_crawler_stops_at_the_cap_and_says_so():
    result = crawl(Client(), starts=("/n/0/",), cap=25)
    assert len(result.visited) == 25
    assert result.truncated
    # Sampling one page per URL pattern ends the same chain at once.
    sampled = crawl(Client(), starts=("/n/0/",), cap=25, key=url_shape)
    assert list(sampled.visited) == ["/n/0/"]
    assert not sampled.truncated


# --- Templates: no filter argument looks up through a relation --------------------------------

# `{{ a.b.c|default:a.b.d }}`: Django silences a missing variable but not a missing filter
# argument, so when a.b is None (a nullable user, a historic sheet) the page answers 500.
# Use {% firstof a.b.c a.b.d "—" %} instead, which silences every failed lookup.
NESTED_FILTER_ARGUMENT = re.compile(r"\|\w+:[A-Za-z_]\w*\.\w+\.\w+")


def test_no_template_filter_argument_looks_up_through_a_relation():
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]
    roots += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).resolve().is_relative_to(base)
    ]
    found = []
    for root in roots:
        for template in root.rglob("*.html"):
            for n, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
                found += [f"{template}:{n}: {m}" for m in NESTED_FILTER_ARGUMENT.findall(line)]
    assert not found, "\n".join(found)
