from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Khen thưởng")

    def ready(self) -> None:
        # Registers the proposal (tờ trình) with the document pipeline.
        from . import documents  # noqa: F401
