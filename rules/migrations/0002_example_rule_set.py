from django.db import migrations


def create_example(apps, schema_editor):
    from rules.models import default_classification_bands, default_tie_break_order

    RuleSet = apps.get_model("rules", "RuleSet")
    RuleSet.objects.get_or_create(
        province=None,
        year=2000,
        defaults={
            "name": "Quy chế mẫu (ví dụ, cần thay bằng quy chế của tỉnh)",
            "is_example": True,
            "classification_bands": default_classification_bands(),
            "tie_break_order": default_tie_break_order(),
            "notes": "Ví dụ đi kèm phần mềm. Mỗi tỉnh đặt ngưỡng xếp loại, thứ tự phân định "
            "khi bằng điểm và các quy định khác theo quy chế hoạt động cụm, khối của tỉnh.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("rules", "0001_initial")]

    operations = [migrations.RunPython(create_example, migrations.RunPython.noop)]
