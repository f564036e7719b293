"""Change stamps: for every table the page cache knows, a number that changes whenever a transaction that
wrote to the table commits — an insert, update, delete or truncate, from a page, the admin, a worker, a
bulk operation or raw SQL. Reading the stamps of forty tables is one indexed query, however many rows the
tables hold, so a stored page whose tables are all unstamped since it was rendered is served without
aggregating a single row (core.pagecache falls back to its row fingerprint when a stamp moved).

PostgreSQL only (SQLite, the development database, has one writer and small tables: there the row
fingerprint alone is used). Installed after every `migrate` (post_migrate), idempotently, for every table
in core.pagecache.SCOPES; a table without the trigger is never judged by stamps.

How a write is stamped without making writers wait for each other: a statement-level trigger on each
table only notes the table's name in a transaction-local setting (and, at the first note, inserts a row
into `core_tablestamp_pending`). That row's *deferred* constraint trigger runs once, at commit, and gives
every noted table a new number from a sequence, updating the tables' stamp rows in name order — so two
transactions never wait for each other's stamp rows in opposite orders (no deadlock), and the row locks
are held only for the instant of the commit. The new numbers become visible with the data they stamp, in
the same commit: a reader that reads the stamps first and the data after can see newer data than the
stamps say, never older.
"""

import time

from django.db import connections

TRIGGER = "core_stamp_touch"
SETTING = "core_stamp.touched"

_INSTALL = """
CREATE SEQUENCE IF NOT EXISTS core_tablestamp_seq START WITH {start};
CREATE TABLE IF NOT EXISTS core_tablestamp (
    table_name text PRIMARY KEY,
    version bigint NOT NULL
);
CREATE UNLOGGED TABLE IF NOT EXISTS core_tablestamp_pending (txid bigint PRIMARY KEY);

CREATE OR REPLACE FUNCTION core_stamp_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched text := coalesce(current_setting('core_stamp.touched', true), '');
BEGIN
    IF touched = '' THEN
        INSERT INTO core_tablestamp_pending (txid) VALUES (txid_current()) ON CONFLICT DO NOTHING;
    END IF;
    IF strpos(touched || ',', ',' || TG_TABLE_NAME || ',') = 0 THEN
        PERFORM set_config('core_stamp.touched', touched || ',' || TG_TABLE_NAME, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION core_stamp_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched text := coalesce(current_setting('core_stamp.touched', true), '');
BEGIN
    IF touched <> '' THEN
        INSERT INTO core_tablestamp (table_name, version)
        SELECT name, nextval('core_tablestamp_seq')
        FROM (SELECT DISTINCT name FROM unnest(string_to_array(substr(touched, 2), ',')) AS name) AS noted
        ORDER BY name
        ON CONFLICT (table_name) DO UPDATE SET version = EXCLUDED.version;
        PERFORM set_config('core_stamp.touched', '', true);
    END IF;
    DELETE FROM core_tablestamp_pending WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS core_stamp_commit ON core_tablestamp_pending;
CREATE CONSTRAINT TRIGGER core_stamp_commit AFTER INSERT ON core_tablestamp_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core_stamp_commit();
"""

_TABLE_TRIGGER = """
DROP TRIGGER IF EXISTS core_stamp_touch ON {table};
CREATE TRIGGER core_stamp_touch AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION core_stamp_touch();
"""

# Also how core.pagecache's recorder knows the tables a stamp read vouched for (its second parameter).
READ_SQL = (
    "SELECT current_database(), coalesce(current_setting(%s, true), ''), "
    "array(SELECT table_name || ':' || version FROM core_tablestamp "
    "WHERE table_name = ANY(%s) ORDER BY table_name)"
)

# The catalogue: which tables carry the trigger (read once per process; no data of any page).
TRIGGERS_SQL = "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s"

# (database alias, database name) -> the tables that carry the trigger, read once per process.
_triggered: dict[tuple[str, str], frozenset[str]] = {}


def stamped_tables() -> frozenset[str]:
    from core.pagecache import models_by_table

    return frozenset(models_by_table())


def install(using: str = "default") -> list[str]:
    """Creates the stamp table, sequence, functions and a trigger on every stamped table that exists.
    Returns the tables given a trigger. Safe to run again (after every migrate)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = sorted(stamped_tables() & existing)
        cursor.execute(_INSTALL.format(start=int(time.time() * 1_000_000)))
        for table in tables:
            cursor.execute(_TABLE_TRIGGER.format(table=connection.ops.quote_name(table)))
    _triggered.pop((using, connection.settings_dict["NAME"]), None)
    return tables


def install_after_migrate(sender, using="default", **kwargs) -> None:
    install(using)


def _tables_with_trigger(connection) -> frozenset[str]:
    key = (connection.alias, connection.settings_dict["NAME"])
    if key not in _triggered:
        with connection.cursor() as cursor:
            cursor.execute(TRIGGERS_SQL, [TRIGGER])
            _triggered[key] = frozenset(row[0] for row in cursor.fetchall())
    return _triggered[key]


def read(tables, using: str = "default") -> tuple | None:
    """The stamps of `tables` as a comparable value, or None when stamps cannot be trusted here: not
    PostgreSQL, a table without the trigger, or this transaction has written and not yet committed (its
    writes are stamped only at commit). One query."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    names = sorted(set(tables))
    if not set(names) <= _tables_with_trigger(connection):
        return None
    with connection.cursor() as cursor:
        cursor.execute(READ_SQL, [SETTING, names])
        database, touched, stamps = cursor.fetchone()
    if touched:
        return None
    return (database, *stamps)
