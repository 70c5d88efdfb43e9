from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Chấm điểm")
    # Called by `manage.py load_demo` after blocs.demo.demo_load().
    demo_loader = "scoring.demo.demo_load"

    def ready(self) -> None:
        # Registers the scoreboard document with the shared document pipeline.
        from . import documents  # noqa: F401
