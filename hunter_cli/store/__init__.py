"""The SQLite store: the one place in Hunter that writes SQL.

One file holds everything (docs/database.md describes its tables, the ``leads``
view and the search index). WAL mode and a busy timeout let a rep read while a
cron job writes; every batch of scan results is one transaction, so Ctrl-C or
``kill -9`` loses at most the batch in flight, never consistency. Every
connection enforces foreign keys.

Modules:

- :mod:`.core`: errors (StoreError and its kinds), the clock, rollback.
- :mod:`.schema`: migrations as Python functions on sqlite-utils, recorded in
  ``schema_migrations``; the ``leads`` view and the FTS5 search index.
- :mod:`.connection`: ``connect`` with the open-time checks (read-only, newer
  schema, damaged file).
- :mod:`.maintenance`: ``hunter db check`` and ``hunter db backup``.
- :mod:`.writer`: the batched scan writer, imports, tags, notes, rescoring.
- :mod:`.reads`: one domain's state, history, events, notes.
- :mod:`.leads`: the lead list (filters, sort orders, ``--search``).
- :mod:`.search`: Turkish-aware folding of what is stored and searched.
- :mod:`.runs`, :mod:`.referrals`, :mod:`.crm`: run records, Partner Center
  referrals, Dynamics 365 leads.

``from hunter_cli import store`` gives the names callers use (``store.connect``,
``store.ResultWriter``, ...); the lead list is ``hunter_cli.store.leads``.
"""

from __future__ import annotations

from .connection import (
    BUSY_TIMEOUT_MS,
    COMMAND_WAIT_LIMIT,
    OPEN_CHECK_SECONDS,
    WAIT_SLICE_MS,
    WRITE_WAIT_LIMIT,
    WRITER_BUSY_MS,
    check_damage,
    connect,
    quick_check,
)
from .core import (
    Connection,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreInterrupted,
    StoreMissing,
    StoreNewer,
    StoreReadOnly,
    default_db_path,
    error_kind,
    real_path,
    rollback,
    store_error,
    utcnow,
    write_transaction,
)
from .maintenance import backup, check, open_for_inspection
from .reads import (
    EVENT_COLUMNS,
    REGISTRATION_TTL_SECONDS,
    TENANT_TTL_SECONDS,
    Prior,
    active_cosell,
    brief_inputs,
    count_events,
    current,
    due_for_rescan,
    events_of,
    events_since,
    get_state,
    has_leads,
    history,
    iter_events,
    last_good_at,
    latest_ok,
    notes_of,
    prior,
    priors,
    registration,
    scan_records,
    scan_result,
    set_state,
    stored_category,
)
from .referrals import (
    REFERRAL_COLUMNS,
    count_referrals,
    iter_referrals,
    list_referrals,
    put_referral,
    referral_link,
    referrals_of,
    refresh_referral_flags,
    set_manual_link,
    unscanned_referral_leads,
)
from .runs import finish_run, mark_crashed_runs, start_run
from .schema import MIGRATIONS, latest_version, migrate, schema_version
from .writer import (
    CARRIED_FIELDS,
    SCORE_FIELDS,
    ResultWriter,
    WriterStats,
    add_note,
    add_tags,
    carry_forward,
    claim_rules,
    ensure_lead,
    import_leads,
    remove_tags,
    rescore,
    scores_stale,
    upsert_lead,
    with_write_retry,
    write_results,
    write_wait_limit,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "COMMAND_WAIT_LIMIT",
    "WAIT_SLICE_MS",
    "CARRIED_FIELDS",
    "MIGRATIONS",
    "OPEN_CHECK_SECONDS",
    "REFERRAL_COLUMNS",
    "REGISTRATION_TTL_SECONDS",
    "SCORE_FIELDS",
    "TENANT_TTL_SECONDS",
    "WRITER_BUSY_MS",
    "WRITE_WAIT_LIMIT",
    "Connection",
    "Prior",
    "ResultWriter",
    "StoreBusy",
    "StoreInterrupted",
    "StoreDamaged",
    "StoreError",
    "StoreFull",
    "StoreMissing",
    "StoreNewer",
    "StoreReadOnly",
    "WriterStats",
    "active_cosell",
    "add_note",
    "add_tags",
    "backup",
    "brief_inputs",
    "carry_forward",
    "check",
    "check_damage",
    "connect",
    "current",
    "default_db_path",
    "due_for_rescan",
    "ensure_lead",
    "error_kind",
    "EVENT_COLUMNS",
    "count_events",
    "events_of",
    "events_since",
    "iter_events",
    "finish_run",
    "get_state",
    "has_leads",
    "history",
    "scan_records",
    "scan_result",
    "import_leads",
    "last_good_at",
    "latest_ok",
    "latest_version",
    "count_referrals",
    "unscanned_referral_leads",
    "iter_referrals",
    "list_referrals",
    "mark_crashed_runs",
    "migrate",
    "notes_of",
    "open_for_inspection",
    "prior",
    "priors",
    "put_referral",
    "quick_check",
    "real_path",
    "referral_link",
    "referrals_of",
    "refresh_referral_flags",
    "registration",
    "remove_tags",
    "rescore",
    "scores_stale",
    "claim_rules",
    "rollback",
    "schema_version",
    "set_manual_link",
    "set_state",
    "stored_category",
    "start_run",
    "store_error",
    "upsert_lead",
    "utcnow",
    "with_write_retry",
    "write_results",
    "write_transaction",
    "write_wait_limit",
]
