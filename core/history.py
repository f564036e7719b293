"""django-simple-history's records for the parts of an agenda (role-matrix rows, goals, projects, teams,
memoranda). The region dashboard reads each historical table newest first for one agenda ("recent
changes"); without an index on (agenda, history_date) PostgreSQL walks the history of every region
backwards until it has found the agenda's latest rows, so the dashboard slowed down with every edit made
anywhere (7,800 rows read for 12 at 40 regions of 200 organisations)."""

from django.db import models
from simple_history.models import HistoricalRecords


class AgendaHistory(HistoricalRecords):
    """HistoricalRecords whose table is indexed by agenda, newest first. For models with an `agenda`."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        options["indexes"] = [
            models.Index(
                fields=["agenda", "-history_date"], name=f"h_{model._meta.model_name[:16]}_agenda_date"
            )
        ]
        return options
