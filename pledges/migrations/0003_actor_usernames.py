"""Actor foreign keys become PROTECT (a user with history is deactivated, not deleted) and
the username is kept beside them, the signer's too; existing rows get their user's username.

Filling frozen versions and signatures means lifting the immutability triggers of 0002 for
that one UPDATE, which only a migration may do. On SQLite the new columns make Django
rebuild the tables, which drops their triggers: they are dropped first and created again at
the end, the version trigger now covering the new columns as well."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

triggers_0002 = importlib.import_module("pledges.migrations.0002_immutability_triggers")

VERSION_COLUMNS = [*triggers_0002.VERSION_COLUMNS, "created_by_username", "opened_by_username"]
_changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_COLUMNS)
SQLITE_TRIGGERS = {
    **triggers_0002.SQLITE_TRIGGERS,
    "pledges_version_frozen_update": (
        "BEFORE UPDATE ON pledges_pledgeversion FOR EACH ROW WHEN OLD.status <> 'draft' AND ("
        f"{_changed} OR NEW.status = 'draft' "
        "OR (OLD.status = 'superseded' AND NEW.status <> 'superseded')) "
        + triggers_0002._abort("pledges: version is frozen")
    ),
}
ACTOR_FIELDS = {
    "Pledge": ["created_by"],
    "PledgeVersion": ["created_by", "opened_by"],
    "Signature": ["signer"],
}
POSTGRES_GUARDS = {
    "pledges_pledgeversion": "pledges_version_guard",
    "pledges_signature": "pledges_signature_guard",
}


def sqlite_triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def sqlite_triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}", params=None)


def fill_usernames(apps, schema_editor):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    todo = [
        (apps.get_model("pledges", model_name), name)
        for model_name, fields in ACTOR_FIELDS.items()
        for name in fields
    ]
    todo = [(m, n) for m, n in todo if m.objects.filter(**{f"{n}__isnull": False}).exists()]
    if not todo:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, trigger in POSTGRES_GUARDS.items():
            schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    for model, name in todo:
        model.objects.filter(**{f"{name}__isnull": False}).update(
            **{
                f"{name}_username": Subquery(
                    user_model.objects.filter(pk=OuterRef(f"{name}_id")).values("username")[:1]
                )
            }
        )
    if postgres:
        for table, trigger in POSTGRES_GUARDS.items():
            schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("blocs", "0001_initial"),
        ("pledges", "0002_immutability_triggers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers_drop, sqlite_triggers_create, elidable=False),
        migrations.AddField(
            model_name="pledge",
            name="created_by_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người tạo"
            ),
        ),
        migrations.AddField(
            model_name="pledgeversion",
            name="created_by_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người tạo"
            ),
        ),
        migrations.AddField(
            model_name="pledgeversion",
            name="opened_by_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người mở ký"
            ),
        ),
        migrations.AddField(
            model_name="signature",
            name="signer_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người ký"
            ),
        ),
        migrations.AlterField(
            model_name="pledge",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người tạo",
            ),
        ),
        migrations.AlterField(
            model_name="pledgeversion",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người tạo",
            ),
        ),
        migrations.AlterField(
            model_name="pledgeversion",
            name="opened_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người mở ký",
            ),
        ),
        migrations.RunPython(fill_usernames, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="pledge",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("created_by__isnull", True),
                    models.Q(("created_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="pledge_created_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledgeversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("created_by__isnull", True),
                    models.Q(("created_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="pledge_version_created_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="pledgeversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("opened_by__isnull", True),
                    models.Q(("opened_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="pledge_version_opened_by_username",
            ),
        ),
        migrations.RunPython(sqlite_triggers_create, sqlite_triggers_drop, elidable=False),
    ]
