"""Actor foreign keys become PROTECT (a user with history is deactivated, not deleted) and
the username is kept beside them; existing rows get the username of their actor."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_actor_username(apps, schema_editor):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    audit_event = apps.get_model("core", "AuditEvent")
    audit_event.objects.filter(actor__isnull=False).update(
        actor_username=Subquery(
            user_model.objects.filter(pk=OuterRef("actor_id")).values("username")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="actor_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người thực hiện",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người thực hiện",
            ),
        ),
        migrations.RunPython(fill_actor_username, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("actor__isnull", True),
                    models.Q(("actor_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="audit_event_actor_username",
            ),
        ),
    ]
