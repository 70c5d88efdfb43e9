from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlocsConfig(AppConfig):
    name = "blocs"
    verbose_name = _("Khối thi đua")

    def ready(self) -> None:
        # Registers the bloc documents (roster) with the shared document pipeline.
        from . import documents  # noqa: F401
