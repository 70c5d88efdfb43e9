"""Database guard behind the services and the read-only admin: the audit trail is
append-only. PostgreSQL (production) refuses UPDATE and DELETE of a row; SQLite (the
development database) refuses UPDATE only, because Django empties SQLite tables between
transactional tests with DELETE (PostgreSQL uses TRUNCATE, which row triggers do not see).

`core_append_only()` is shared: the scoring app's append-only tables use it too."""

from django.db import migrations

TABLE = "core_auditevent"

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION core_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%: rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = '23000';
END
$$;
"""


def postgres_append_only(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION core_append_only();"
    )


def sqlite_append_only(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table} FOR EACH ROW "
        f"BEGIN SELECT RAISE(ABORT, '{table}: rows are append-only'); END;"
    )


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION, params=None)
        schema_editor.execute(postgres_append_only(TABLE), params=None)
    elif vendor == "sqlite":
        schema_editor.execute(sqlite_append_only(TABLE), params=None)
    else:  # pragma: no cover - the product supports PostgreSQL and SQLite only
        raise RuntimeError(f"No append-only trigger for database vendor {vendor!r}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS core_append_only()")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_actor_username")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
