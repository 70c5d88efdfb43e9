"""Actor foreign keys become PROTECT (a user with history is deactivated, not deleted) and
the username is kept beside them; existing rows get the username of their actor. Events of
the lock are PROTECT too; a re-opening always carries its reason."""

import django.db.models.deletion
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

ACTOR_FIELDS = {
    "CriteriaTable": ["created_by"],
    "ScoreSheet": ["self_submitted_by", "cross_submitted_by"],
    "ScoreValue": ["updated_by"],
    "ScoreChange": ["changed_by"],
    "Evidence": ["uploaded_by"],
    "ScoringYear": ["locked_by"],
    "ScoringYearEvent": ["actor"],
}


def fill_usernames(apps, schema_editor):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    for model_name, fields in ACTOR_FIELDS.items():
        model = apps.get_model("scoring", model_name)
        for name in fields:
            model.objects.filter(**{f"{name}__isnull": False}).update(
                **{
                    f"{name}_username": Subquery(
                        user_model.objects.filter(pk=OuterRef(f"{name}_id")).values("username")[:1]
                    )
                }
            )


class Migration(migrations.Migration):
    dependencies = [
        ("blocs", "0001_initial"),
        ("scoring", "0002_scoring_revision"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="criteriatable",
            name="created_by_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người tạo"
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="uploaded_by_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người tải lên",
            ),
        ),
        migrations.AddField(
            model_name="scorechange",
            name="changed_by_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người thay đổi",
            ),
        ),
        migrations.AddField(
            model_name="scoresheet",
            name="cross_submitted_by_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người hoàn tất chấm chéo",
            ),
        ),
        migrations.AddField(
            model_name="scoresheet",
            name="self_submitted_by_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người nộp tự chấm",
            ),
        ),
        migrations.AddField(
            model_name="scorevalue",
            name="updated_by_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người cập nhật",
            ),
        ),
        migrations.AddField(
            model_name="scoringyear",
            name="locked_by_username",
            field=models.CharField(
                blank=True, editable=False, max_length=150, verbose_name="tên đăng nhập người khóa"
            ),
        ),
        migrations.AddField(
            model_name="scoringyearevent",
            name="actor_username",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                verbose_name="tên đăng nhập người thực hiện",
            ),
        ),
        migrations.AlterField(
            model_name="criteriatable",
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
            model_name="evidence",
            name="uploaded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người tải lên",
            ),
        ),
        migrations.AlterField(
            model_name="scorechange",
            name="changed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người thay đổi",
            ),
        ),
        migrations.AlterField(
            model_name="scoresheet",
            name="cross_submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người hoàn tất chấm chéo",
            ),
        ),
        migrations.AlterField(
            model_name="scoresheet",
            name="self_submitted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người nộp tự chấm",
            ),
        ),
        migrations.AlterField(
            model_name="scorevalue",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người cập nhật",
            ),
        ),
        migrations.AlterField(
            model_name="scoringyear",
            name="locked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người khóa",
            ),
        ),
        migrations.AlterField(
            model_name="scoringyearevent",
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
        migrations.AlterField(
            model_name="scoringyearevent",
            name="scoring_year",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="scoring.scoringyear",
                verbose_name="trạng thái chấm điểm",
            ),
        ),
        migrations.RunPython(fill_usernames, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="criteriatable",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("created_by__isnull", True),
                    models.Q(("created_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="criteria_table_created_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="evidence",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("uploaded_by__isnull", True),
                    models.Q(("uploaded_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="evidence_uploaded_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorechange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("changed_by__isnull", True),
                    models.Q(("changed_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="score_change_changed_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoresheet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("self_submitted_by__isnull", True),
                    models.Q(("self_submitted_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="score_sheet_self_submitted_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoresheet",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("cross_submitted_by__isnull", True),
                    models.Q(("cross_submitted_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="score_sheet_cross_submitted_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorevalue",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("updated_by__isnull", True),
                    models.Q(("updated_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="score_value_updated_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoringyear",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("locked_by__isnull", True),
                    models.Q(("locked_by_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="scoring_year_locked_by_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoringyearevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("actor__isnull", True),
                    models.Q(("actor_username", ""), _negated=True),
                    _connector="OR",
                ),
                name="scoring_year_event_actor_username",
            ),
        ),
        migrations.AddConstraint(
            model_name="scoringyearevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("action", "lock"),
                    django.db.models.lookups.GreaterThanOrEqual(
                        django.db.models.functions.text.Length(
                            django.db.models.functions.text.Trim("reason")
                        ),
                        10,
                    ),
                    _connector="OR",
                ),
                name="scoring_year_event_reopen_has_reason",
            ),
        ),
    ]
