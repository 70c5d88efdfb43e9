"""Database guards of ballots and votes (filled by the ballots work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_minutes_guards")]

    operations: list = []
