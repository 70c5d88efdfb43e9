"""Database guards behind the services and the read-only admin, for the sealed facts of
award proposals (DESIGN.md §9):

- a submitted proposal version never changes and is never deleted (its snapshot and hash
  are what the board reviewed);
- the items of a submitted version never change, none is added or deleted;
- decisions on items and the proposal history are append-only.

PostgreSQL (production) gets all of it; SQLite (the development database) the same rules
for INSERT and UPDATE, not DELETE: Django empties SQLite tables between transactional tests
with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see)."""

from django.db import migrations

APPEND_ONLY = ["awards_itemdecision", "awards_proposalevent"]
SUBMITTED = "(SELECT status FROM awards_proposalversion WHERE id = {ref}.version_id)"

POSTGRES_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_append_only();"
        for table in APPEND_ONLY
    ),
    """
CREATE OR REPLACE FUNCTION awards_version_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'submitted' THEN
    RAISE EXCEPTION 'awards: proposal version % is submitted and sealed (% refused)',
      OLD.id, TG_OP USING ERRCODE = '23000';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
""",
    """
CREATE TRIGGER awards_proposalversion_sealed BEFORE UPDATE OR DELETE ON awards_proposalversion
FOR EACH ROW EXECUTE FUNCTION awards_version_sealed();
""",
    f"""
CREATE OR REPLACE FUNCTION awards_item_sealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND {SUBMITTED.format(ref="OLD")} = 'submitted' THEN
    RAISE EXCEPTION 'awards: items of a submitted proposal version cannot change (% refused)',
      TG_OP USING ERRCODE = '23000';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND {SUBMITTED.format(ref="NEW")} = 'submitted' THEN
    RAISE EXCEPTION 'awards: items of a submitted proposal version cannot change (% refused)',
      TG_OP USING ERRCODE = '23000';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$;
""",
    """
CREATE TRIGGER awards_proposalitem_sealed BEFORE INSERT OR UPDATE OR DELETE
ON awards_proposalitem FOR EACH ROW EXECUTE FUNCTION awards_item_sealed();
""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS awards_proposalitem_sealed ON awards_proposalitem;",
    "DROP TRIGGER IF EXISTS awards_proposalversion_sealed ON awards_proposalversion;",
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY),
    "DROP FUNCTION IF EXISTS awards_item_sealed();",
    "DROP FUNCTION IF EXISTS awards_version_sealed();",
]


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


SQLITE_TRIGGERS = {
    **{
        f"{table}_append_only": f"BEFORE UPDATE ON {table} FOR EACH ROW "
        + _abort(f"{table}: rows are append-only")
        for table in APPEND_ONLY
    },
    "awards_proposalversion_sealed": (
        "BEFORE UPDATE ON awards_proposalversion FOR EACH ROW WHEN OLD.status = 'submitted' "
        + _abort("awards: a submitted proposal version is sealed")
    ),
    "awards_proposalitem_sealed_insert": (
        "BEFORE INSERT ON awards_proposalitem FOR EACH ROW "
        f"WHEN {SUBMITTED.format(ref='NEW')} = 'submitted' "
        + _abort("awards: items of a submitted proposal version cannot change")
    ),
    "awards_proposalitem_sealed_update": (
        "BEFORE UPDATE ON awards_proposalitem FOR EACH ROW "
        f"WHEN {SUBMITTED.format(ref='OLD')} = 'submitted' "
        f"OR {SUBMITTED.format(ref='NEW')} = 'submitted' "
        + _abort("awards: items of a submitted proposal version cannot change")
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
        raise RuntimeError(f"No awards triggers for database vendor {vendor!r}")


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
        ("awards", "0003_proposals"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
