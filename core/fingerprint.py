"""Pieces shared by the data fingerprints of the criteria cache (agenda.criteria) and the page cache
(core.pagecache): which model a label names, and the aggregates that change with any write to a table."""

from django.apps import apps
from django.db.models import Count, DateTimeField, Max, Value


def model_for_label(label: str):
    """ "app.Model", or "app.Model_field" for the automatic link table of a many-to-many field."""
    app_label, name = label.split(".")
    if "_" in name:
        owner, field_name = name.split("_", 1)
        return apps.get_model(app_label, owner)._meta.get_field(field_name).remote_field.through
    return apps.get_model(app_label, name)


def change_aggregates(model) -> dict:
    """Row count, highest primary key and latest `updated_at` (when the table has one): an insert raises
    the highest key, a delete lowers the count, a saved change moves `updated_at` — so a link-table row
    swapped for another (same count) is seen too."""
    latest = (
        Max("updated_at")
        if any(f.name == "updated_at" for f in model._meta.concrete_fields)
        else Value(None, output_field=DateTimeField())
    )
    return {"fp_n": Count("pk"), "fp_top": Max("pk"), "fp_latest": latest}
