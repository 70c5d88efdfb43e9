"""Database guards behind the minutes' services and the read-only admin: sealed minutes
(biên bản hội nghị, status "sealed") never change.

- a sealed `meetings_minutes` row cannot be updated or deleted;
- the sections and amendments of sealed minutes cannot be inserted, updated or deleted.

Sealing itself is an UPDATE of a row that is not sealed yet, so it passes. PostgreSQL
(production) gets all of it. SQLite (the development database) gets the same rules for
INSERT and UPDATE, but not for DELETE: Django empties SQLite tables between transactional
tests with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see)."""

from django.db import migrations

MINUTES = "meetings_minutes"
CHILDREN = ["meetings_minutessection", "meetings_minutesamendment"]


def _sealed(ref: str) -> str:
    return (
        # Constants only, never user input.
        f"EXISTS (SELECT 1 FROM {MINUTES} m WHERE m.id = {ref}.minutes_id "  # noqa: S608
        "AND m.status = 'sealed')"
    )


POSTGRES_FORWARD = [
    """
CREATE OR REPLACE FUNCTION meetings_minutes_sealed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'sealed' THEN
    RAISE EXCEPTION 'meetings: minutes % are sealed (% refused)', OLD.id, TG_OP
      USING ERRCODE = '23000';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
""",
    f"""
CREATE TRIGGER {MINUTES}_sealed_guard BEFORE UPDATE OR DELETE ON {MINUTES}
FOR EACH ROW EXECUTE FUNCTION meetings_minutes_sealed_guard();
""",
    f"""
CREATE OR REPLACE FUNCTION meetings_minutes_child_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested IFs: OLD and NEW exist only for the operations that have them.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF {_sealed("OLD")} THEN
      RAISE EXCEPTION '%: the minutes % are sealed (% refused)', TG_TABLE_NAME,
        OLD.minutes_id, TG_OP USING ERRCODE = '23000';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF {_sealed("NEW")} THEN
      RAISE EXCEPTION '%: the minutes % are sealed (% refused)', TG_TABLE_NAME,
        NEW.minutes_id, TG_OP USING ERRCODE = '23000';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
""",
    *(
        f"CREATE TRIGGER {table}_sealed_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION meetings_minutes_child_guard();"
        for table in CHILDREN
    ),
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_sealed_guard ON {table};" for table in CHILDREN),
    f"DROP TRIGGER IF EXISTS {MINUTES}_sealed_guard ON {MINUTES};",
    "DROP FUNCTION IF EXISTS meetings_minutes_child_guard();",
    "DROP FUNCTION IF EXISTS meetings_minutes_sealed_guard();",
]


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


SQLITE_TRIGGERS = {
    f"{MINUTES}_sealed_guard": (
        f"BEFORE UPDATE ON {MINUTES} FOR EACH ROW WHEN OLD.status = 'sealed' "
        + _abort("meetings: sealed minutes cannot change")
    ),
    **{
        f"{table}_sealed_insert": (
            f"BEFORE INSERT ON {table} FOR EACH ROW WHEN {_sealed('NEW')} "
            + _abort("meetings: sealed minutes cannot change")
        )
        for table in CHILDREN
    },
    **{
        f"{table}_sealed_update": (
            f"BEFORE UPDATE ON {table} FOR EACH ROW WHEN {_sealed('OLD')} OR {_sealed('NEW')} "
            + _abort("meetings: sealed minutes cannot change")
        )
        for table in CHILDREN
    },
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
        raise RuntimeError(f"No minutes triggers for database vendor {vendor!r}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_meetings_ballots_minutes")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
