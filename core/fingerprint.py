"""Pieces shared by the data fingerprints of the criteria cache (agenda.criteria) and the page cache
(core.pagecache): which model a label names, the aggregates that change with any write to a table, and
running the fingerprint query as a prepared statement."""

import hashlib
import re

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


_PLACEHOLDER = re.compile(r"%s|%%")
_EXECUTE = re.compile(r"^EXECUTE (\w+)")
# Prepared statement name -> its SQL, so that what records the tables a page reads (core.pagecache)
# sees through "EXECUTE name (…)" to the tables the statement reads.
_statements: dict[str, str] = {}


def statement_sql(sql: str) -> str:
    """The SQL behind `EXECUTE <name>` of a statement prepared here; any other SQL as it is."""
    match = _EXECUTE.match(sql)
    return _statements.get(match.group(1), sql) if match else sql


def execute_prepared(cursor, sql: str, params: list, *, prefix: str) -> None:
    """Runs a fingerprint query; on PostgreSQL, outside a transaction, as a statement prepared once per
    connection (named `<prefix>_<hash of the SQL>`), since planning a union of some forty aggregates costs
    more than running it."""
    connection = cursor.db
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        cursor.execute(sql, params)
        return
    raw = connection.connection
    state = getattr(connection, "_fingerprints_prepared", None)
    if state is None or state[0] is not raw:  # a new database connection: nothing prepared on it yet
        state = connection._fingerprints_prepared = (raw, set())
        # Plan once: the aggregates use the same indexes whichever region or agenda is asked for.
        # (Django itself never prepares statements, so this touches nothing else.)
        cursor.execute("SET plan_cache_mode = force_generic_plan")
    name = f"{prefix}_" + hashlib.sha256(sql.encode()).hexdigest()[:24]
    _statements[name] = sql
    if name not in state[1]:
        numbers = iter(range(1, len(params) + 1))
        body = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
        cursor.execute(f"PREPARE {name} AS {body}")
        state[1].add(name)
    cursor.execute(
        f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params
    )
