from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Giao ước thi đua")
    # blocs/management/commands/load_demo.py calls it after blocs.demo.demo_load().
    demo_loader = "pledges.demo.demo_load"

    def ready(self) -> None:
        # Registers the pledge PDF with the shared document pipeline.
        from . import documents  # noqa: F401
