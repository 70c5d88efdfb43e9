from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Hội nghị")
    # After scoring's and pledges' (INSTALLED_APPS order): ballots need their years.
    demo_loader = "meetings.demo.demo_load"

    def ready(self) -> None:
        # Registers the tally record, the paper ballots and the minutes with the shared
        # document pipeline.
        from . import documents  # noqa: F401
