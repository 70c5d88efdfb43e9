"""Database guards behind the report services and the read-only admin:

- a signed report is sealed: PostgreSQL refuses any UPDATE or DELETE of its row;
- an approved report keeps its frozen facts, hash and narrative: only its status (to
  signed or superseded), the signature and the agenda link may still change.

SQLite (the development database) gets the same rules for UPDATE, not for DELETE: Django
empties SQLite tables between transactional tests with DELETE (PostgreSQL uses TRUNCATE,
which row triggers do not see)."""

from django.db import migrations

FROZEN = ("facts", "sha256", "results_text", "shortcomings_text", "tasks_text", "bloc_year_id",
          "kind", "version", "approved_at", "approved_by_username")

POSTGRES_FORWARD = [
    f"""
CREATE OR REPLACE FUNCTION reports_report_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'signed' THEN
    RAISE EXCEPTION 'reports: report % is signed and sealed', OLD.id USING ERRCODE = '23000';
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'approved' THEN
      RAISE EXCEPTION 'reports: report % is approved and cannot be deleted', OLD.id
        USING ERRCODE = '23000';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'approved' AND (
     {" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FROZEN)}
     OR NEW.status NOT IN ('approved', 'signed', 'superseded')) THEN
    RAISE EXCEPTION 'reports: the facts of approved report % are frozen', OLD.id
      USING ERRCODE = '23000';
  END IF;
  RETURN NEW;
END
$$;
""",
    """
CREATE TRIGGER reports_report_guard BEFORE UPDATE OR DELETE ON reports_report
FOR EACH ROW EXECUTE FUNCTION reports_report_guard();
""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS reports_report_guard ON reports_report;",
    "DROP FUNCTION IF EXISTS reports_report_guard();",
]

SQLITE_TRIGGERS = {
    "reports_report_sealed": (
        "BEFORE UPDATE ON reports_report FOR EACH ROW WHEN OLD.status = 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'reports: the report is signed and sealed'); END;"
    ),
    "reports_report_frozen": (
        "BEFORE UPDATE ON reports_report FOR EACH ROW WHEN OLD.status = 'approved' AND ("
        + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN)
        + " OR NEW.status NOT IN ('approved', 'signed', 'superseded')) "
        "BEGIN SELECT RAISE(ABORT, 'reports: the facts of an approved report are frozen'); END;"
    ),
}


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}", params=None)
    else:  # pragma: no cover - the product supports PostgreSQL and SQLite only
        raise RuntimeError(f"No report triggers for database vendor {vendor!r}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
