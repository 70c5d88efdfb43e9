"""The load test's lost-update check (`make loadtest`, loadtest/run.py): every cell save the
server answered 200 (the locust users wrote them to saves.jsonl) must be in the database:

- stored: the cell's history (ScoreChange) has the saved version with the saved value;
- never overwritten by an older value: the cell's current version is at least the highest
  version any accepted save of it got (with that save's value when equal), and its history
  versions go up one by one (no version given twice, none skipped). A higher version is a
  later save whose answer the load generator did not record (it timed out or was stopped).

Exit status 1 when any check fails."""

import json
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.models import ScoreChange, ScoreValue
from scoring.totals import fmt


class Command(BaseCommand):
    help = "Kiểm tra mất cập nhật sau thử tải (Lost-update check after the load test)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bloc-year", type=int, required=True)
        parser.add_argument("--stage", default="cross")
        parser.add_argument("saves", nargs="+", help="saves.jsonl files")

    def handle(self, *args, **options) -> None:
        accepted = defaultdict(list)
        for name in options["saves"]:
            for line in Path(name).read_text().splitlines():
                s = json.loads(line)
                accepted[(s["unit"], s["criterion"])].append(s)
        values = {
            (v.sheet.unit_id, v.criterion_id): v
            for v in ScoreValue.objects.filter(
                sheet__bloc_year_id=options["bloc_year"], stage=options["stage"]
            ).select_related("sheet")
        }
        history = defaultdict(list)
        for c in ScoreChange.objects.filter(score_value__in=list(values.values())).order_by(
            "version", "id"
        ):
            history[c.score_value_id].append(c)
        saves = sum(len(v) for v in accepted.values())
        missing, overwritten, gaps = [], [], []
        later = 0
        for key, cell_saves in accepted.items():
            value = values.get(key)
            if value is None:
                missing.extend(cell_saves)
                continue
            changes = history[value.pk]
            by_version = {c.version: fmt(c.new_value) for c in changes}
            for s in cell_saves:
                if s["version"] and by_version.get(s["version"]) != s["value"]:
                    missing.append(s)
            newest = max(cell_saves, key=lambda s: s["version"])
            if value.version < newest["version"] or (
                value.version == newest["version"] and fmt(value.value) != newest["value"]
            ):
                overwritten.append((key, newest, value.version, fmt(value.value)))
            elif value.version > newest["version"]:
                # A later save whose answer the load generator never read (it gave up
                # waiting, or was stopped): made from the accepted version, since a save
                # names the version it edits; its history row is checked below.
                later += 1
            if [c.version for c in changes] != list(range(1, len(changes) + 1)):
                gaps.append((key, [c.version for c in changes]))
        self.stdout.write(
            f"Lost-update check: {saves} accepted cell saves on {len(accepted)} cells; "
            f"missing {len(missing)}, overwritten by an older value {len(overwritten)}, "
            f"history out of order {len(gaps)}; {later} cells saved again afterwards by a "
            "save whose answer was not recorded (timed out or stopped)."
        )
        for item in (missing + overwritten + gaps)[:10]:
            self.stdout.write(f"  {item}")
        if missing or overwritten or gaps:
            raise CommandError("Lost updates found.")
