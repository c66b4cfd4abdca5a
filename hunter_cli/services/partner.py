"""The referral sync service: one `hunter referrals sync` run and its record in ``runs``."""

from __future__ import annotations

from typing import Any


def sync_referrals(conn: Any, client: Any, *, full: bool, rules: Any) -> Any:
    """Pull referrals through ``client`` into the store on ``conn``, recorded as a ``referrals sync`` run.

    Returns partner.sync's SyncResult (fetched, stored, created, unlinked, new domains, malformed,
    watermark). InteractionRequired (sign-in needed), SyncError and AuthError propagate after the
    run is recorded as failed with a redacted reason; KeyboardInterrupt after it is recorded as interrupted.
    """
    from .. import store
    from ..partner.auth import AuthError, InteractionRequired
    from ..partner.client import SyncError
    from ..partner.sync import sync as run_sync
    from ..redact import summary

    run_id = store.start_run(conn, "referrals sync")
    try:
        result = run_sync(conn, client, full=full, rules=rules)
    except InteractionRequired as exc:
        store.finish_run(conn, run_id, "failed", {"error": "sign-in needed: " + summary(exc, 300)})
        raise
    except (SyncError, AuthError) as exc:
        store.finish_run(conn, run_id, "failed", {"error": summary(exc, 300)})
        raise
    except KeyboardInterrupt:  # Ctrl-C while fetching (or storing: rolled back whole); the CLI says so
        store.finish_run(conn, run_id, "interrupted", {})
        raise
    store.finish_run(
        conn,
        run_id,
        "ok",
        {
            "fetched": result.fetched,
            "stored": result.stored,
            "new": result.created,
            "malformed": len(result.malformed),
            "unlinked": result.unlinked,
            "new_domains": len(result.new_domains),
            "watermark": result.watermark,
        },
    )
    return result
