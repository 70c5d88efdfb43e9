"""Django's {# #} comment ends at the end of its line: a two-line one is printed into the
page (it once showed on every page, above the language switch)."""

from pathlib import Path

from django.apps import apps
from django.conf import settings


def _templates() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(d) for t in settings.TEMPLATES for d in t["DIRS"]]
    roots += [
        Path(app.path) / "templates"
        for app in apps.get_app_configs()
        if Path(app.path).resolve().is_relative_to(base)
    ]
    return [t for root in roots for t in root.rglob("*.html")]


def test_no_template_comment_spans_lines():
    found = []
    for template in _templates():
        for n, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            if line.count("{#") > line.count("#}"):
                found.append(f"{template}:{n}")
    assert _templates(), "no templates found"
    assert not found, "use {% comment %} for comments over several lines:\n" + "\n".join(found)
