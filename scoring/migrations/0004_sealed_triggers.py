"""Database guards behind the services and the read-only admin, for the sealed facts of
scoring:

- the score history (ScoreChange) and the lock/re-open events are append-only;
- a locked year stays locked: its ScoringYear row cannot be deleted, and its lock can be
  lifted only right after a re-open event was recorded (scoring_reopen writes the event,
  with its reason, before it clears the lock); the grid revision may still change;
- the scores of a locked year do not change (no insert, update or delete of its values).

PostgreSQL (production) gets all of it. SQLite (the development database) gets the same
rules for INSERT and UPDATE, but not for DELETE: Django empties SQLite tables between
transactional tests with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see)."""

from django.db import migrations

APPEND_ONLY = ["scoring_scorechange", "scoring_scoringyearevent"]

LATEST_EVENT = (
    "(SELECT action FROM scoring_scoringyearevent WHERE scoring_year_id = OLD.id "
    "ORDER BY id DESC LIMIT 1)"
)

POSTGRES_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_append_only();"
        for table in APPEND_ONLY
    ),
    f"""
CREATE OR REPLACE FUNCTION scoring_lock_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.locked_at IS NULL THEN
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'scoring: scoring year % is locked and cannot be deleted', OLD.id
      USING ERRCODE = '23000';
  END IF;
  IF NEW.bloc_year_id = OLD.bloc_year_id
     AND NEW.locked_at IS NOT DISTINCT FROM OLD.locked_at
     AND NEW.locked_by_id IS NOT DISTINCT FROM OLD.locked_by_id
     AND NEW.locked_by_username IS NOT DISTINCT FROM OLD.locked_by_username THEN
    RETURN NEW;
  END IF;
  IF NEW.bloc_year_id = OLD.bloc_year_id AND NEW.locked_at IS NULL
     AND NEW.locked_by_id IS NULL AND {LATEST_EVENT} = 'reopen' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'scoring: scoring year % is locked; only a recorded re-opening unlocks it',
    OLD.id USING ERRCODE = '23000';
END
$$;
""",
    """
CREATE TRIGGER scoring_scoringyear_lock_guard BEFORE UPDATE OR DELETE ON scoring_scoringyear
FOR EACH ROW EXECUTE FUNCTION scoring_lock_guard();
""",
    # Statement-level with transition tables: one indexed join per statement, however many
    # cells a grid save writes.
    """
CREATE OR REPLACE FUNCTION scoring_locked_values_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Nested IFs: a transition table that this statement lacks must not even be planned.
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF EXISTS (SELECT 1 FROM old_rows v JOIN scoring_scoresheet s ON s.id = v.sheet_id
               JOIN scoring_scoringyear y ON y.bloc_year_id = s.bloc_year_id
               WHERE y.locked_at IS NOT NULL) THEN
      RAISE EXCEPTION 'scoring: scores of a locked year cannot change' USING ERRCODE = '23000';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF EXISTS (SELECT 1 FROM new_rows v JOIN scoring_scoresheet s ON s.id = v.sheet_id
               JOIN scoring_scoringyear y ON y.bloc_year_id = s.bloc_year_id
               WHERE y.locked_at IS NOT NULL) THEN
      RAISE EXCEPTION 'scoring: scores of a locked year cannot change' USING ERRCODE = '23000';
    END IF;
  END IF;
  RETURN NULL;
END
$$;
""",
    """
CREATE TRIGGER scoring_scorevalue_locked_insert AFTER INSERT ON scoring_scorevalue
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION scoring_locked_values_guard();
""",
    """
CREATE TRIGGER scoring_scorevalue_locked_update AFTER UPDATE ON scoring_scorevalue
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION scoring_locked_values_guard();
""",
    """
CREATE TRIGGER scoring_scorevalue_locked_delete AFTER DELETE ON scoring_scorevalue
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION scoring_locked_values_guard();
""",
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS scoring_scorevalue_locked_{op} ON scoring_scorevalue;"
      for op in ("insert", "update", "delete")),
    "DROP TRIGGER IF EXISTS scoring_scoringyear_lock_guard ON scoring_scoringyear;",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY),
    "DROP FUNCTION IF EXISTS scoring_locked_values_guard();",
    "DROP FUNCTION IF EXISTS scoring_lock_guard();",
]


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


def _locked_sheet(ref: str) -> str:
    return (
        "EXISTS (SELECT 1 FROM scoring_scoresheet s JOIN scoring_scoringyear y "
        f"ON y.bloc_year_id = s.bloc_year_id WHERE s.id = {ref}.sheet_id "
        "AND y.locked_at IS NOT NULL)"
    )


SQLITE_TRIGGERS = {
    **{
        f"{table}_append_only": f"BEFORE UPDATE ON {table} FOR EACH ROW "
        + _abort(f"{table}: rows are append-only")
        for table in APPEND_ONLY
    },
    "scoring_scoringyear_lock_guard": (
        "BEFORE UPDATE ON scoring_scoringyear FOR EACH ROW WHEN OLD.locked_at IS NOT NULL "
        "AND (NEW.bloc_year_id IS NOT OLD.bloc_year_id OR NEW.locked_at IS NOT OLD.locked_at "
        "OR NEW.locked_by_id IS NOT OLD.locked_by_id "
        "OR NEW.locked_by_username IS NOT OLD.locked_by_username) "
        "AND NOT (NEW.bloc_year_id IS OLD.bloc_year_id AND NEW.locked_at IS NULL "
        f"AND NEW.locked_by_id IS NULL AND {LATEST_EVENT} IS 'reopen') "
        + _abort("scoring: the year is locked; only a recorded re-opening unlocks it")
    ),
    "scoring_scorevalue_locked_insert": (
        f"BEFORE INSERT ON scoring_scorevalue FOR EACH ROW WHEN {_locked_sheet('NEW')} "
        + _abort("scoring: scores of a locked year cannot change")
    ),
    "scoring_scorevalue_locked_update": (
        "BEFORE UPDATE ON scoring_scorevalue FOR EACH ROW "
        f"WHEN {_locked_sheet('OLD')} OR {_locked_sheet('NEW')} "
        + _abort("scoring: scores of a locked year cannot change")
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
        raise RuntimeError(f"No scoring triggers for database vendor {vendor!r}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_append_only"),
        ("scoring", "0003_actor_usernames"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
