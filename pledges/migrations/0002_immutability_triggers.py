"""Database guards behind the service layer: a pledge version that has left the draft state
never changes (only its status moves on: open -> signed -> superseded), its commitments and
targets never change, and signatures are append-only. PostgreSQL and SQLite each get their
own triggers, chosen by the connection's vendor."""

from django.db import migrations

VERSION_COLUMNS = [
    "id",
    "pledge_id",
    "number",
    "title",
    "preamble",
    "deadline",
    "verification_code",
    "previous_id",
    "amendment_reason",
    "created_at",
    "created_by_id",
    "opened_at",
    "opened_by_id",
]
CONTENT_TABLES = ["pledges_commitment", "pledges_unittarget"]

POSTGRES_FORWARD = [
    """
CREATE OR REPLACE FUNCTION pledges_version_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'pledges: version % is frozen and cannot be deleted', OLD.id
        USING ERRCODE = '23000';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status <> 'draft' THEN
    IF (to_jsonb(NEW) - 'status') IS DISTINCT FROM (to_jsonb(OLD) - 'status') THEN
      RAISE EXCEPTION 'pledges: version % is frozen', OLD.id USING ERRCODE = '23000';
    END IF;
    IF NEW.status = 'draft' OR (OLD.status = 'superseded' AND NEW.status <> 'superseded') THEN
      RAISE EXCEPTION 'pledges: version % cannot go back from %', OLD.id, OLD.status
        USING ERRCODE = '23000';
    END IF;
  END IF;
  RETURN NEW;
END
$$;
""",
    """
CREATE TRIGGER pledges_version_guard BEFORE UPDATE OR DELETE ON pledges_pledgeversion
FOR EACH ROW EXECUTE FUNCTION pledges_version_guard();
""",
    """
CREATE OR REPLACE FUNCTION pledges_content_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    IF EXISTS (SELECT 1 FROM pledges_pledgeversion WHERE id = OLD.version_id
               AND status <> 'draft') THEN
      RAISE EXCEPTION 'pledges: % of frozen version % cannot change', TG_TABLE_NAME,
        OLD.version_id USING ERRCODE = '23000';
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    IF EXISTS (SELECT 1 FROM pledges_pledgeversion WHERE id = NEW.version_id
               AND status <> 'draft') THEN
      RAISE EXCEPTION 'pledges: % of frozen version % cannot change', TG_TABLE_NAME,
        NEW.version_id USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
  END IF;
  RETURN OLD;
END
$$;
""",
    *(
        f"""
CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION pledges_content_guard();
"""
        for table in CONTENT_TABLES
    ),
    """
CREATE OR REPLACE FUNCTION pledges_signature_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM pledges_pledgeversion WHERE id = NEW.version_id
                   AND status = 'open') THEN
      RAISE EXCEPTION 'pledges: version % is not open for signing', NEW.version_id
        USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'pledges: signatures are append-only' USING ERRCODE = '23000';
END
$$;
""",
    """
CREATE TRIGGER pledges_signature_guard BEFORE INSERT OR UPDATE OR DELETE
ON pledges_signature FOR EACH ROW EXECUTE FUNCTION pledges_signature_guard();
""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS pledges_signature_guard ON pledges_signature;",
    *(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};" for table in CONTENT_TABLES),
    "DROP TRIGGER IF EXISTS pledges_version_guard ON pledges_pledgeversion;",
    "DROP FUNCTION IF EXISTS pledges_signature_guard();",
    "DROP FUNCTION IF EXISTS pledges_content_guard();",
    "DROP FUNCTION IF EXISTS pledges_version_guard();",
]


def _abort(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"


def _status(ref: str) -> str:
    return f"(SELECT status FROM pledges_pledgeversion WHERE id = {ref}.version_id)"


_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_COLUMNS)
SQLITE_TRIGGERS = {
    "pledges_version_frozen_update": (
        "BEFORE UPDATE ON pledges_pledgeversion FOR EACH ROW WHEN OLD.status <> 'draft' AND ("
        f"{_changed} OR NEW.status = 'draft' "
        "OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')) "
        + _abort("pledges: version is frozen")
    ),
    "pledges_version_frozen_delete": (
        "BEFORE DELETE ON pledges_pledgeversion FOR EACH ROW WHEN OLD.status <> 'draft' "
        + _abort("pledges: version is frozen and cannot be deleted")
    ),
    "pledges_signature_insert": (
        "BEFORE INSERT ON pledges_signature FOR EACH ROW "
        f"WHEN {_status('NEW')} IS NOT 'open' "
        + _abort("pledges: version is not open for signing")
    ),
    "pledges_signature_update": (
        "BEFORE UPDATE ON pledges_signature FOR EACH ROW "
        + _abort("pledges: signatures are append-only")
    ),
    "pledges_signature_delete": (
        "BEFORE DELETE ON pledges_signature FOR EACH ROW "
        + _abort("pledges: signatures are append-only")
    ),
}
for _table in CONTENT_TABLES:
    _msg = f"pledges: {_table} of a frozen version cannot change"
    SQLITE_TRIGGERS[f"{_table}_frozen_insert"] = (
        f"BEFORE INSERT ON {_table} FOR EACH ROW WHEN {_status('NEW')} <> 'draft' "
        + _abort(_msg)
    )
    SQLITE_TRIGGERS[f"{_table}_frozen_update"] = (
        f"BEFORE UPDATE ON {_table} FOR EACH ROW "
        f"WHEN {_status('OLD')} <> 'draft' OR {_status('NEW')} <> 'draft' " + _abort(_msg)
    )
    SQLITE_TRIGGERS[f"{_table}_frozen_delete"] = (
        f"BEFORE DELETE ON {_table} FOR EACH ROW WHEN {_status('OLD')} <> 'draft' "
        + _abort(_msg)
    )


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}", params=None)
    else:  # pragma: no cover - the product supports PostgreSQL and SQLite only
        raise RuntimeError(f"No pledge immutability triggers for database vendor {vendor!r}")


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
