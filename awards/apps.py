from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Khen thưởng")
    # Runs before the meetings app's loader (INSTALLED_APPS order): it loads the demo
    # meetings first, whose published ballots the proposals come from.
    demo_loader = "awards.demo.demo_load"

    def ready(self) -> None:
        # Registers the proposal (tờ trình) with the document pipeline.
        from . import documents  # noqa: F401
