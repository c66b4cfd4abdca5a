"""The Dynamics 365 services: a `crm push` run and a `crm pull` run, each recorded in ``runs``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..exits import ExitStatus


@dataclass
class PushRun:
    """What a push run did: crm.push's summary (None when it stopped before any), the exit status, and
    ``sign_in`` or ``stopped`` (one sentence each) when it was cut short."""

    summary: Any
    code: int
    sign_in: str | None = None
    stopped: str | None = None
    interrupted: bool = False  # Ctrl-C: ``code`` is 130 and the summary says what was not sent
    mapping: Any = None  # crm.push.MappingRejected: Dynamics does not know a column of the mapping (code 2)


def push(
    conn: Any, client: Any, plans: Iterable[Any], env: str, *, concurrency: int, recreate: bool, missing: list[str]
) -> PushRun:
    """Send ``plans`` (crm.push.plan) through ``client``; ``missing`` domains were asked for but are not stored.

    The run is recorded as ``crm push``: ``ok`` when nothing failed, else ``failed`` with the counts
    and why it stopped; Ctrl-C while sending records it ``interrupted`` with the counts and returns
    exit status 130 (before the sending began it records it so and propagates).
    """
    from .. import store
    from ..crm import push as pusher
    from ..crm.auth import InteractionRequired
    from ..crm.client import CrmError
    from ..said import Said, said_of

    run_id = store.start_run(conn, "crm push")
    run = PushRun(summary=None, code=ExitStatus.OK)
    try:
        run.summary = pusher.run(conn, client, plans, env, concurrency=concurrency, recreate=recreate)
    except InteractionRequired as exc:
        run.summary = getattr(exc, "summary", None)
        run.sign_in = said_of(exc)
        run.code = ExitStatus.SIGN_IN
    except pusher.MappingRejected as exc:
        run.summary = getattr(exc, "summary", None)
        run.mapping = exc
        run.code = ExitStatus.USAGE
    except CrmError as exc:
        run.summary = getattr(exc, "summary", None)
        run.stopped = run.summary.stopped if run.summary else said_of(exc)
        run.code = ExitStatus.FATAL
    except pusher.Interrupted as exc:  # Ctrl-C during the sending: what was sent is stored, the rest counted
        run.summary = exc.summary
        run.interrupted = True
        run.code = ExitStatus.INTERRUPTED
    except KeyboardInterrupt:
        store.finish_run(conn, run_id, "interrupted", {})
        raise
    if run.summary is not None:
        for d in missing:
            run.summary.skipped.append((d, Said("cli.crm.skip.not_stored")))
    counts = run.summary.counts() if run.summary else {}
    outcome = "interrupted" if run.interrupted else "ok" if run.code == 0 and not counts.get("failed") else "failed"
    store.finish_run(
        conn,
        run_id,
        outcome,
        {
            **counts,
            "not_sent": run.summary.not_sent if run.summary else 0,
            "unanswered": run.summary.unanswered if run.summary else 0,
            "stopped": run.summary.stopped if run.summary else None,
        },
    )
    return run


class PullFailed(Exception):
    """The pull failed; the message is redacted of any token (exit status 1)."""


def pull(conn: Any, client: Any, env: str, *, full: bool) -> tuple[Any, dict[str, Any]]:
    """Read pushed leads' status back, recorded as a ``crm pull`` run: (crm.pull's result, the run's counts).

    InteractionRequired propagates (exit status 3); a CrmError becomes PullFailed; either way the run
    is recorded as failed first.
    """
    from .. import store
    from ..crm.auth import InteractionRequired
    from ..crm.client import CrmError
    from ..crm.pull import pull as run_pull
    from ..crm.redact import redact

    run_id = store.start_run(conn, "crm pull")
    try:
        result = run_pull(conn, client, env, full=full)
    except InteractionRequired:
        store.finish_run(conn, run_id, "failed", {"error": "interaction required"})
        raise
    except CrmError as exc:
        from ..said import said_of

        message = redact(said_of(exc), client.tokens.secrets)
        store.finish_run(conn, run_id, "failed", {"error": message})
        raise PullFailed(message) from None
    stats = {
        "asked": result.asked,
        "read": result.read,
        "updated": result.updated,
        "malformed": len(result.malformed),
        "watermark": result.watermark,
        **result.states,
    }
    store.finish_run(conn, run_id, "ok", stats)
    return result, stats
