"""Database guards of the sealed minutes (filled by the minutes work)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0002_meetings_ballots_minutes")]

    operations: list = []
