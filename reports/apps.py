from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")
    # blocs/management/commands/load_demo.py calls it after the demo loaders of the apps
    # before it in INSTALLED_APPS (meetings: the seed meetings and ballots).
    demo_loader = "reports.demo.demo_load"

    def ready(self) -> None:
        # Registers the BC report kinds with the shared document pipeline.
        # and the year-end dossier's kind (reports/dossier.py).
        from . import documents, dossier  # noqa: F401
